from django.utils.translation import gettext as _
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import PermissionDenied, Throttled
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.throttling import AnonRateThrottle

from metrics.accounts import client_address, signin_retry_after, signin_wait_message
from metrics.api.parsers import SizeLimitedJSONParser
from metrics.api.schema import ApiAutoSchema
from metrics.sso.config import password_sign_in_enabled


class PasswordGuessThrottle(AnonRateThrottle):
    """Tries per client address, whatever the account; the address as the sign-in limits
    see it (never a client-supplied X-Forwarded-For unless proxies are configured)."""

    scope = "token"
    rate = "20/min"

    def get_ident(self, request):
        return client_address(request)


class ObtainTokenView(ObtainAuthToken):
    """Exchange a username and password for your API token (the same token the token page
    shows; created when you have none). Revoke it on the token page or in the admin.
    Failed tries count against the account and the address as on the login page."""

    authentication_classes = []
    parser_classes = [FormParser, MultiPartParser, SizeLimitedJSONParser]
    schema = ApiAutoSchema()
    throttle_classes = [PasswordGuessThrottle]

    def post(self, request, *args, **kwargs):
        if not password_sign_in_enabled():
            raise PermissionDenied(
                _(
                    "Password sign-in is turned off: sign in through the organisation's provider "
                    "and take your token from the token page."
                )
            )
        username = request.data.get("username") if hasattr(request.data, "get") else None
        wait = signin_retry_after(request, str(username or ""))
        if wait:
            raise Throttled(wait=wait, detail=signin_wait_message(wait))
        return super().post(request, *args, **kwargs)
