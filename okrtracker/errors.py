"""Error answers: JSON for the API (clients parse the body whatever the status), the site's
pages everywhere else. DRF answers most API errors itself; these are the ones Django answers
before or after DRF (an unhandled exception, a malformed request, an unknown URL)."""

import sys

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views import defaults

from metrics.views import entry_errors
from metrics.views.query import BadQuery


def is_api(request) -> bool:
    # /api/token/ is the HTML page where people manage their token, not an API endpoint.
    return request.path.startswith("/api/") and request.path != reverse("api:token")


def bad_request(request, exception, template_name="400.html"):
    if is_api(request) and not isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": "Bad request."}, status=400)
    if isinstance(exception, BadQuery):
        # A page's query parameter it cannot use: say which one and why.
        return render(request, template_name, {"message": exception.message}, status=400)
    return entry_errors.bad_request(request, exception, template_name=template_name)


def permission_denied(request, exception, template_name="403.html"):
    if is_api(request):
        return JsonResponse(
            {"detail": "You do not have permission to perform this action."}, status=403
        )
    return defaults.permission_denied(request, exception, template_name=template_name)


def page_not_found(request, exception, template_name="404.html"):
    if is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception, template_name=template_name)


# Seconds a client is asked to wait when the database is unreachable: a restart or failover
# usually takes a few; CONN_HEALTH_CHECKS reconnects on the first request after it.
RETRY_AFTER = 5
OUTAGE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Back in a moment · okrtracker</title></head>
<body><main><h1>Back in a moment</h1>
<p>okrtracker cannot reach its database just now. Nothing you saved before this is lost;
if you were saving, check the page again in a few seconds and save once more if needed.</p>
</main></body></html>"""


def database_unavailable(request):
    if is_api(request):
        response = JsonResponse(
            {"detail": "The database is unavailable; retry in a few seconds."}, status=503
        )
    else:
        response = HttpResponse(OUTAGE_PAGE, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, template_name="500.html"):
    # Called inside Django's exception handling: a lost database connection (a restart, a
    # failover) is a temporary 503 with Retry-After, not a server error.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    if is_api(request):
        return JsonResponse(
            {"detail": "Server error: the request could not be completed; it has been logged."},
            status=500,
        )
    return defaults.server_error(request, template_name=template_name)
