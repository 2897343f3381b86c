"""The session's deck as a PowerPoint file: whoever reads the session's pages may download it.

In-process runs build it in the request. With a worker, a large deck is built there
(`services/deck_files.py`): until the file is ready the link answers 202 "being prepared",
a page that reloads itself for a browser, Retry-After for other clients."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views import View

from metrics.caching.store import cached
from metrics.caching.versions import request_data_version, session_content_version
from metrics.pptx_export import PPTX_CONTENT_TYPE, deck_pptx
from metrics.selectors.session_pages import session_header
from metrics.services.deck_files import deck_pptx_in_request, deck_pptx_prepare
from metrics.views.dashboards import ReadAccessMixin

RETRY_AFTER = 5  # seconds


class DeckPptxView(ReadAccessMixin, View):
    def get(self, request, session_id: int):
        if deck_pptx_in_request():
            pptx = deck_pptx(session_id)
        else:
            version = request_data_version(request)
            header = cached(
                version.structure_only, ("header", session_id), lambda: session_header(session_id)
            )
            pptx = deck_pptx_prepare(
                version=session_content_version(version, header), header=header
            )
            if pptx is None:
                return self.preparing(request, header)
        response = HttpResponse(pptx.content, content_type=PPTX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{pptx.filename}"'
        return response

    def preparing(self, request, header):
        if "text/html" in request.headers.get("Accept", ""):
            response = render(
                request,
                "metrics/deck_pptx_preparing.html",
                {"header": header, "retry_after": RETRY_AFTER},
                status=202,
            )
        else:
            response = HttpResponse(
                "The deck is being prepared; ask again shortly.\n",
                content_type="text/plain; charset=utf-8",
                status=202,
            )
        response["Retry-After"] = str(RETRY_AFTER)
        response["Cache-Control"] = "no-store"
        return response
