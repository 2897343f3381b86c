from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer

from metrics.api.serializers.deck import DeckSerializer
from metrics.api.serializers.output import ErrorSerializer
from metrics.api.views import resources
from metrics.selectors.deck import session_deck
from metrics.selectors.page_cache import cached, request_data_version
from metrics.views.conditional import conditional_get


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

        def render():
            # The document rendered once per data version, then served as stored bytes.
            body = cached(
                request_data_version(request),
                ("deck-api", session.pk),
                lambda: JSONRenderer().render(DeckSerializer(session_deck(session.pk)).data),
            )
            return HttpResponse(body, content_type="application/json")

        return conditional_get(request, render)
