"""Read endpoints for every resource. Each list is a fixed number of queries whatever its
size: relations it prints are joined or prefetched."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from metrics import models
from metrics.api import filters
from metrics.api.serializers import output
from metrics.api.views.base import ApiViewMixin
from metrics.caching.http import conditional_get
from metrics.selectors.cell_history import key_result_status_history, status_history


class ReadOnlyViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    # Reads answer 304 while the data version (and the reader, path and query) is unchanged.
    def list(self, request, *args, **kwargs):
        parent = super()
        return conditional_get(request, lambda: parent.list(request, *args, **kwargs))

    def retrieve(self, request, *args, **kwargs):
        parent = super()
        return conditional_get(request, lambda: parent.retrieve(request, *args, **kwargs))


class DepartmentViewSet(ReadOnlyViewSet):
    """Departments and their leads."""

    queryset = models.Department.objects.prefetch_related("leads")
    serializer_class = output.DepartmentSerializer
    filterset_class = filters.DepartmentFilter
    ordering_fields = ["name", "slug", "id"]


class PriorityViewSet(ReadOnlyViewSet):
    """Medium-term-plan priorities (Thriving Movement)."""

    queryset = models.Priority.objects.all()
    serializer_class = output.PrioritySerializer
    filterset_class = filters.PriorityFilter
    ordering_fields = ["name", "slug", "id"]


class QuarterViewSet(ReadOnlyViewSet):
    """Fiscal quarters (fiscal_year is the calendar year the fiscal year starts in)."""

    queryset = models.Quarter.objects.all()
    serializer_class = output.QuarterSerializer
    filterset_class = filters.QuarterFilter
    ordering_fields = ["fiscal_year", "number", "start_date", "id"]


class OutcomeViewSet(ReadOnlyViewSet):
    """Outcomes of a priority."""

    queryset = models.Outcome.objects.all()
    serializer_class = output.OutcomeSerializer
    filterset_class = filters.OutcomeFilter
    ordering_fields = ["priority", "order", "id"]


class MetricViewSet(ReadOnlyViewSet):
    """Metrics with their segments, baselines and goals."""

    queryset = models.Metric.objects.select_related("outcome").prefetch_related("segments")
    serializer_class = output.MetricSerializer
    filterset_class = filters.MetricFilter
    ordering_fields = ["name", "slug", "order", "outcome", "department", "updated_at", "id"]


class ObservationViewSet(ReadOnlyViewSet):
    """The time series behind charts and YoY: one value per metric or segment and period."""

    queryset = models.Observation.objects.all()
    serializer_class = output.ObservationSerializer
    filterset_class = filters.ObservationFilter
    ordering_fields = ["period_start", "period_end", "metric", "segment", "updated_at", "id"]
    # The series order of the (metric, segment, period_start, period_end) index: the first
    # page reads its rows off the index instead of joining and sorting the whole table (the
    # model's ordering by "metric" would follow Metric's ordering through two joins).
    ordering = ["metric_id", "segment_id", "period_start"]


class QuarterlyStatusViewSet(ReadOnlyViewSet):
    """The deck's cells: value, YoY delta, arrow, attainment and state per metric or segment and quarter."""

    queryset = models.QuarterlyStatus.objects.select_related("quarter", "metric", "segment")
    serializer_class = output.QuarterlyStatusSerializer
    filterset_class = filters.QuarterlyStatusFilter
    ordering_fields = ["quarter", "metric", "segment", "state", "updated_at", "id"]
    # By primary key: the first page is read off the primary key index, not sorted from the
    # whole table joined to metrics and quarters (what the model's ordering would do).
    ordering = ["id"]

    @extend_schema(
        summary="Every change of one cell",
        description=(
            "Each save of the status (form, API, admin, import, recompute), newest first: who, "
            "when, the fields with their old and new values, and what the cell read after it."
        ),
        filters=False,
        responses={200: output.CellHistorySerializer},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, *args, **kwargs):
        status = self.get_object()
        return Response(output.CellHistorySerializer(status_history(status_id=status.pk)).data)


class ObjectiveViewSet(ReadOnlyViewSet):
    """Departments' objectives and their narratives."""

    queryset = models.Objective.objects.all()
    serializer_class = output.ObjectiveSerializer
    filterset_class = filters.ObjectiveFilter
    ordering_fields = ["order", "fiscal_year", "short_name", "department", "updated_at", "id"]


class KeyResultViewSet(ReadOnlyViewSet):
    """Key results with their quarterly statuses."""

    queryset = models.KeyResult.objects.prefetch_related(
        Prefetch("statuses", queryset=models.KeyResultStatus.objects.select_related("quarter"))
    )
    serializer_class = output.KeyResultSerializer
    filterset_class = filters.KeyResultFilter
    ordering_fields = ["objective", "order", "code", "updated_at", "id"]


class KeyResultStatusViewSet(ReadOnlyViewSet):
    """Quarterly statuses of key results."""

    queryset = models.KeyResultStatus.objects.select_related("quarter")
    serializer_class = output.KeyResultStatusSerializer
    filterset_class = filters.KeyResultStatusFilter
    ordering_fields = ["quarter", "key_result", "state", "updated_at", "id"]

    @extend_schema(
        summary="Every change of one key-result cell",
        description="As for quarterly statuses: each save, newest first, with its changes "
        "and what the cell read after it.",
        filters=False,
        responses={200: output.CellHistorySerializer},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, *args, **kwargs):
        status = self.get_object()
        history = key_result_status_history(status_id=status.pk)
        return Response(output.CellHistorySerializer(history).data)


class DrilldownViewSet(ReadOnlyViewSet):
    """Drill-downs (situation, impact, recommendation, next steps) with their tables."""

    queryset = models.Drilldown.objects.prefetch_related("tables__rows")
    serializer_class = output.DrilldownSerializer
    filterset_class = filters.DrilldownFilter
    ordering_fields = ["session", "order", "objective", "updated_at", "id"]


class TuningSessionViewSet(ReadOnlyViewSet):
    """Tuning sessions: overview, progress and challenges, actions, key deliverables, metric definitions."""

    queryset = models.TuningSession.objects.select_related("quarter").prefetch_related(
        "key_deliverables", "metric_definitions"
    )
    serializer_class = output.TuningSessionSerializer
    filterset_class = filters.TuningSessionFilter
    ordering_fields = ["quarter", "priority", "title", "updated_at", "id"]


class FootnoteViewSet(ReadOnlyViewSet):
    """Footnote markers and their meaning, per session."""

    queryset = models.Footnote.objects.all()
    serializer_class = output.FootnoteSerializer
    filterset_class = filters.FootnoteFilter
    ordering_fields = ["session", "marker", "id"]


class AcronymViewSet(ReadOnlyViewSet):
    """Acronyms and their meaning, per session."""

    queryset = models.Acronym.objects.all()
    serializer_class = output.AcronymSerializer
    filterset_class = filters.AcronymFilter
    ordering_fields = ["session", "term", "id"]
