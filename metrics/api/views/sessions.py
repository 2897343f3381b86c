from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from metrics import permissions as rules
from metrics.api.renderers import PptxRenderer
from metrics.api.serializers.deck import DeckSerializer
from metrics.api.serializers.output import ErrorSerializer
from metrics.api.serializers.sessions import (
    OpenNextInputSerializer,
    OpenNextResultSerializer,
    SessionStateSerializer,
)
from metrics.api.views import resources
from metrics.models import ChangeSource
from metrics.pptx_export import PPTX_CONTENT_TYPE, deck_pptx
from metrics.selectors.page_cache import (
    cached,
    deck_for,
    request_data_version,
    session_content_version,
)
from metrics.selectors.session_pages import session_header
from metrics.services.sessions import (
    SessionAlreadyOpenError,
    session_delete,
    session_hold,
    session_open_next,
    session_open_next_validate,
    session_reopen,
)
from metrics.views.conditional import conditional_get


class CanFacilitate(drf_permissions.BasePermission):
    """The quarterly cycle's actions: admins and facilitators (reopen: admins only)."""

    message = "Only facilitators and admins run the quarterly cycle of sessions."

    def has_permission(self, request, view) -> bool:
        allowed = (
            rules.can_reopen_session(request.user)
            if view.action == "reopen"
            else rules.can_facilitate(request.user)
        )
        if not allowed:
            if view.action == "reopen":
                self.message = "Only admins reopen a held session."
            rules.log_denied(request.user, f"api {view.action}", view.kwargs.get("pk"))
        return allowed


CYCLE_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Refused, with the reason."),
    403: OpenApiResponse(ErrorSerializer),
    404: OpenApiResponse(ErrorSerializer),
}


def _cycle_action(**kwargs):
    """A quarterly-cycle action: a POST on one session, for facilitators, answered as JSON."""
    return action(
        detail=True,
        methods=["post"],
        permission_classes=[CanFacilitate],
        renderer_classes=[JSONRenderer],
        pagination_class=None,
        **kwargs,
    )


def _state_change_schema(summary: str):
    return extend_schema(
        summary=summary,
        filters=False,
        request=None,
        responses={200: SessionStateSerializer} | CYCLE_ERRORS,
    )


class TuningSessionViewSet(resources.TuningSessionViewSet):
    def get_queryset(self):
        queryset = super().get_queryset()
        # The deck reads the session's id only: not the definitions the list prints (1,300
        # model instances at 100x, most of a cached deck read's time).
        return queryset.prefetch_related(None) if self.action == "deck" else queryset

    @extend_schema(
        summary="One session's whole deck",
        description=(
            "Outcomes -> metrics -> segment rows -> Q1..Q4 cells (value, YoY, arrow, state, "
            "footnote markers and the text the dashboard prints), objectives with key results "
            "and drill-downs, footnotes, acronyms, key deliverables: enough to rebuild the "
            "slides. Built by the same selector as the dashboards; for a held session, the "
            "deck as it was presented.\n\n"
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

        # The document rendered once per data version (a held session's: once per hold, which
        # no write elsewhere changes), then served as stored bytes.
        data_version = request_data_version(request)
        header = cached(data_version, ("header", session.pk), lambda: session_header(session.pk))
        version = session_content_version(data_version, header)

        def render():
            body = cached(
                version,
                ("deck-api", session.pk),
                lambda: JSONRenderer().render(DeckSerializer(deck_for(version, session.pk)).data),
            )
            return HttpResponse(body, content_type="application/json")

        return conditional_get(request, render, version=version)

    @extend_schema(
        summary="Open the next session from this one (the latest)",
        description=(
            "Copies the metric rows, the objectives and key results still active, key "
            "deliverables, footnotes and acronyms (no statuses), sets the quarter's status "
            "deadline and emails the department leads. 409 when the next quarter's session is "
            "open already (nothing is created); 400 when this is not the latest session or the "
            "quarter asked for is not the next one."
        ),
        filters=False,
        request=OpenNextInputSerializer,
        responses={
            201: OpenNextResultSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Already open."),
        }
        | CYCLE_ERRORS,
    )
    @_cycle_action(url_path="open-next", url_name="open_next")
    def open_next(self, request, *args, **kwargs):
        source = self.get_object()
        serializer = OpenNextInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            session_open_next_validate(
                source=source,
                fiscal_year=data.get("fiscal_year"),
                number=data.get("quarter_number"),
            )
        except SessionAlreadyOpenError as already:
            return Response(
                {
                    "detail": already.message_dict["source"][0],
                    "session": SessionStateSerializer(already.session).data,
                },
                status=http.HTTP_409_CONFLICT,
            )
        result = session_open_next(
            actor=request.user,
            source=source,
            source_of_change=ChangeSource.API,
            fiscal_year=data.get("fiscal_year"),
            number=data.get("quarter_number"),
            status_deadline=data.get("status_deadline"),
            notify=data.get("notify", True),
        )
        return Response(
            OpenNextResultSerializer(result).data,
            status=http.HTTP_201_CREATED if result.created else http.HTTP_409_CONFLICT,
        )

    @_state_change_schema("Mark the session held: freeze its deck as presented, lock its quarter")
    @_cycle_action()
    def hold(self, request, *args, **kwargs):
        return self._state_change(session_hold)

    @_state_change_schema(
        "Reopen a held session (admins): its pages show the current figures again"
    )
    @_cycle_action()
    def reopen(self, request, *args, **kwargs):
        return self._state_change(session_reopen)

    def _state_change(self, service):
        session = service(actor=self.request.user, session=self.get_object(), source="api")
        return Response(SessionStateSerializer(session).data)

    @extend_schema(
        summary="Delete a session opened by mistake (none of its quarter's statuses entered)",
        filters=False,
        responses={204: None} | CYCLE_ERRORS,
    )
    @_cycle_action(url_path="delete", url_name="delete")
    def remove(self, request, *args, **kwargs):
        session_delete(actor=request.user, session=self.get_object(), source="api")
        return Response(status=http.HTTP_204_NO_CONTENT)
