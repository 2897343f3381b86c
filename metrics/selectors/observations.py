"""The stored observations of one metric or segment, for the backfill page."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from metrics.formatting import decimals_for, format_value, plain_decimal
from metrics.models import Metric, Observation, Segment

SHOWN_PERIODS = 36


@dataclass(frozen=True)
class StoredObservation:
    period_start: date
    period_end: date
    value: Decimal
    exact: str
    display: str
    is_derived: bool
    updated_at: datetime
    updated_by: str


def stored_observations(
    *, metric: Metric, segment: Segment | None, limit: int = SHOWN_PERIODS
) -> tuple[list[StoredObservation], int]:
    """The latest `limit` observations of the row, newest first, and how many there are in
    all. Two queries."""
    rows = Observation.objects.filter(metric=metric, segment=segment)
    total = rows.count()
    decimals = decimals_for(metric, segment)
    latest = rows.select_related("updated_by").order_by("-period_start")[:limit]
    return [
        StoredObservation(
            period_start=observation.period_start,
            period_end=observation.period_end,
            value=observation.value,
            exact=plain_decimal(observation.value),
            display=format_value(observation.value, unit=metric.unit, decimals=decimals),
            is_derived=observation.is_derived,
            updated_at=observation.updated_at,
            updated_by=observation.updated_by.get_username() if observation.updated_by else "",
        )
        for observation in latest
    ], total
