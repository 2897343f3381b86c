"""Every key the cache uses, built here and nowhere else: one key names a stored fragment, a
stored response and its ETag alike. A key names the release of the code, what the content is
keyed by (metrics.caching.versions) and what the view says it reads (a session part, a held
session, the reader, the path)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.utils import translation

from metrics import permissions


def _code_release() -> str:
    """A digest of the code and templates that render pages, so that a deploy never serves
    renderings of the previous release (the data versions alone would not change)."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha1(usedforsecurity=False)
    for folder, pattern in (("metrics", "*.py"), ("templates", "*.html"), ("metrics", "*.html")):
        for path in sorted((base / folder).rglob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


RELEASE = _code_release()


def reader_key(user) -> str:
    """What a page may show differently per reader: their role, whether they may open the
    admin (`is_staff`: the header's Admin link, which no role decides) and, for a lead, the
    led departments (edit links), as they are now. Part of every key of a rendered page and
    of every ETag, so that a change of groups, staff flag or leads is a new key: a viewer
    made superuser never gets the viewer's stored page or a 304 for it."""
    role = permissions.role_of(user)
    led = sorted(permissions.led_department_ids(user)) if role == permissions.Role.LEAD else []
    staff = "staff" if getattr(user, "is_staff", False) else ""
    # The interface's language too: a page stored in English is never served in Spanish.
    return f"{role.value or 'none'}:{staff}:{','.join(map(str, led))}:{translation.get_language()}"


def digest(*parts) -> str:
    raw = "|".join(str(part) for part in parts)
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def cache_key(version, *parts) -> str:
    """The key of a value stored under `version` (anything with a `.key`) and `parts`."""
    return "okr:" + digest(RELEASE, version.key, *parts)


def response_key(etag: str, encoding: str) -> str:
    return "okr:response:" + digest(etag, encoding)
