from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from metrics.api.renderers import PptxRenderer
from metrics.api.serializers.deck import DeckSerializer
from metrics.api.serializers.output import ErrorSerializer
from metrics.api.views import resources
from metrics.pptx_export import PPTX_CONTENT_TYPE, deck_pptx
from metrics.selectors.deck import session_deck


class TuningSessionViewSet(resources.TuningSessionViewSet):
    @extend_schema(
        summary="One session's whole deck",
        description=(
            "Outcomes -> metrics -> segment rows -> Q1..Q4 cells (value, YoY, arrow, state, "
            "footnote markers and the text the dashboard prints), objectives with key results "
            "and drill-downs, footnotes, acronyms, key deliverables: enough to rebuild the "
            "slides. Built by the same selector as the dashboards.\n\n"
            "As a PowerPoint file with `?format=pptx`, `/deck.pptx` or an `Accept` of "
            f"`{PPTX_CONTENT_TYPE}`: the same deck as the session's download button (native, "
            "editable tables and charts)."
        ),
        filters=False,
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "pptx"],
                description="`pptx` for the deck as a PowerPoint file.",
            )
        ],
        responses={
            (200, "application/json"): DeckSerializer,
            (200, PPTX_CONTENT_TYPE): OpenApiTypes.BINARY,
            404: OpenApiResponse(ErrorSerializer),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONRenderer, PptxRenderer],
        pagination_class=None,
    )
    def deck(self, request, *args, **kwargs):
        session = self.get_object()
        if request.accepted_renderer.format == PptxRenderer.format:
            pptx = deck_pptx(session.pk)
            return Response(
                pptx.content,
                headers={"Content-Disposition": f'attachment; filename="{pptx.filename}"'},
            )
        return Response(DeckSerializer(session_deck(session.pk)).data)
