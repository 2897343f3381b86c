"""The session's deck as a PowerPoint file: whoever reads the session's pages may download it."""

from django.http import HttpResponse
from django.views import View

from metrics.pptx_export import PPTX_CONTENT_TYPE, deck_pptx
from metrics.views.dashboards import ReadAccessMixin


class DeckPptxView(ReadAccessMixin, View):
    def get(self, request, session_id: int):
        pptx = deck_pptx(session_id)
        response = HttpResponse(pptx.content, content_type=PPTX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{pptx.filename}"'
        return response
