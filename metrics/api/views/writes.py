"""Writes, with the forms' rules: leads change their own department's figures and texts,
admins everything, executives and viewers nothing. Every write goes through the write service
the forms use; the API only checks shapes, asks metrics.permissions, and answers."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
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


def _saved(serializer_class, row) -> Response:
    """A create-or-update's answer: 201 when the service inserted the row, else 200."""
    return Response(
        serializer_class(row).data,
        status=http.HTTP_201_CREATED if row.created else http.HTTP_200_OK,
    )


class QuarterlyStatusViewSet(resources.QuarterlyStatusViewSet):
    queryset = models.QuarterlyStatus.objects.select_related("quarter", "metric", "segment")

    @extend_schema(
        request=inputs.QuarterlyStatusSaveInput,
        responses=_responses(output.QuarterlyStatusSerializer, 200, 201),
        summary="Create or update the status of a metric or segment for a quarter",
    )
    def create(self, request, *args, **kwargs):
        data = _validated(inputs.QuarterlyStatusSaveInput, request)
        metric, segment = data.pop("metric"), data.pop("segment", None)
        quarter, version = data.pop("quarter"), data.pop("version", None)
        self.check_object_permissions(request, metric)
        saved = quarterly_status_save(
            metric=metric,
            segment=segment,
            quarter=quarter,
            actor=request.user,
            source=ChangeSource.API,
            expected_version=version,
            **data,
        )
        return _saved(output.QuarterlyStatusSerializer, saved)

    @extend_schema(
        request=inputs.QuarterlyStatusUpdateInput,
        responses=_responses(output.QuarterlyStatusSerializer, 200),
        summary="Change a quarterly status (send the version you read)",
    )
    def partial_update(self, request, *args, **kwargs):
        current = self.get_object()
        data = _validated(inputs.QuarterlyStatusUpdateInput, request)
        version = data.pop("version")
        saved = quarterly_status_save(
            metric=current.metric,
            segment=current.segment,
            quarter=current.quarter,
            actor=request.user,
            source=ChangeSource.API,
            expected_version=version,
            **data,
        )
        return Response(output.QuarterlyStatusSerializer(saved).data)


class KeyResultStatusViewSet(resources.KeyResultStatusViewSet):
    queryset = models.KeyResultStatus.objects.select_related("quarter", "key_result__objective")

    @extend_schema(
        request=inputs.KeyResultStatusSaveInput,
        responses=_responses(output.KeyResultStatusSerializer, 200, 201),
        summary="Create or update a key result's status for a quarter",
    )
    def create(self, request, *args, **kwargs):
        data = _validated(inputs.KeyResultStatusSaveInput, request)
        key_result, quarter = data.pop("key_result"), data.pop("quarter")
        version = data.pop("version", None)
        self.check_object_permissions(request, key_result)
        saved = key_result_status_save(
            key_result=key_result,
            quarter=quarter,
            actor=request.user,
            source=ChangeSource.API,
            expected_version=version,
            **data,
        )
        return _saved(output.KeyResultStatusSerializer, saved)

    @extend_schema(
        request=inputs.KeyResultStatusUpdateInput,
        responses=_responses(output.KeyResultStatusSerializer, 200),
        summary="Change a key result's status (send the version you read)",
    )
    def partial_update(self, request, *args, **kwargs):
        current = self.get_object()
        data = _validated(inputs.KeyResultStatusUpdateInput, request)
        version = data.pop("version")
        saved = key_result_status_save(
            key_result=current.key_result,
            quarter=current.quarter,
            actor=request.user,
            source=ChangeSource.API,
            expected_version=version,
            **data,
        )
        return Response(output.KeyResultStatusSerializer(saved).data)


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
            value=data["value"],
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
            metric_allowed=_metric_permission(request.user),
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


def _metric_permission(user):
    """The per-row permission check the upsert service makes (one rule for the API and the
    forms), logging each refusal."""

    def allowed(metric) -> bool:
        if rules.can_edit(user, metric):
            return True
        rules.log_denied(user, "api observations upsert", metric)
        return False

    return allowed


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
        objective = self.get_object()
        data = _validated(inputs.ObjectiveUpdateInput, request)
        version = data.pop("version")
        saved = objective_update(
            objective=objective,
            actor=request.user,
            source=ChangeSource.API,
            expected_version=version,
            **data,
        )
        return Response(output.ObjectiveSerializer(saved).data)


class DrilldownViewSet(resources.DrilldownViewSet):
    queryset = resources.DrilldownViewSet.queryset.select_related("objective", "session__quarter")

    @extend_schema(
        request=inputs.DrilldownUpdateInput,
        responses=_responses(output.DrilldownSerializer, 200),
        summary="Change a drill-down's texts",
    )
    def partial_update(self, request, *args, **kwargs):
        drilldown = self.get_object()
        data = _validated(inputs.DrilldownUpdateInput, request)
        version = data.pop("version")
        saved = drilldown_update(
            drilldown=drilldown,
            actor=request.user,
            source=ChangeSource.API,
            expected_version=version,
            **data,
        )
        return Response(output.DrilldownSerializer(saved).data)
