from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from metrics.api.serializers.deck import DeckSerializer
from metrics.api.serializers.output import ErrorSerializer
from metrics.api.views import resources
from metrics.selectors.deck import session_deck


class TuningSessionViewSet(resources.TuningSessionViewSet):
    @extend_schema(
        summary="One session's whole deck",
        description=(
            "Outcomes -> metrics -> segment rows -> Q1..Q4 cells (value, YoY, arrow, state, "
            "footnote markers and the text the dashboard prints), objectives with key results "
            "and drill-downs, footnotes, acronyms, key deliverables: enough to rebuild the "
            "slides. Built by the same selector as the dashboards."
        ),
        filters=False,
        responses={200: DeckSerializer, 404: OpenApiResponse(ErrorSerializer)},
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer], pagination_class=None)
    def deck(self, request, *args, **kwargs):
        session = self.get_object()
        return Response(DeckSerializer(session_deck(session.pk)).data)
