"""A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE (a 10 MB paste) is refused by Django before
any view runs; this turns that refusal into a readable 413 (a page, or JSON for API clients)
instead of a bare 400 or, under DEBUG, the debug page. metrics.middleware catches it first;
the 400 handler is the net for a body read some other way."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.views import defaults


def too_big(request):
    limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {"detail": f"The request body is larger than {limit}; nothing was saved."},
            status=413,
        )
    return render(request, "entry/too_big.html", {"limit": limit}, status=413)


def bad_request(request, exception, template_name="400.html"):
    if not isinstance(exception, RequestDataTooBig):
        return defaults.bad_request(request, exception, template_name=template_name)
    return too_big(request)
