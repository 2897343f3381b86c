"""The provider's endpoints from its discovery document (OpenID Connect Discovery 1.0).

Read once per process and kept for an hour: a sign-in should not cost a round trip more,
and a provider that rotates its endpoints is picked up within the hour (its signing keys are
fetched at each sign-in by the backend, so a key rotation is seen at once).
"""

import threading
import time

import requests
from django.conf import settings

KEEP_FOR = 3600
REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


class ProviderUnavailable(Exception):
    """The provider could not be asked, or answered something unusable."""


_lock = threading.Lock()
_known: dict[str, tuple[float, dict]] = {}


def provider_metadata() -> dict:
    issuer = settings.OIDC_ISSUER.rstrip("/")
    with _lock:
        kept = _known.get(issuer)
    if kept and time.monotonic() - kept[0] < KEEP_FOR:
        return kept[1]
    document = _fetch(issuer)
    with _lock:
        _known[issuer] = (time.monotonic(), document)
    return document


def provider_metadata_forget() -> None:
    with _lock:
        _known.clear()


def _fetch(issuer: str) -> dict:
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT, allow_redirects=False)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"Discovery at {url} failed: {error}") from error
    missing = [key for key in REQUIRED if not document.get(key)]
    if missing:
        raise ProviderUnavailable(f"Discovery at {url} lacks {', '.join(missing)}.")
    # The spec's rule: the document must name exactly the issuer it was fetched for, or a
    # provider could speak for another.
    if document["issuer"].rstrip("/") != issuer:
        raise ProviderUnavailable(
            f"Discovery at {url} names the issuer {document['issuer']!r}, not {issuer!r}."
        )
    return document
