"""The observation time series behind the metric charts (three queries)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from metrics import models
from metrics.fiscal import FiscalQuarter
from metrics.selectors.errors import NotFoundError


@dataclass(frozen=True)
class SeriesPoint:
    period_start: date
    period_end: date
    value: Decimal
    is_derived: bool


@dataclass(frozen=True)
class ChartSeries:
    segment_id: int | None  # None: the metric's own total
    name: str
    baseline_value: Decimal | None
    decimals: int | None
    points: tuple[SeriesPoint, ...]
    group: str = ""  # the segment's group ("Organizers"), for charts that set groups apart


@dataclass(frozen=True)
class MetricChartData:
    metric_id: int
    slug: str
    name: str
    chart_title: str
    unit: str
    unit_suffix: str
    direction: str
    cadence: str
    goal_kind: str
    goal_value: Decimal | None
    goal_text: str
    baseline_value: Decimal | None
    series: tuple[ChartSeries, ...]  # the total first (when it has points), then segments

    @property
    def is_survey(self) -> bool:
        return self.cadence in (models.Cadence.ANNUAL, models.Cadence.SEMIANNUAL)

    @property
    def has_observations(self) -> bool:
        return any(s.points for s in self.series)


# Fiscal years a chart shows: the session's and the ones before it (the YoY goal line of the
# earliest shown year needs the year before it, which is shown too).
CHART_YEARS = 3


def chart_window_start(fiscal_year: int) -> date:
    """The first day a session's charts show: observations before it are not read."""
    return FiscalQuarter(fiscal_year - (CHART_YEARS - 1), 1).start_date


def metric_chart_data(metric_id: int, *, until: date, since: date | None = None) -> MetricChartData:
    """One metric's chart data; NotFoundError for an unknown metric."""
    data = metrics_chart_data([metric_id], since=since, until=until)
    if metric_id not in data:
        raise NotFoundError(_("No such metric."))
    return data[metric_id]


def metrics_chart_data(
    metric_ids, *, until: date, since: date | None = None
) -> dict[int, MetricChartData]:
    """Observations from `since` (the charts' first year; None: all) up to `until` (the end
    of the session's quarter) for several metrics, one series for each metric's total and
    one per segment. Three queries however many metrics."""
    metrics = list(models.Metric.objects.filter(pk__in=list(metric_ids)))
    segments_by_metric = defaultdict(list)
    for segment in models.Segment.objects.filter(metric__in=metrics).order_by(
        "metric_id", "order", "id"
    ):
        segments_by_metric[segment.metric_id].append(segment)
    points = defaultdict(list)
    observations = models.Observation.objects.filter(metric__in=metrics, period_start__lte=until)
    if since is not None:
        # Bounded to the years the charts show: a few dozen rows per series, not decades.
        observations = observations.filter(period_start__gte=since)
    for metric_id, segment_id, start, end, value, derived in observations.order_by(
        "period_start"
    ).values_list("metric_id", "segment_id", "period_start", "period_end", "value", "is_derived"):
        points[(metric_id, segment_id)].append(SeriesPoint(start, end, value, derived))
    return {
        metric.id: _chart_data(metric, segments_by_metric[metric.id], points) for metric in metrics
    }


def _chart_data(metric, segments, points) -> MetricChartData:
    series = [
        ChartSeries(
            segment_id=None,
            name=metric.short_label or "All",
            baseline_value=metric.baseline_value,
            decimals=metric.display_decimals,
            points=tuple(points[(metric.id, None)]),
        )
    ]
    series += [
        ChartSeries(
            segment_id=s.id,
            name=s.name,
            baseline_value=s.baseline_value,
            decimals=s.display_decimals
            if s.display_decimals is not None
            else metric.display_decimals,
            points=tuple(points[(metric.id, s.id)]),
            group=s.group,
        )
        for s in segments
    ]
    return MetricChartData(
        metric_id=metric.id,
        slug=metric.slug,
        name=metric.name,
        chart_title=metric.chart_title or metric.name,
        unit=metric.unit,
        unit_suffix=metric.unit_suffix,
        direction=metric.direction,
        cadence=metric.cadence,
        goal_kind=metric.goal_kind,
        goal_value=metric.goal_value,
        goal_text=metric.goal_text,
        baseline_value=metric.baseline_value,
        series=tuple(s for s in series if s.points or s.segment_id is not None),
    )
