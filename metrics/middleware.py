"""Request-level guards that must answer before any view (or Django's debug page) sees the
request."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, QueryDict
from django.urls import Resolver404, get_resolver, resolve

from metrics.selectors.errors import NotFoundError
from metrics.views.entry_errors import too_big

FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
BODILESS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# The versioned API reads its bodies inside DRF, whose exception handler answers 413 as JSON
# in every mode (metrics/api/exceptions.py).
API_PREFIX = "/api/v"


class RequestTooBigMiddleware:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (a 10 MB paste) gets the styled 413 page (or
    JSON under /api/) in DEBUG and production alike; a query string or form over
    DATA_UPLOAD_MAX_NUMBER_FIELDS the 400 page.

    Django raises RequestDataTooBig lazily, wherever the body is first read (the CSRF check,
    a form, a parser); under DEBUG that becomes the yellow debug page with the environment.
    Reading it here first, with Django's own limits, turns it into a 413 before any of that.
    File parts of a multipart upload are streamed to disk by Django and do not count."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.GET  # noqa: B018
        except TooManyFieldsSent as error:
            # Every page reads the query (the header's search box): the 400 page would raise
            # again and the server answer a bare 500. It is rendered without the query.
            request.GET = QueryDict()
            return _bad_request(request, error)
        if request.method not in BODILESS and not request.path_info.startswith(API_PREFIX):
            try:
                if request.content_type in FORM_TYPES:
                    if request.method == "POST":
                        request.POST  # noqa: B018 (parsed once and cached on the request)
                else:
                    request.body  # noqa: B018
            except RequestDataTooBig:
                return too_big(request)
            except TooManyFieldsSent as error:
                return _bad_request(request, error)
        return self.get_response(request)


def _bad_request(request, error):
    """The site's 400 answer (a page, or JSON under /api/), also under DEBUG, whose debug
    page would show the environment."""
    return get_resolver().resolve_error_handler(400)(request, exception=error)


class NotFoundMiddleware:
    """A selector's NotFoundError (an unknown session, a metric the session does not show)
    is the page's 404, whether the view asked or a lazy part of the page did while its
    template rendered (Django hands both to process_exception).

    Under DEBUG (`make run`), Django would answer every 404 with its debug page (the URL
    patterns, the settings' hint): there too the reader gets the app's 404 page, for an unknown
    URL (resolved here first) and for a view's Http404. CommonMiddleware, outside this one,
    still redirects a path missing its slash."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG:
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as missing:
                return _not_found(request, missing)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFoundError):
            if settings.DEBUG:
                return _not_found(request, Http404(str(exception)))
            raise Http404(str(exception)) from exception
        if isinstance(exception, Http404) and settings.DEBUG:
            return _not_found(request, exception)
        return None


def _not_found(request, exception):
    return get_resolver().resolve_error_handler(404)(request, exception=exception)
