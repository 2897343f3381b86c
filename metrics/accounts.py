"""Sign-in protection shared by every way in (the login page, the admin login, the token
endpoint): who the client is, how many failed sign-ins it and the account have had (and how
many password-reset mails were asked for), and what a password change revokes.

Counts live in the database (`SignInFailureCount`): they hold across every worker and host
and do not depend on the cache being up.
"""

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from metrics import permissions
from metrics.models import SignInFailureCount


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
    """Failures under one key in a fixed window from the first failure, counted in the
    database: shared by every worker and host, and standing when the cache is down."""

    key: str
    limit: int

    def _live(self):
        cutoff = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
        return SignInFailureCount.objects.filter(key=self.key, window_start__gt=cutoff)

    def add_failure(self) -> None:
        with transaction.atomic():
            if self._live().update(count=F("count") + 1):
                return
            # No open window: start one (a closed one's row is reused).
            try:
                with transaction.atomic():
                    SignInFailureCount.objects.update_or_create(
                        key=self.key, defaults={"window_start": timezone.now(), "count": 1}
                    )
            except IntegrityError:  # another process started it meanwhile
                self._live().update(count=F("count") + 1)

    def retry_after(self) -> int | None:
        window = self._live().values_list("window_start", "count").first()
        if window is None or window[1] < self.limit:
            return None
        ends = window[0] + timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
        return max(1, math.ceil((ends - timezone.now()).total_seconds()))


def _counters(request, username: str, kind: str = "signin") -> list[Counter]:
    """Sign-ins count per account from one address and per address: a stranger's guesses
    never lock an account for the address its owner signs in from. Reset mails count per
    account (whoever asks, they land in one inbox) and per address."""
    address = _address_key(client_address(request)) if request is not None else "-"
    account = _account_key(username)
    if kind == "signin":
        account = f"{account}:addr:{address}"
    counters = [Counter(f"{kind}:acct:{account}", settings.LOGIN_FAILURES_PER_ACCOUNT)]
    if request is not None:
        counters.append(Counter(f"{kind}:addr:{address}", settings.LOGIN_FAILURES_PER_ADDRESS))
    return counters


def signin_retry_after(request, username: str) -> int | None:
    """Seconds until this account may be tried again from this client; None when it may
    be tried now. A refusal is logged (`metrics.permissions`)."""
    waits = [wait for counter in _counters(request, username) if (wait := counter.retry_after())]
    if not waits:
        return None
    permissions.log_denied(
        AnonymousUser(),
        "sign in throttled",
        f"account={username!r} address={client_address(request) if request else '-'} "
        f"retry_after={max(waits)}",
    )
    return max(waits)


def signin_failure_counts_purge() -> int:
    """Deletes the counts whose window has closed; the number deleted."""

    cutoff = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    return SignInFailureCount.objects.filter(window_start__lte=cutoff).delete()[0]


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

        wait = signin_retry_after(request, username) if username is not None else None
        if wait:
            # Stops authenticate() at once (no later backend checks the password).
            raise PermissionDenied(signin_wait_message(wait))
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
