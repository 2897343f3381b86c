"""What the check-in page of a department and quarter shows: every metric and segment row
with its status, every key result with its status, the recent history of each, the
objectives and drill-downs to edit, and the submission. A fixed number of queries whatever
the number of rows."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Prefetch, Window
from django.db.models.functions import RowNumber

from metrics.fiscal import FiscalQuarter, month_end, months_later
from metrics.models import (
    Department,
    Drilldown,
    GoalKind,
    HistoryEntry,
    KeyResult,
    KeyResultStatus,
    Metric,
    MetricState,
    Objective,
    Observation,
    Quarter,
    QuarterlyStatus,
    Segment,
    StatusState,
    Submission,
)

HISTORY_PER_ROW = 8


@dataclass
class StatusRow:
    metric: Metric
    segment: Segment | None
    status: QuarterlyStatus | None
    history: list[HistoryEntry] = field(default_factory=list)
    # The months of the same quarter a year earlier without a figure, where the value has no
    # YoY change for want of them (a YoY goal): the cell names them and links to the backfill.
    missing_prior_months: tuple[date, ...] = ()

    @property
    def prefix(self) -> str:
        return f"status-{self.metric.pk}-{self.segment.pk if self.segment else 0}"

    @property
    def backfill_row(self) -> str:
        """The backfill page's row choice for this metric or segment."""
        return f"{self.metric.pk}-{self.segment.pk if self.segment else 0}"

    @property
    def label(self) -> str:
        return self.segment.name if self.segment else self.metric.name

    @property
    def unit_label(self) -> str:
        return unit_label(self.metric)


@dataclass
class KeyResultStatusRow:
    """A key result's row of the check-in form: its status this quarter and that status's
    history (the deck's KeyResultRow is the printed row)."""

    key_result: KeyResult
    status: KeyResultStatus | None
    history: list[HistoryEntry] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return f"kr-{self.key_result.pk}"


@dataclass
class Checkin:
    department: Department
    quarter: Quarter
    submission: Submission
    status_rows: list[StatusRow]
    key_result_rows: list[KeyResultStatusRow]
    objectives: list[Objective]
    drilldowns: list[Drilldown]

    @property
    def is_locked(self) -> bool:
        return self.submission.state == "locked"


def unit_label(metric: Metric) -> str:
    """What the number typed into a value field means: "count /mo", "% /mo", "index"."""
    unit = {"count": "count", "percent": "%", "index": "index"}.get(metric.unit, metric.unit)
    return f"{unit} {metric.unit_suffix}".strip()


def checkin_get(*, department: Department, quarter: Quarter) -> Checkin:
    metrics = list(
        Metric.objects.filter(department=department)
        .exclude(state=MetricState.RETIRED)
        .select_related("outcome")
        .prefetch_related(Prefetch("segments", queryset=Segment.objects.order_by("order", "id")))
    )
    statuses = {
        (status.metric_id, status.segment_id): status
        for status in QuarterlyStatus.objects.filter(quarter_id=quarter.pk, metric__in=metrics)
        .select_related("updated_by")
        .order_by()
    }
    status_rows = []
    for metric in metrics:
        for segment in [None, *metric.segments.all()]:
            key = (metric.pk, segment.pk if segment else None)
            status_rows.append(StatusRow(metric, segment, statuses.get(key)))
    _attach_missing_prior_months(status_rows, quarter)

    objectives = list(
        Objective.objects.filter(department=department, fiscal_year=quarter.fiscal_year)
        .select_related("priority")
        .prefetch_related(
            Prefetch(
                "key_results",
                queryset=KeyResult.objects.select_related("metric").order_by("order", "id"),
            )
        )
    )
    key_results = [kr for objective in objectives for kr in objective.key_results.all()]
    kr_statuses = {
        status.key_result_id: status
        for status in KeyResultStatus.objects.filter(
            quarter_id=quarter.pk, key_result__in=key_results
        )
        .select_related("updated_by")
        .order_by()
    }
    key_result_rows = [KeyResultStatusRow(kr, kr_statuses.get(kr.pk)) for kr in key_results]

    _attach_history(
        [(row, row.status) for row in status_rows + key_result_rows if row.status is not None]
    )
    drilldowns = list(
        Drilldown.objects.filter(objective__department=department, session__quarter_id=quarter.pk)
        .select_related("objective", "session")
        .order_by("session", "order", "id")
    )
    # By id: an unsaved quarter (a GET of a quarter nobody entered yet) matches no row.
    submission = (
        Submission.objects.filter(department=department, quarter_id=quarter.pk)
        .select_related("submitted_by", "reviewed_by")
        .first()
    )
    return Checkin(
        department=department,
        quarter=quarter,
        submission=submission or Submission(department=department, quarter=quarter),
        status_rows=status_rows,
        key_result_rows=key_result_rows,
        objectives=objectives,
        drilldowns=drilldowns,
    )


def history_latest(objects: Iterable, *, per_object: int = HISTORY_PER_ROW) -> dict:
    """The latest history entries of each object, newest first, by (model, pk): one query
    per model, however many objects."""
    by_model = defaultdict(list)
    for obj in objects:
        by_model[type(obj)].append(obj.pk)
    found = defaultdict(list)
    for model, ids in by_model.items():
        content_type = ContentType.objects.get_for_model(model)
        entries = (
            HistoryEntry.objects.filter(content_type=content_type, object_id__in=ids)
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("object_id")],
                    order_by=[F("changed_at").desc(), F("id").desc()],
                )
            )
            .filter(rank__lte=per_object)
            .select_related("actor")
            .order_by("object_id", "-changed_at", "-id")
        )
        for entry in entries:
            found[(model, entry.object_id)].append(entry)
    return found


def _lacks_prior_year(row: StatusRow) -> bool:
    status = row.status
    return (
        status is not None
        and status.value is not None
        and status.yoy_delta is None
        and status.state in (StatusState.REPORTED, StatusState.NOT_AVAILABLE)
        and row.metric.goal_kind == GoalKind.YOY_CHANGE
    )


def _attach_missing_prior_months(rows: list[StatusRow], quarter: Quarter) -> None:
    """Sets missing_prior_months on the rows whose value has no YoY change (one query, none
    when no row lacks it)."""
    lacking = [row for row in rows if _lacks_prior_year(row)]
    if not lacking:
        return
    earlier = FiscalQuarter(quarter.fiscal_year, quarter.number).year_earlier()
    months = [months_later(earlier.start_date, step) for step in range(3)]
    covered = defaultdict(set)
    for metric_id, segment_id, start, end in Observation.objects.filter(
        metric_id__in={row.metric.pk for row in lacking},
        period_start__lte=earlier.end_date,
        period_end__gte=earlier.start_date,
    ).values_list("metric_id", "segment_id", "period_start", "period_end"):
        for month in months:
            if start <= month_end(month) and end >= month:
                covered[(metric_id, segment_id)].add(month)
    for row in lacking:
        key = (row.metric.pk, row.segment.pk if row.segment else None)
        row.missing_prior_months = tuple(m for m in months if m not in covered[key])


def _attach_history(rows_and_objects) -> None:
    history = history_latest([obj for _, obj in rows_and_objects])
    for row, obj in rows_and_objects:
        row.history = history.get((type(obj), obj.pk), [])
