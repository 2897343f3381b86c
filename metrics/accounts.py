"""Sign-in protection shared by every way in (the login page, the admin login, the token
endpoint): who the client is, how many failed sign-ins it and the account have had (and how
many password-reset mails were asked for), and what a password change revokes.

Counts live in Django's cache, so with a shared cache (Redis) they hold across every worker
process; with the local-memory default each process counts on its own.
"""

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from metrics import permissions


def client_address(request) -> str:
    """The address the request came from, as the configured proxies report it.

    With TRUSTED_PROXY_COUNT = 0 (the default) this is REMOTE_ADDR and X-Forwarded-For is
    ignored: any client can write that header. With N trusted proxies in front, the Nth
    address from the right of X-Forwarded-For is the one the outermost proxy saw (what DRF
    does with NUM_PROXIES, so its throttles and these limits agree).
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    return hops[-min(proxies, len(hops))]


def _address_key(address: str) -> str:
    """An IPv6 client owns a whole /64: counting per address would give it 2**64 tries."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def _account_key(username: str) -> str:
    normalised = (username or "").strip().casefold()
    return hashlib.sha256(normalised.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Counter:
    key: str
    limit: int

    def _window_start(self) -> float | None:
        return cache.get(f"{self.key}:since")

    def count(self) -> int:
        return cache.get(f"{self.key}:n", 0)

    def add_failure(self) -> None:
        window = settings.LOGIN_FAILURE_WINDOW
        # A fixed window from the first failure: `add` is a no-op while one is open, and the
        # increment keeps the window's expiry.
        cache.add(f"{self.key}:since", time.time(), window)
        cache.add(f"{self.key}:n", 0, window)
        try:
            cache.incr(f"{self.key}:n")
        except ValueError:  # the window closed between add and incr
            cache.set(f"{self.key}:n", 1, window)

    def retry_after(self) -> int | None:
        if self.count() < self.limit:
            return None
        since = self._window_start() or time.time()
        return max(1, math.ceil(since + settings.LOGIN_FAILURE_WINDOW - time.time()))


def _counters(request, username: str, kind: str = "signin") -> list[Counter]:
    counters = [
        Counter(f"{kind}:acct:{_account_key(username)}", settings.LOGIN_FAILURES_PER_ACCOUNT)
    ]
    if request is not None:
        address = _address_key(client_address(request))
        counters.append(Counter(f"{kind}:addr:{address}", settings.LOGIN_FAILURES_PER_ADDRESS))
    return counters


def signin_retry_after(request, username: str) -> int | None:
    """Seconds until this account may be tried again from this client; None when it may
    be tried now."""
    waits = [wait for counter in _counters(request, username) if (wait := counter.retry_after())]
    return max(waits) if waits else None


def signin_failure_record(request, username: str) -> None:
    for counter in _counters(request, username):
        counter.add_failure()
    permissions.log_denied(
        AnonymousUser(),
        "sign in",
        f"account={username!r} address={client_address(request) if request else '-'}",
    )


def password_reset_attempt(request, email: str) -> int | None:
    """Counts a request for a password-reset mail, with the sign-in limits but counts of
    its own (per e-mail address and per client address): seconds to wait when over them,
    else None. Anyone may ask, so unlimited requests would flood a person's inbox."""
    counters = _counters(request, email, kind="reset")
    waits = [wait for counter in counters if (wait := counter.retry_after())]
    for counter in counters:
        counter.add_failure()
    return max(waits) if waits else None


def signin_wait_message(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return (
        "Too many failed sign-ins for this account or from this address. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )


class SignInLimitBackend:
    """First of AUTHENTICATION_BACKENDS: while an account or address is over its limit no
    password is even checked, whichever path called authenticate(). The login views answer
    429 before getting here; this holds for any other path."""

    def authenticate(self, request, username=None, **credentials):
        from django.core.exceptions import PermissionDenied

        if username is not None and signin_retry_after(request, username):
            # Stops authenticate() at once (no later backend checks the password).
            raise PermissionDenied(signin_wait_message(signin_retry_after(request, username)))
        return None

    # No get_user(): sessions are the ModelBackend's (Django picks the first backend that
    # has one for force_login and session lookups).


def on_login_failed(sender, credentials, request=None, **kwargs):
    signin_failure_record(request, credentials.get("username") or "")


def on_user_saving(sender, instance, update_fields=None, **kwargs):
    """A new password revokes the API tokens: whoever had the old password (and took a
    token with it) is locked out with it. set_password() is the path of every password
    change (password form, reset, admin, changepassword); it leaves `_password` set until
    save() returns. Making the password unusable (no more sign-in) revokes too. Hash
    upgrades on sign-in reset `_password` before saving, so they keep the token."""
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    if getattr(instance, "_password", None) is not None:
        instance._okr_revoke_tokens = True
    elif not instance.has_usable_password():
        before = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
        instance._okr_revoke_tokens = before is not None and before != instance.password


def on_user_saved(sender, instance, created, **kwargs):
    if getattr(instance, "_okr_revoke_tokens", False):
        from rest_framework.authtoken.models import Token

        instance._okr_revoke_tokens = False
        Token.objects.filter(user=instance).delete()
