"""Which quarter the check-in opens on, and how far its previous/next links go.

The quarter open for entry is the one whose status deadline is next; without an upcoming
deadline, the latest tuning session's quarter (what leads are filling in for the next
review); without sessions, today's quarter. The links go only to quarters that exist or have
already begun, so nobody walks from FY2000 to FY2100 through empty pages."""

from datetime import date

from metrics.fiscal import FiscalQuarter, quarter_of
from metrics.models import Quarter, TuningSession


def quarter_open_for_entry(*, today: date) -> FiscalQuarter:
    """Two queries at most."""
    upcoming = (
        Quarter.objects.filter(status_deadline__gte=today)
        .order_by("status_deadline", "fiscal_year", "number")
        .values_list("fiscal_year", "number")
        .first()
    )
    if upcoming:
        return FiscalQuarter(*upcoming)
    latest = (
        TuningSession.objects.order_by("-quarter__fiscal_year", "-quarter__number")
        .values_list("quarter__fiscal_year", "quarter__number")
        .first()
    )
    return FiscalQuarter(*latest) if latest else quarter_of(today)


def neighbour_quarters(
    quarter: FiscalQuarter, *, today: date
) -> tuple[FiscalQuarter | None, FiscalQuarter | None]:
    """The previous and next quarters a check-in may link to (None: no link). One query."""
    previous, following = quarter.shifted(-1), quarter.shifted(1)
    existing = set(
        Quarter.objects.filter(
            fiscal_year__in={previous.fiscal_year, following.fiscal_year}
        ).values_list("fiscal_year", "number")
    )

    def reachable(candidate: FiscalQuarter) -> bool:
        key = (candidate.fiscal_year, candidate.number)
        return key in existing or candidate.start_date <= today or candidate == quarter_of(today)

    return (
        previous if (previous.fiscal_year, previous.number) in existing else None,
        following if reachable(following) else None,
    )
