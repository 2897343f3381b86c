from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import AnonRateThrottle

from metrics.api.schema import ApiAutoSchema


class PasswordGuessThrottle(AnonRateThrottle):
    scope = "token"
    rate = "20/min"


class ObtainTokenView(ObtainAuthToken):
    """Exchange a username and password for your API token (the same token the token page
    shows; created when you have none). Revoke it on the token page or in the admin."""

    authentication_classes = []
    schema = ApiAutoSchema()
    throttle_classes = [PasswordGuessThrottle]
