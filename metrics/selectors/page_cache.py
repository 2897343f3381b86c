"""What the pages and the API cache, and under which key: everything is keyed by the data
version (metrics/services/data_version.py), read once per request before any data, so a
cached copy is never served after a write. Old versions are never read again and simply
expire (or are culled by the local-memory cache).

One exception: what a held session's pages show of its stored deck, which no write can
change, is keyed by the hold (`HoldToken`) instead, so a check-in saved elsewhere leaves it
cached; what those pages show besides the deck (the session switcher, the reader's links)
still follows the data version."""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from metrics import permissions
from metrics.models import DataVersion
from metrics.selectors.compiled import compiled_first_row

T = TypeVar("T")
# A page's rendering is only worth keeping while its version is current: a day at most.
TIMEOUT = 24 * 3600


def _code_release() -> str:
    """A digest of the code and templates that render pages, so that a deploy never serves
    renderings of the previous release (the data version alone would not change)."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha1(usedforsecurity=False)
    for folder, pattern in (("metrics", "*.py"), ("templates", "*.html"), ("metrics", "*.html")):
        for path in sorted((base / folder).rglob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


RELEASE = _code_release()


@dataclass(frozen=True)
class DataVersionToken:
    version: int
    changed_at: datetime | None

    @property
    def key(self) -> str:
        # The time as well as the counter: a database restored from a backup (or a test
        # rolled back) counts the same numbers again, never at the same instants.
        stamp = self.changed_at.timestamp() if self.changed_at else 0
        return f"{self.version}.{stamp:.6f}"


@dataclass(frozen=True)
class HoldToken:
    """What a held session's stored deck depends on: which session, and which snapshot
    (`SessionHeader.frozen`: when it was held and the token the snapshot was stored with).
    Reopening drops the snapshot and holding again stores a new one, so either changes it.
    Used wherever a DataVersionToken is (`cached`, `deck_for`, the ETag)."""

    session_id: int
    stamp: str

    @property
    def key(self) -> str:
        return f"held.{self.session_id}.{self.stamp}"


ContentVersion = DataVersionToken | HoldToken


def session_content_version(version: DataVersionToken, header) -> ContentVersion:
    """What a session page's own content is cached under: the hold for a held session whose
    pages read only its stored deck (`SessionHeader.frozen`), else the data version."""
    if header.frozen:
        return HoldToken(header.session_id, header.frozen)
    return version


def data_version_current() -> DataVersionToken:
    """The current version: one query by primary key, compiled once per process (every
    request reads it, and compiling it cost more than running it)."""
    row = compiled_first_row(_data_version_query, datetime_columns=(1,))
    return DataVersionToken(*row) if row else DataVersionToken(0, None)


def _data_version_query():
    return DataVersion.objects.filter(pk=1).order_by().values_list("version", "changed_at")


def request_data_version(request) -> DataVersionToken:
    """The version a request reads under, read once per request, before any data."""
    token = getattr(request, "_okr_data_version", None)
    if token is None:
        token = request._okr_data_version = data_version_current()
    return token


def viewer_variant(user) -> str:
    """What a page may show differently per reader: the role and, for a lead, the led
    departments (edit links). Part of every cache key of a rendered page."""
    role = permissions.role_of(user)
    led = sorted(permissions.led_department_ids(user)) if role == permissions.Role.LEAD else []
    return f"{role.value or 'none'}:{','.join(map(str, led))}"


def cache_key(version: ContentVersion, *parts) -> str:
    raw = ":".join(str(part) for part in (RELEASE, version.key, *parts))
    return "okr:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def cached(version: ContentVersion, parts: tuple, build: Callable[[], T]) -> T:
    """The value stored under (version, *parts), built and stored on a miss."""
    key = cache_key(version, *parts)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value


# Whole responses, stored once compressed, under their ETag (which names the data version,
# the path and query, the reader, their session and CSRF secret, the Accept header and the
# release): a request with the same ETag would render the same bytes, so it is sent the
# stored ones without rendering or compressing again. Headers kept: what describes the body.
STORED_HEADERS = ("Content-Type", "Content-Encoding", "Content-Disposition", "Vary", "ETag")
# Compressed bodies above this are not stored (a runaway page must not fill the cache).
STORED_MAX_BYTES = 32 * 1024 * 1024


def response_key(etag: str, encoding: str) -> str:
    return "okr:response:" + hashlib.sha1(f"{etag}|{encoding}".encode()).hexdigest()


def stored_response_get(etag: str, encoding: str) -> tuple[bytes, dict] | None:
    return cache.get(response_key(etag, encoding))


def stored_response_set(etag: str, encoding: str, body: bytes, headers: dict) -> None:
    if len(body) <= STORED_MAX_BYTES:
        cache.set(response_key(etag, encoding), (body, headers), TIMEOUT)


# The decks built in this process, by (version, session): every page of a session reads the
# same deck, so after a write the first cold page builds it and the others reuse it (a held
# session's, keyed by its hold, is not built again after a write at all). Kept in
# process, not in the shared cache: unpickling 36k dataclasses at 100x costs a third of
# building them. A deck is immutable (frozen dataclasses of tuples) so sharing it is safe.
_DECKS: OrderedDict = OrderedDict()
_DECKS_KEPT = 4
_DECKS_LOCK = threading.Lock()


def deck_for(version: ContentVersion, session_id: int):
    """session_deck(session_id) as of `version` (a held session's: its hold), built once per
    process and version."""
    from metrics.prometheus import deck_build_timed
    from metrics.selectors.deck import session_deck

    # The cache's epoch too: emptying the cache (a deploy's flush, a test) drops these decks.
    epoch = cache.get_or_set("okr:deck-epoch", lambda: secrets.token_hex(8), None)
    key = (RELEASE, version.key, epoch, session_id)
    with _DECKS_LOCK:
        deck = _DECKS.get(key)
        if deck is not None:
            _DECKS.move_to_end(key)
            return deck
    with deck_build_timed("deck"):
        deck = session_deck(session_id)
    with _DECKS_LOCK:
        _DECKS[key] = deck
        while len(_DECKS) > _DECKS_KEPT:
            _DECKS.popitem(last=False)
    return deck
