"""The quarterly cycle's rules, as reads: which quarter comes next, the latest and the next
session of a priority, what opening the next session would be refused for, what a session
presents and what deleting it would leave behind. Read by the session services
(metrics.services.sessions), which write, and by the pages that preview their effect."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from metrics.fiscal import FiscalQuarter
from metrics.models import (
    KeyResultStatus,
    Objective,
    Quarter,
    QuarterlyStatus,
    SessionObjective,
    TuningSession,
)


class SessionAlreadyOpenError(ValidationError):
    """The next quarter's session exists already; `session` is it."""

    def __init__(self, session: TuningSession):
        self.session = session
        super().__init__({"source": f"{session.quarter.label} is already open: “{session.title}”."})


def next_quarter_of(quarter) -> FiscalQuarter:
    return FiscalQuarter(quarter.fiscal_year, quarter.number).shifted(1)


def latest_session_of(priority_id: int) -> TuningSession | None:
    return (
        TuningSession.objects.filter(priority_id=priority_id)
        .select_related("quarter", "priority")
        .order_by("-quarter__fiscal_year", "-quarter__number")
        .first()
    )


def next_session_of(session: TuningSession) -> TuningSession | None:
    """The next quarter's session of the same priority, if it is open."""
    target = next_quarter_of(session.quarter)
    return (
        TuningSession.objects.filter(
            priority_id=session.priority_id,
            quarter__fiscal_year=target.fiscal_year,
            quarter__number=target.number,
        )
        .select_related("quarter")
        .first()
    )


def default_status_deadline(quarter: FiscalQuarter | Quarter) -> date:
    return quarter.end_date + timedelta(days=settings.SESSION_STATUS_DEADLINE_DAYS)


def next_title(source: TuningSession, target: FiscalQuarter) -> str:
    label = source.quarter.label
    if label in source.title:
        return source.title.replace(label, target.label)
    return f"{source.priority.name} Tuning Session {target.label}"


def entered_status_count(session: TuningSession) -> int:
    """Statuses entered for the session's quarter (metric cells and key-result cells)."""
    return (
        QuarterlyStatus.objects.filter(quarter_id=session.quarter_id).count()
        + KeyResultStatus.objects.filter(quarter_id=session.quarter_id).count()
    )


def session_open_next_validate(
    *, source: TuningSession, fiscal_year: int | None = None, number: int | None = None
) -> FiscalQuarter:
    """The quarter the next session of `source` is for; ValidationError with the reason when
    `source` is not the latest session or the asked quarter is not the next one."""
    latest = latest_session_of(source.priority_id)
    target = next_quarter_of(source.quarter)
    if (fiscal_year, number) != (None, None) and (fiscal_year, number) != (
        target.fiscal_year,
        target.number,
    ):
        asked = (
            FiscalQuarter(fiscal_year, number).label
            if fiscal_year and number in (1, 2, 3, 4)
            else f"{fiscal_year} Q{number}"
        )
        raise ValidationError(
            {
                "quarter": _(
                    "%(asked)s is not the next quarter: after %(source)s comes %(target)s."
                )
                % {"asked": asked, "source": source.quarter.label, "target": target.label}
            }
        )
    existing = TuningSession.objects.filter(
        priority_id=source.priority_id,
        quarter__fiscal_year=target.fiscal_year,
        quarter__number=target.number,
    ).first()
    if existing is not None:
        raise SessionAlreadyOpenError(existing)
    if latest is not None and latest.pk != source.pk:
        raise ValidationError(
            {
                "source": _(
                    "Open the next session from the latest one (%(latest)s), not from %(source)s."
                )
                % {"latest": latest.quarter.label, "source": source.quarter.label}
            }
        )
    return target


def session_objectives_presented(session: TuningSession) -> list[SessionObjective]:
    """The session's objective rows still presented; for a session without such rows (made
    before sessions kept their own), its fiscal year's objectives as unsaved rows."""
    rows = list(
        SessionObjective.objects.filter(session=session, is_retired=False)
        .select_related("objective")
        .order_by("order", "id")
    )
    if rows or SessionObjective.objects.filter(session=session).exists():
        return rows
    return [
        SessionObjective(
            session=session, objective=o, narrative=o.narrative, order=o.order, objective_id=o.pk
        )
        for o in Objective.objects.filter(
            priority_id=session.priority_id, fiscal_year=session.quarter.fiscal_year
        ).order_by("order", "id")
    ]


def objectives_only_presented_by(session: TuningSession) -> list[Objective]:
    """The objectives that would be left behind by deleting the session: opening it copied
    them into a new fiscal year (or they were added to it), no other session presents them,
    and nothing was entered or written for them (statuses, content blocks). Only when no other
    session of the fiscal year exists: older sessions may present their year's objectives
    without rows of their own."""
    same_year = TuningSession.objects.filter(
        priority_id=session.priority_id, quarter__fiscal_year=session.quarter.fiscal_year
    ).exclude(pk=session.pk)
    if same_year.exists():
        return []
    return list(
        Objective.objects.filter(
            session_objectives__session=session, fiscal_year=session.quarter.fiscal_year
        )
        .exclude(session_objectives__session__in=TuningSession.objects.exclude(pk=session.pk))
        .exclude(key_results__statuses__isnull=False)
        .exclude(content_blocks__isnull=False)
        .distinct()
    )
