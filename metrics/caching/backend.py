"""The cache is an accelerator, never a dependency: Django's Redis cache, with short timeouts,
that falls through to a store in this process's memory while Redis is down or hung.

- Every call to Redis waits at most CACHE_TIMEOUT_MS (connect and each socket read), with no
  retry: a hung Redis costs a request one timeout, not five seconds.
- The first failure opens the breaker: for CACHE_RETRY_SECONDS every call goes to the local
  store at once (pages are built from the database and kept there, keyed like the shared
  ones, so never stale), then one call tries Redis again. One warning when an outage starts
  and one line when Redis answers again, not one per request.
- What counts in the cache counts per process during an outage: API throttles still hold,
  per web process (docs/reliability.md), and nobody is locked out by the outage itself (the
  sign-in limits are counted in the database).
- The readiness probe's cache check goes through here too, so it passes during an outage
  (docs/operations.md).
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger("metrics.caching")

FAILURES = (RedisError, OSError)
# How many entries the local store keeps during an outage (per process).
LOCAL_MAX_ENTRIES = 2000


class Breaker:
    """Whether to skip Redis now: shared by every thread of the process (Django makes a
    cache object per thread)."""

    def __init__(self, retry_seconds: float):
        self.retry_seconds = retry_seconds
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0

    def skips(self) -> bool:
        return self.down_since is not None and time.monotonic() < self.retry_at

    def failed(self, error: Exception, location: str) -> None:
        with self.lock:
            now = time.monotonic()
            self.retry_at = now + self.retry_seconds
            if self.down_since is None:
                self.down_since = now
                logger.warning(
                    "Cache %s unreachable (%s): reads are built from the database and kept "
                    "in each process until it answers; trying again every %s s.",
                    location,
                    error.__class__.__name__,
                    self.retry_seconds,
                )

    def answered(self, location: str) -> None:
        if self.down_since is None:
            return
        with self.lock:
            if self.down_since is not None:
                logger.warning(
                    "Cache %s answers again after %.1f s.",
                    location,
                    time.monotonic() - self.down_since,
                )
                self.down_since = None


_BREAKERS: dict[str, Breaker] = {}
_BREAKERS_LOCK = threading.Lock()


def _breaker_for(location: str, retry_seconds: float) -> Breaker:
    with _BREAKERS_LOCK:
        return _BREAKERS.setdefault(location, Breaker(retry_seconds))


class FallbackRedisCache(RedisCache):
    """RedisCache whose every operation falls through to a local store when Redis fails.
    OPTIONS: TIMEOUT_MS (default 100), RETRY_SECONDS (default 5); the rest go to redis-py."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        timeout = float(options.pop("TIMEOUT_MS", 100)) / 1000
        retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        options.setdefault("socket_connect_timeout", timeout)
        options.setdefault("socket_timeout", timeout)
        options.setdefault("retry", Retry(NoBackoff(), 0))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)
        self._breaker = _breaker_for(self._location, retry_seconds)
        local = {key: value for key, value in params.items() if key != "OPTIONS"}
        local["OPTIONS"] = {"MAX_ENTRIES": LOCAL_MAX_ENTRIES}
        self._local = LocMemCache(f"okr-fallback-{self._location}", local)

    def _either(self, name: str, *args, **kwargs):
        if self._breaker.skips():
            return getattr(self._local, name)(*args, **kwargs)
        try:
            result = getattr(RedisCache, name)(self, *args, **kwargs)
        except FAILURES as error:
            self._breaker.failed(error, self._location)
            return getattr(self._local, name)(*args, **kwargs)
        self._breaker.answered(self._location)
        return result

    def add(self, *args, **kwargs):
        return self._either("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._either("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._either("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._either("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._either("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._either("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._either("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._either("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._either("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._either("delete_many", *args, **kwargs)

    def clear(self):
        self._local.clear()
        return self._either("clear")

    def round_trip(self, key: str) -> object:
        """Set, read back and delete `key` in Redis itself, past the breaker and the local
        store: the readiness probe asks whether Redis answers, not whether pages do."""
        RedisCache.set(self, key, "1", 10)
        try:
            return RedisCache.get(self, key)
        finally:
            RedisCache.delete(self, key)
