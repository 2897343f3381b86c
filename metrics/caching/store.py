"""The shared store (Django's cache: Redis in production, see metrics/caching/backend.py):
values under their key, whole responses under their ETag, list counts, and short-lived
claims. Every access goes through here; a cache that fails is a miss (the backend falls
through to a local store), never an error."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache, caches
from django.core.exceptions import EmptyResultSet

from metrics.caching.keys import cache_key, response_key

T = TypeVar("T")
# A value is only worth keeping while its version is current: a day at most.
TIMEOUT = 24 * 3600

# Headers a stored response keeps: what describes the body.
STORED_HEADERS = ("Content-Type", "Content-Encoding", "Content-Disposition", "Vary", "ETag")
# Compressed bodies above this are not stored (a runaway page must not fill the cache).
STORED_MAX_BYTES = 32 * 1024 * 1024


def cached(version, parts: tuple, build: Callable[[], T]) -> T:
    """The value stored under (version, *parts), built and stored on a miss."""
    key = cache_key(version, *parts)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value


def cached_many(items: dict, build: Callable[[list], dict]) -> dict:
    """{name: the value stored under its (version, parts)} for `items` ({name: (version,
    parts)}), read in one round trip; the missing ones built together by `build(names)`
    ({name: value}) and stored in one more. A page made of parts that go stale apart (one
    per department's figures) rebuilds only the parts a write touched."""
    keys = {name: cache_key(version, *parts) for name, (version, parts) in items.items()}
    found = cache.get_many(list(keys.values())) if keys else {}
    values = {name: found[key] for name, key in keys.items() if key in found}
    missing = [name for name in keys if name not in values]
    if missing:
        built = build(missing)
        cache.set_many({keys[name]: built[name] for name in missing}, TIMEOUT)
        values.update(built)
    return values


def stored_response_get(etag: str, encoding: str) -> tuple[bytes, dict] | None:
    return cache.get(response_key(etag, encoding))


def stored_response_set(etag: str, encoding: str, body: bytes, headers: dict) -> None:
    if len(body) <= STORED_MAX_BYTES:
        cache.set(response_key(etag, encoding), (body, headers), TIMEOUT)


def list_count(version, queryset) -> int | None:
    """An API list's COUNT(*), once per version and query (keyed by the SQL itself, so two
    lists share a count only when they count the same rows); None for what has no SQL."""
    try:
        sql, params = queryset.query.sql_with_params()
    except (AttributeError, EmptyResultSet):  # a list, or a filter that matches nothing
        return None
    return cached(version, ("count", sql, repr(params)), queryset.count)


def claim(version, parts: tuple, seconds: int) -> bool:
    """Whether this caller is the first to claim (version, *parts) in `seconds`."""
    return cache.add(cache_key(version, *parts), 1, seconds)


def claim_release(version, parts: tuple) -> None:
    cache.delete(cache_key(version, *parts))


def daily_claim(name: str, day) -> bool:
    """Whether this caller is the first to claim `name` for `day` (a date) in the shared
    cache: something that runs at most once a day per cache, like the check-in reminders
    a sign-in starts."""
    return cache.add(f"okr:{name}:{day:%Y-%m-%d}", 1, 26 * 3600)


def round_trip() -> None:
    """Raises unless the shared cache itself keeps a value (the readiness probe). With the
    falling-through Redis cache this asks Redis, not the local store that stands in for it
    during an outage: pages still answer then, but the probe says the cache is down."""
    key = f"okr:readyz:{uuid.uuid4().hex}"
    backend = caches["default"]
    if hasattr(backend, "round_trip"):
        value = backend.round_trip(key)
    else:
        backend.set(key, "1", 10)
        value = backend.get(key)
        backend.delete(key)
    if value != "1":
        raise LookupError("the cache did not keep a value")


def cache_epoch() -> str:
    """Changes when the shared cache is emptied (a deploy's flush, a test): the per-process
    stores key by it too, so that emptying the cache empties them."""
    return cache.get_or_set("okr:deck-epoch", lambda: secrets.token_hex(8), None) or "none"
