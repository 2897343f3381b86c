"""Sign-in pages: the login form and the admin's, both refusing an account or a client
address over its failed sign-in limit (429 with Retry-After) before any password is checked."""

from functools import wraps

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError

from metrics.accounts import signin_retry_after, signin_wait_message


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


sign_in = signin_limited(LoginView.as_view(authentication_form=LimitedAuthenticationForm))
