"""Sign-in through the provider, its callback, and sign-out that ends the provider's session
too. Every failure lands on the sign-in page with a sentence, never a 500 or a bare 400."""

import logging
from functools import wraps
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponseForbidden, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from metrics.sso.config import password_sign_in_enabled, provider_name, sso_enabled
from metrics.sso.discovery import ProviderUnavailable, provider_metadata

logger = logging.getLogger(__name__)


def _failed(request, reason: str, message: str) -> HttpResponseRedirect:
    logger.warning("SSO sign-in failed: %s", reason)
    messages.error(request, message)
    return HttpResponseRedirect(reverse("login"))


class ProviderSignInView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (code flow, PKCE S256, state and nonce)."""

    def __init__(self, *args, **kwargs):
        # The parent reads the endpoints at construction; they come from discovery here.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not sso_enabled():
            raise Http404(_("Single sign-on is not configured."))
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_metadata()["authorization_endpoint"]
        except ProviderUnavailable as error:
            return _failed(
                request,
                str(error),
                _("%(provider)s cannot be reached right now. Try again in a moment.")
                % {"provider": provider_name()},
            )
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class ProviderCallbackView(OIDCAuthenticationCallbackView):
    def get(self, request):
        if not sso_enabled():
            raise Http404(_("Single sign-on is not configured."))
        try:
            return super().get(request)
        except (SuspiciousOperation, PermissionDenied, ProviderUnavailable) as error:
            reason = str(error)
        except requests.RequestException as error:
            reason = f"the provider's answer failed: {error}"
        return _failed(
            request,
            reason,
            _("Signing in with %(provider)s did not work. Try again, or ask an admin.")
            % {"provider": provider_name()},
        )

    def login_failure(self):
        if self.request.GET.get("error"):
            reason = f"the provider answered {self.request.GET.get('error')}"
        else:
            reason = "no account for these claims"
        return _failed(
            self.request,
            reason,
            _("Signing in with %(provider)s did not work. Try again, or ask an admin.")
            % {"provider": provider_name()},
        )


class SignInView(LoginView):
    """The sign-in page: "Sign in with <provider>" when SSO is on, the password form unless
    it is turned off (then a posted password is refused, whatever the client)."""

    def post(self, request, *args, **kwargs):
        if not password_sign_in_enabled():
            return HttpResponseForbidden(
                _("Password sign-in is turned off here: sign in with %(provider)s.")
                % {"provider": provider_name()}
            )
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "sso_enabled": sso_enabled(),
            "sso_provider": provider_name(),
            "password_sign_in": password_sign_in_enabled(),
        }


class SignOutView(LogoutView):
    """Signs out here, then at the provider when the sign-in came from it (RP-initiated
    logout), which comes back to the sign-in page."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        if not (id_token and sso_enabled()):
            return response
        try:
            end_session = provider_metadata().get("end_session_endpoint")
        except ProviderUnavailable:
            end_session = None
        if not end_session:
            return response
        query = urlencode(
            {
                "id_token_hint": id_token,
                "client_id": settings.OIDC_RP_CLIENT_ID,
                "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
            }
        )
        return HttpResponseRedirect(f"{end_session}?{query}")


def password_sign_in_or_redirect(view):
    """The admin's own sign-in form, sent to the sign-in page when passwords are off."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not password_sign_in_enabled():
            target = reverse("login")
            if request.GET.get("next"):
                target += "?" + urlencode({"next": request.GET["next"]})
            return HttpResponseRedirect(target)
        return view(request, *args, **kwargs)

    return wrapped
