"""The OpenID Connect authentication backend: mozilla-django-oidc's code flow, with what it
leaves to the relying party made strict.

- Endpoints come from discovery, at sign-in time (never at import: with SSO off the backend
  stays inert in AUTHENTICATION_BACKENDS and costs nothing).
- The ID token: RS256 signature against the provider's JWKS, `aud` (this client), `iss`
  (the configured issuer), `exp`/`iat` (30 s of clock skew) and the nonce of this sign-in.
  mozilla-django-oidc skips the audience; an ID token minted for another application of the
  same provider would otherwise sign in here.
- Claims: the ID token's, then userinfo's for the same subject. The email must be verified
  by the provider, since accounts are linked by it.
"""

import logging

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from metrics.services.sso import sso_user_sign_in
from metrics.sso.config import group_mapping, password_sign_in_enabled, sso_enabled
from metrics.sso.discovery import provider_metadata

logger = logging.getLogger(__name__)

CLOCK_SKEW = 30


class SignInRefused(SuspiciousOperation):
    """The provider's answer cannot sign anyone in; the message says why (logged, and shown
    in general terms on the sign-in page)."""


class OrganisationOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Lazy on purpose: the parent reads every endpoint setting here and raises when one
        # is missing, which would break password sign-in on a site without SSO.
        self.UserModel = get_user_model()

    def configure(self) -> None:
        metadata = provider_metadata()
        self.OIDC_OP_TOKEN_ENDPOINT = metadata["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = metadata.get("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = metadata["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.issuer = metadata["issuer"]

    def authenticate(self, request, **kwargs):
        # Password sign-ins (username/password) are the ModelBackend's.
        if not sso_enabled() or request is None or "password" in kwargs:
            return None
        if "code" not in request.GET or "state" not in request.GET:
            return None
        self.configure()
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload, key):
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.InvalidTokenError as error:
            raise SignInRefused(f"The ID token is not a JWT: {error}") from error
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SignInRefused(
                f"The ID token is signed with {header.get('alg')!r}, not "
                f"{self.OIDC_RP_SIGN_ALGO!r}."
            )
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.issuer,
                leeway=CLOCK_SKEW,
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise SignInRefused(f"The ID token is refused: {error}") from error
        # Several audiences: the token must have been issued to this client (OIDC Core 3.1.3.7).
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SignInRefused("The ID token was issued to another party (azp).")
        return claims

    def verify_token(self, token, **kwargs):
        try:
            claims = super().verify_token(token, **kwargs)
        except (KeyError, TypeError, ValueError, jwt.InvalidTokenError) as error:
            # A header without kid or alg, an unsigned token, a malformed key set.
            raise SignInRefused(f"The ID token is refused: {error!r}") from error
        # The parent compares nonces only when one was stored; a sign-in always has one.
        if kwargs.get("nonce") is None or claims.get("nonce") != kwargs["nonce"]:
            raise SignInRefused("The ID token's nonce is not this sign-in's.")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            if info.get("sub") != payload.get("sub"):
                raise SignInRefused("The userinfo answer is for another subject.")
            claims.update(info)
        return claims

    def verify_claims(self, claims) -> bool:
        verified = claims.get("email_verified")
        return bool(claims.get("email")) and (verified is True or verified == "true")

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SignInRefused(
                "The provider did not vouch for the email address (email_verified), which "
                "accounts are linked by."
            )
        return sso_user_sign_in(
            issuer=self.issuer,
            claims=claims,
            groups=_groups_of(claims),
            mapping=group_mapping(),
        )

    def get_user(self, user_id):
        # The same rule as password sessions: an inactive account is signed out.
        return ModelBackend.get_user(self, user_id)


def _groups_of(claims) -> list[str]:
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    return [str(group) for group in groups if isinstance(group, str | int)]


class PasswordSignInSwitch:
    """First of AUTHENTICATION_BACKENDS: with password sign-in turned off, no password is
    checked on any path (login page, admin, token endpoint, any later addition)."""

    def authenticate(self, request, username=None, password=None, **credentials):
        from django.core.exceptions import PermissionDenied

        if password is not None and not password_sign_in_enabled():
            raise PermissionDenied(_("Password sign-in is turned off."))
        return None
