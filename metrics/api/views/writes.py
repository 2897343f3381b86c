"""Writes, with the forms' rules: leads change their own department's figures and texts,
admins everything, executives and viewers nothing. Every write goes through the write service
the forms use; the API only checks shapes, asks metrics.permissions, and answers."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.response import Response

from metrics import models
from metrics import permissions as rules
from metrics.api.serializers import input as inputs
from metrics.api.serializers import output
from metrics.api.views import resources
from metrics.models import ChangeSource
from metrics.services.key_results import key_result_status_save
from metrics.services.narratives import drilldown_update, objective_update
from metrics.services.observations import observation_save, observations_upsert
from metrics.services.statuses import quarterly_status_save

ERRORS = {
    409: OpenApiResponse(output.ConflictSerializer, description="Stale version: the current row."),
}


def _responses(serializer, *codes):
    return dict.fromkeys(codes, serializer) | ERRORS


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _update(view, input_serializer, output_serializer, save) -> Response:
    """A PATCH of the viewset's row through its service: `save(row, **changes)` gets the
    validated fields and the version the client read (a stale one is a 409)."""
    row = view.get_object()
    data = _validated(input_serializer, view.request)
    version = data.pop("version")
    saved = save(
        row, actor=view.request.user, source=ChangeSource.API, expected_version=version, **data
    )
    return Response(output_serializer(saved).data)


def _saved(serializer_class, row) -> Response:
    """A create-or-update's answer: 201 when the service inserted the row, else 200."""
    return Response(
        serializer_class(row).data,
        status=http.HTTP_201_CREATED if row.created else http.HTTP_200_OK,
    )


# A quarter's cell of a metric or a key result, written through its save service: `create`
# saves by the cell's key (201 when the row is new, 200 when it existed) and `partial_update`
# changes the row read (send the version you read). Each viewset names its service, the key's
# fields and what the permission is checked on. (No docstring: the schema would take it as the
# viewsets' description.)
class _CellWrites:
    create_input: type
    update_input: type
    output_serializer: type
    key_fields: tuple[str, ...]  # the service's keyword arguments that identify the cell
    owner_field: str  # the object whose department decides who may write

    def save(self, **kwargs):
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        data = _validated(self.create_input, request)
        key = {name: data.pop(name, None) for name in self.key_fields}
        version = data.pop("version", None)
        self.check_object_permissions(request, key[self.owner_field])
        saved = self.save(
            **key, actor=request.user, source=ChangeSource.API, expected_version=version, **data
        )
        return _saved(self.output_serializer, saved)

    def partial_update(self, request, *args, **kwargs):
        return _update(
            self,
            self.update_input,
            self.output_serializer,
            lambda row, **changes: self.save(
                **{name: getattr(row, name) for name in self.key_fields}, **changes
            ),
        )


@extend_schema_view(
    create=extend_schema(
        request=inputs.QuarterlyStatusSaveInput,
        responses=_responses(output.QuarterlyStatusSerializer, 200, 201),
        summary="Create or update the status of a metric or segment for a quarter",
    ),
    partial_update=extend_schema(
        request=inputs.QuarterlyStatusUpdateInput,
        responses=_responses(output.QuarterlyStatusSerializer, 200),
        summary="Change a quarterly status (send the version you read)",
    ),
)
class QuarterlyStatusViewSet(_CellWrites, resources.QuarterlyStatusViewSet):
    queryset = models.QuarterlyStatus.objects.select_related("quarter", "metric", "segment")
    create_input = inputs.QuarterlyStatusSaveInput
    update_input = inputs.QuarterlyStatusUpdateInput
    output_serializer = output.QuarterlyStatusSerializer
    key_fields = ("metric", "segment", "quarter")
    owner_field = "metric"

    def save(self, **kwargs):
        return quarterly_status_save(**kwargs)


@extend_schema_view(
    create=extend_schema(
        request=inputs.KeyResultStatusSaveInput,
        responses=_responses(output.KeyResultStatusSerializer, 200, 201),
        summary="Create or update a key result's status for a quarter",
    ),
    partial_update=extend_schema(
        request=inputs.KeyResultStatusUpdateInput,
        responses=_responses(output.KeyResultStatusSerializer, 200),
        summary="Change a key result's status (send the version you read)",
    ),
)
class KeyResultStatusViewSet(_CellWrites, resources.KeyResultStatusViewSet):
    queryset = models.KeyResultStatus.objects.select_related("quarter", "key_result__objective")
    create_input = inputs.KeyResultStatusSaveInput
    update_input = inputs.KeyResultStatusUpdateInput
    output_serializer = output.KeyResultStatusSerializer
    key_fields = ("key_result", "quarter")
    owner_field = "key_result"

    def save(self, **kwargs):
        return key_result_status_save(**kwargs)


class ObservationViewSet(resources.ObservationViewSet):
    queryset = models.Observation.objects.select_related("metric", "segment")

    @extend_schema(
        request=inputs.ObservationSaveInput,
        responses=_responses(output.ObservationSerializer, 200, 201),
        summary="Create or update one observation",
    )
    def create(self, request, *args, **kwargs):
        data = _validated(inputs.ObservationSaveInput, request)
        metric, segment = data["metric"], data.get("segment")
        self.check_object_permissions(request, metric)
        saved = observation_save(
            metric=metric,
            segment=segment,
            period_start=data["period_start"],
            period_end=data.get("period_end"),
            value=data["value"],
            is_derived=data["is_derived"],
            expected_version=data.get("version"),
            actor=request.user,
            source=ChangeSource.API,
        )
        return _saved(output.ObservationSerializer, saved)

    @extend_schema(
        request=inputs.ObservationUpdateInput,
        responses=_responses(output.ObservationSerializer, 200),
        summary="Change an observation's value (send the version you read)",
    )
    def partial_update(self, request, *args, **kwargs):
        current = self.get_object()
        data = _validated(inputs.ObservationUpdateInput, request)
        saved = observation_save(
            metric=current.metric,
            segment=current.segment,
            period_start=current.period_start,
            period_end=current.period_end,
            value=data.get("value", current.value),
            is_derived=data.get("is_derived", current.is_derived),
            expected_version=data["version"],
            actor=request.user,
            source=ChangeSource.API,
        )
        return Response(output.ObservationSerializer(saved).data)

    @extend_schema(
        request=inputs.ObservationUpsertInput,
        responses=_responses(output.UpsertResultSerializer, 200),
        summary="Create or update many observations, keyed by (metric, segment, period)",
        description=(
            "Idempotent: sending the same rows twice changes nothing the second time. Each row "
            "comes back as created, updated, unchanged or rejected (with field errors); valid "
            "rows are written even when others are rejected. The YoY recompute of the touched "
            "metrics is queued once the batch has committed."
        ),
    )
    @action(detail=False, methods=["post"], url_path="upsert")
    def upsert(self, request, *args, **kwargs):
        data = _validated(inputs.ObservationUpsertInput, request)
        rows = [_service_row(row) for row in data["rows"]]
        result = observations_upsert(
            rows=rows,
            actor=request.user,
            source=ChangeSource.API,
            dry_run=data["dry_run"],
            metric_allowed=rules.metric_write_rule(request.user, action="api observations upsert"),
        )
        answers = [_row_answer(row.index, row) for row in result.rows]
        counts = dict.fromkeys(("created", "updated", "unchanged", "rejected"), 0)
        for answer in answers:
            counts[answer["status"]] += 1
        body = {"dry_run": data["dry_run"], "counts": counts, "rows": answers}
        return Response(output.UpsertResultSerializer(body).data)


def _service_row(row: dict) -> dict:
    return {
        "metric": row["metric"],
        "segment": row.get("segment") or None,
        "period_start": row["period_start"],
        "period_end": row.get("period_end") or None,
        "value": row["value"],
        "is_derived": row.get("is_derived", False),
        "expected_version": row.get("version"),
    }


def _row_answer(index: int, row) -> dict:
    observation = row.observation
    return {
        "index": index,
        "status": row.status,
        "errors": {field: list(messages) for field, messages in row.errors.items()},
        "observation": observation.pk if observation is not None else None,
        "metric": row.metric.pk if row.metric is not None else None,
        "segment": row.segment.pk if row.segment is not None else None,
        "period_start": row.period_start,
        "value": None if row.value is None else str(row.value),
        "old_value": None if row.old_value is None else str(row.old_value),
        "version": observation.version if observation is not None else None,
    }


class ObjectiveViewSet(resources.ObjectiveViewSet):
    @extend_schema(
        request=inputs.ObjectiveUpdateInput,
        responses=_responses(output.ObjectiveSerializer, 200),
        summary="Change an objective's statement, narrative or target quarter",
    )
    def partial_update(self, request, *args, **kwargs):
        return _update(
            self,
            inputs.ObjectiveUpdateInput,
            output.ObjectiveSerializer,
            lambda row, **changes: objective_update(objective=row, **changes),
        )


class DrilldownViewSet(resources.DrilldownViewSet):
    queryset = resources.DrilldownViewSet.queryset.select_related("objective", "session__quarter")

    @extend_schema(
        request=inputs.DrilldownUpdateInput,
        responses=_responses(output.DrilldownSerializer, 200),
        summary="Change a drill-down's texts",
    )
    def partial_update(self, request, *args, **kwargs):
        return _update(
            self,
            inputs.DrilldownUpdateInput,
            output.DrilldownSerializer,
            lambda row, **changes: drilldown_update(drilldown=row, **changes),
        )
