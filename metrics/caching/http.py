"""ETag and Last-Modified on pages and API reads, from the data versions: a reload after no
write is a 304 with no rendering and no query beyond the versions, the reader's session and
their role.

The ETag names everything a response depends on besides the data: the path and query, the
reader (a page greets them and carries their CSRF token, so their session and CSRF cookie
too; their role and led departments as they are now, `keys.reader_key`) and the release of
the code. Responses stay `private, no-cache`: a browser revalidates
every time, and no shared proxy keeps a copy.

Since the ETag names everything a response depends on, the response itself is stored under
it, compressed once (metrics/compression.py stores it on the way out): the same request again
without If-None-Match (another tab, a client that keeps no copy) is sent the stored bytes,
neither rendered nor compressed again. A view whose page shows something that moves without
a write adds it to the ETag (`etag_parts`); one whose content is keyed by something steadier
than the data version (a held session's pages: its hold) names that instead
(`etag_version`), and adds to `etag_parts` what it shows that still follows the data version."""

import re

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag

from metrics.caching.keys import RELEASE, digest, reader_key
from metrics.caching.store import stored_response_get
from metrics.caching.versions import request_data_version

ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _is_api(request) -> bool:
    # A DRF request (it wraps Django's): JSON and CSV carry no CSRF token, so the reader's
    # CSRF secret is no part of what an API response depends on.
    return hasattr(request, "_request")


def _csrf_secret(request) -> str:
    if _is_api(request):
        return ""
    get_token(request)  # makes the secret on a first visit
    return request.META.get("CSRF_COOKIE", "")


def _storable(request) -> bool:
    """Whether the same request can come again: a page is rendered with the reader's CSRF
    secret, made afresh (a new ETag) for a first visit without the cookie, so only a page for
    a reader who sent it is worth storing."""
    return _is_api(request) or settings.CSRF_COOKIE_NAME in request.COOKIES


def response_encoding(request) -> str:
    """The encoding a stored response is kept in for this request."""
    return "gzip" if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")) else "identity"


def data_etag(request, extra=(), version=None) -> str:
    version = version or request_data_version(request)
    user = request.user
    parts = (
        RELEASE,
        version.key,
        request.get_full_path(),
        getattr(user, "pk", None) or "anonymous",
        reader_key(user),
        getattr(request, "session", None) and request.session.session_key,
        # The CSRF secret the page's token is masked from (made now on a first visit, so the
        # copy rendered then is already the one a reload matches).
        _csrf_secret(request),
        request.headers.get("Accept", ""),
        translation.get_language(),
        *extra,
    )
    return quote_etag(digest(*parts))


def _stored(etag: str, encoding: str) -> HttpResponse | None:
    stored = stored_response_get(etag, encoding)
    if stored is None:
        return None
    body, headers = stored
    response = HttpResponse(body)
    for name, value in headers.items():
        response.headers[name] = value
    return response


def conditional_get(request, render, *, extra=(), version=None):
    """`render()` unless the client holds the current copy (then a 304) or the same response
    is stored (then its stored bytes). `extra`: what the page shows besides the data;
    `version`: what the data is keyed by (None: the data version)."""
    if request.method not in ("GET", "HEAD"):
        return render()
    # A pending message (a save just confirmed) is shown once, by a fresh rendering.
    if len(messages.get_messages(request)):
        return render()
    etag = data_etag(request, extra, version)
    version = request_data_version(request)
    last_modified = int(version.changed_at.timestamp()) if version.changed_at else None
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        encoding = response_encoding(request)
        response = _stored(etag, encoding)
        if response is None:
            response = render()
            if request.method == "GET" and _storable(request):
                # metrics.compression stores it (store.stored_response_set) once rendered and
                # compressed (on Django's request, which a DRF request wraps).
                django_request = getattr(request, "_request", request)
                django_request._okr_store_response = (etag, encoding)
    if response.status_code in (200, 304):
        response.headers.setdefault("ETag", etag)
        if last_modified:
            response.headers.setdefault("Last-Modified", http_date(last_modified))
        patch_cache_control(response, private=True, no_cache=True)
    return response


class ConditionalGetMixin:
    """For class-based views (pages and DRF viewsets): GET answers 304 for the current copy."""

    def etag_parts(self) -> tuple:
        """What the page shows that moves without a write (none by default)."""
        return ()

    def etag_version(self):
        """What the page's data is keyed by (None: the data version)."""
        return None

    def get(self, request, *args, **kwargs):
        parent = super()
        return conditional_get(
            request,
            lambda: parent.get(request, *args, **kwargs),
            extra=self.etag_parts(),
            version=self.etag_version(),
        )
