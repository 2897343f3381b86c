from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
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
from metrics.caching.decks import deck_for
from metrics.caching.http import conditional_get
from metrics.caching.store import cached
from metrics.caching.versions import (
    request_data_version,
    session_content_version,
    session_structure_version,
)
from metrics.models import ChangeSource
from metrics.pptx_export import PPTX_CONTENT_TYPE, deck_pptx
from metrics.selectors import deck as deck_selectors
from metrics.selectors.deck import session_deck
from metrics.selectors.deck_departments import deck_part_by_departments
from metrics.selectors.deck_layout import deck_layout
from metrics.selectors.session_pages import session_header
from metrics.selectors.snapshots import held_deck
from metrics.selectors.threads import deck_with_threads
from metrics.services.sessions import (
    SessionAlreadyOpenError,
    session_delete,
    session_hold,
    session_open_next,
    session_open_next_validate,
    session_reopen,
)
from metrics.services.validation import ascii_int

PART = "part"


def _requested_part(request) -> int:
    """`?part=` as a whole number from 1 (1 when left out); a 400 naming it else."""
    values = request.query_params.getlist(PART)
    if len(values) > 1:
        raise ValidationError({PART: ["Give this parameter once."]})
    raw = values[0] if values else ""
    if raw == "":
        return 1
    number = ascii_int(raw)
    if number is None or number < 1:
        raise ValidationError({PART: ["Enter a whole number from 1."]})
    return number


def _part_links(request, number: int, count: int) -> str:
    """The RFC 8288 Link header to the other parts, absolute, keeping the rest of the query."""

    def url(part: int) -> str:
        query = request.query_params.copy()
        query[PART] = str(part)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    links = [(1, "first")]
    if number > 1:
        links.append((number - 1, "prev"))
    if number < count:
        links.append((number + 1, "next"))
    links.append((count, "last"))
    return ", ".join(f'<{url(part)}>; rel="{rel}"' for part, rel in links)


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
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Refused, with the reason: field errors (`{field: [message]}`) or `detail`.",
    ),
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
        # model instances at 100x, most of a cached deck read's time), nor its quarter (the
        # join's compilation was half of a cached part's time).
        if self.action == "deck":
            return queryset.select_related(None).prefetch_related(None).only("id")
        return queryset

    def filter_queryset(self, queryset):
        # The list's filters mean nothing to one session's deck (building their form was a
        # third of a stored part's time).
        return queryset if self.action == "deck" else super().filter_queryset(queryset)

    @extend_schema(
        summary="One session's deck, whole or in parts",
        description=(
            "Outcomes -> metrics -> segment rows -> Q1..Q4 cells (value, YoY, arrow, state, "
            "footnote markers and the text the dashboard prints), objectives with key results "
            "and drill-downs, footnotes, acronyms, key deliverables: enough to rebuild the "
            "slides. Built by the same selector as the dashboards; for a held session, the "
            "deck as it was presented.\n\n"
            "A large deck comes in parts of a bounded size (`?part=N`, 1 when left out): the "
            "same document with the part's outcomes (whole outcomes of up to 25 metric rows, "
            "one longer cut across parts, each part holding its rows) and objectives (up to "
            "25 key results); footnotes are those the part uses; the rest (texts, acronyms, "
            "key deliverables) comes with every part. A deck of up to 25 metrics and 25 key "
            "results is one part: the whole deck. Follow the `Link` header (RFC 8288: "
            "`first`, `prev`, `next`, `last`); `X-Part` and `X-Total-Parts` say where you are. "
            "A part out of range is a 400 naming `part`.\n\n"
            "As a PowerPoint file with `?format=pptx`, `/deck.pptx` or an `Accept` of "
            f"`{PPTX_CONTENT_TYPE}`: the same deck as the session's download button (native, "
            "editable tables and charts), always whole."
        ),
        filters=False,
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "pptx"],
                description="`pptx` for the deck as a PowerPoint file.",
            ),
            OpenApiParameter(
                PART,
                OpenApiTypes.INT,
                description="Which part of the deck (from 1 to `X-Total-Parts`; default 1).",
            ),
            *(
                OpenApiParameter(
                    name,
                    kind,
                    location=OpenApiParameter.HEADER,
                    response=[200],
                    description=description,
                )
                for name, kind, description in (
                    (
                        "Link",
                        OpenApiTypes.STR,
                        'The other parts (RFC 8288): rel="first", "prev", "next", "last".',
                    ),
                    ("X-Part", OpenApiTypes.INT, "This part's number."),
                    ("X-Total-Parts", OpenApiTypes.INT, "How many parts the deck has."),
                )
            ),
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
        number = _requested_part(request)
        if request.accepted_renderer.format == PptxRenderer.format:  # always the whole deck
            pptx = deck_pptx(session.pk)
            return Response(
                pptx.content,
                headers={"Content-Disposition": f'attachment; filename="{pptx.filename}"'},
            )

        data_version = request_data_version(request)
        header = cached(
            data_version.structure_only,
            ("header", session.pk),
            lambda: session_header(session.pk),
        )
        version = session_content_version(data_version, header)
        structure = session_structure_version(data_version, header)

        def whole():
            return deck_for(version, session.pk, deck_selectors.session_deck)

        # How the deck is cut in parts: the layout the dashboards' pages share, read only to
        # build a part (a stored part needs the count alone).
        def layout():
            return cached(structure, ("layout", session.pk, ""), lambda: deck_layout(header))

        count = cached(structure, ("deck-part-count", session.pk), lambda: layout().page_count)
        if number > count:
            raise ValidationError(
                {PART: [f"Enter a whole number from 1 to {count}: the deck has {count} parts."]}
            )

        def part():
            if count == 1:  # the whole deck, as it always was
                return whole()
            window = layout().window(number)
            if not header.is_held:
                # Its rows from parts cached per department: a save rebuilds its department's.
                return deck_part_by_departments(header, window, version=data_version)
            if header.frozen:
                return held_deck(session.pk, window, frozen=header.frozen)
            return session_deck(session.pk, window)

        # The document rendered once per data version (a held session's: once per hold, which
        # no write elsewhere changes), then served as stored bytes.
        def render():
            body = cached(
                version,
                ("deck-api", session.pk) if count == 1 else ("deck-api", session.pk, number),
                lambda: JSONRenderer().render(DeckSerializer(deck_with_threads(part())).data),
            )
            return HttpResponse(body, content_type="application/json")

        response = conditional_get(request, render, version=version)
        # Set on every answer (a stored response keeps only what describes its body): the
        # links name this request's host.
        response.headers["Link"] = _part_links(request, number, count)
        response.headers["X-Part"] = str(number)
        response.headers["X-Total-Parts"] = str(count)
        return response

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
        request=None,
        responses={
            204: None,
            409: OpenApiResponse(ErrorSerializer, description="In use: statuses entered."),
        }
        | CYCLE_ERRORS,
    )
    @_cycle_action(url_path="delete", url_name="delete")
    def remove(self, request, *args, **kwargs):
        try:
            session_delete(actor=request.user, session=self.get_object(), source="api")
        except DjangoValidationError as in_use:
            # The session's state forbids it, not the request: a conflict, as a session
            # already open is for open-next.
            return Response({"detail": " ".join(in_use.messages)}, status=http.HTTP_409_CONFLICT)
        return Response(status=http.HTTP_204_NO_CONTENT)
