"""Sign-in pages: the login form and the admin's, both refusing an account or a client
address over its failed sign-in limit (429 with Retry-After) before any password is checked;
and the password-reset form, refusing mails over the same limits."""

from functools import wraps

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import PasswordResetView
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from metrics.accounts import password_reset_attempt, signin_retry_after, signin_wait_message
from metrics.sso.views import SignInView


class SignInLimitMixin:
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        wait = signin_retry_after(self.request, username)
        if wait:
            self.request.signin_wait = wait
            raise ValidationError(signin_wait_message(wait), code="too_many_attempts")
        return super().clean()


class LimitedAuthenticationForm(SignInLimitMixin, AuthenticationForm):
    pass


class LimitedAdminAuthenticationForm(SignInLimitMixin, AdminAuthenticationForm):
    pass


def signin_limited(view):
    """A refused sign-in answers 429 with Retry-After (the page still shows the form and
    the reason), so scripts and proxies see it for what it is."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        wait = getattr(request, "signin_wait", None)
        if wait:
            response.status_code = 429
            response["Retry-After"] = str(wait)
        return response

    return wrapped


sign_in = signin_limited(SignInView.as_view(authentication_form=LimitedAuthenticationForm))


class LimitedPasswordResetView(PasswordResetView):
    def form_valid(self, form):
        wait = password_reset_attempt(self.request, form.cleaned_data["email"])
        if wait:
            self.request.signin_wait = wait
            minutes = -(-wait // 60)
            form.add_error(
                "email",
                ngettext(
                    "Too many password-reset requests for this address or from this client. "
                    "Try again in %(minutes)s minute.",
                    "Too many password-reset requests for this address or from this client. "
                    "Try again in %(minutes)s minutes.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            return self.form_invalid(form)
        return super().form_valid(form)


password_reset = signin_limited(LimitedPasswordResetView.as_view())
