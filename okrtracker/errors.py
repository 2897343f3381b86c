"""Error answers: JSON for the API (clients parse the body whatever the status), the site's
pages everywhere else. DRF answers most API errors itself; these are the ones Django answers
before or after DRF (an unhandled exception, a malformed request, an unknown URL)."""

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.urls import reverse
from django.views import defaults

from metrics.views import entry_errors


def is_api(request) -> bool:
    # /api/token/ is the HTML page where people manage their token, not an API endpoint.
    return request.path.startswith("/api/") and request.path != reverse("api:token")


def bad_request(request, exception, template_name="400.html"):
    if is_api(request) and not isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": "Bad request."}, status=400)
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


def server_error(request, template_name="500.html"):
    if is_api(request):
        return JsonResponse(
            {"detail": "Server error: the request could not be completed; it has been logged."},
            status=500,
        )
    return defaults.server_error(request, template_name=template_name)
