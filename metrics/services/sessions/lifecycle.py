"""A session's life: open the next quarter's from the latest one (with the leads told that
check-in is open), delete one opened by mistake, hold it (its deck frozen as presented, its
quarter locked), reopen it (admins), and freeze the sessions loaded held."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from metrics.caching.versions import data_changed, data_write
from metrics.models import (
    Department,
    Notification,
    Priority,
    Quarter,
    SessionState,
    Submission,
    SubmissionState,
    TuningSession,
)
from metrics.selectors.review import HEAD_KEY, checkins_record
from metrics.selectors.session_rules import (
    SessionAlreadyOpenError,
    default_status_deadline,
    entered_status_count,
    next_title,
    objectives_only_presented_by,
    session_open_next_validate,
)
from metrics.services.events import EventKind
from metrics.services.history import history_record, history_record_created
from metrics.services.sessions.authoring import session_texts_clean
from metrics.services.sessions.carry_over import session_carry_over
from metrics.services.sessions.common import locked_session, session_ensure_draft, session_event
from metrics.services.sessions.snapshots import (
    PIN_KEY,
    earlier_pin,
    held_snapshots_store_pending,
    session_snapshot_later,
    session_snapshot_store,
)
from metrics.services.submissions import quarter_exclusive_lock, submission_lock, submission_unlock
from metrics.services.validation import validate_source
from metrics.services.versioned import actor_or_none


@dataclass
class OpenResult:
    session: TuningSession
    created: bool
    emailed: int = 0


def session_create_first(
    *, actor, priority: Priority, quarter: Quarter, source: str = "form", **texts
) -> TuningSession:
    """The organisation's first session, which no earlier one can open (every later one comes
    from `session_open_next`): refused once a session exists. Its texts are checked as
    `session_update` checks them; its creation is in the history and tells the subscribers
    (webhooks) that a session opened, but emails nobody: there is no quarter to check in yet
    until someone sets its deadline."""
    validate_source(source)
    values = session_texts_clean(texts)
    if not values.get("title"):
        raise ValidationError({"title": _("A session needs a title.")})
    with data_write():
        # One writer at a time decides that no session exists yet.
        Priority.objects.select_for_update().filter(pk=priority.pk).first()
        if TuningSession.objects.exists():
            raise ValidationError(
                _("A session exists already: open the next one from the latest session.")
            )
        session = TuningSession.objects.create(
            priority=priority, quarter=quarter, updated_by=actor_or_none(actor), **values
        )
        history_record_created(
            instance=session, fields=("title", "quarter", "state"), actor=actor, source=source
        )
        data_changed()
        session_event(EventKind.SESSION_OPENED, session=session, actor=actor, notify=False)
    return session


def session_open_next(
    *,
    actor,
    source: TuningSession,
    source_of_change: str = "form",
    fiscal_year: int | None = None,
    number: int | None = None,
    status_deadline: date | None = None,
    notify: bool = True,
) -> OpenResult:
    """Opens the session after `source` (the latest one): same metric rows, the objectives and
    key results still active, key deliverables, footnotes and acronyms; no statuses. Sets the
    quarter's status deadline and emails each department's leads that check-in is open.
    Running it again creates nothing: the existing session comes back with created=False."""
    validate_source(source_of_change)
    try:
        target = session_open_next_validate(source=source, fiscal_year=fiscal_year, number=number)
    except SessionAlreadyOpenError as already:
        return OpenResult(already.session, created=False)
    if status_deadline is not None and status_deadline < target.start_date:
        # Leads would be emailed that check-in closed before their quarter began.
        raise ValidationError(
            {
                "status_deadline": _(
                    "The status deadline is before %(quarter)s begins (%(start)s)."
                )
                % {"quarter": target.label, "start": f"{target.start_date:%Y-%m-%d}"}
            }
        )
    with data_write():
        source = locked_session(source)
        # Checked again under the lock: two clicks at once open one session.
        try:
            target = session_open_next_validate(
                source=source, fiscal_year=fiscal_year, number=number
            )
        except SessionAlreadyOpenError as already:
            return OpenResult(already.session, created=False)
        quarter = Quarter.objects.get_or_create_fiscal(target.fiscal_year, target.number)
        deadline = status_deadline or quarter.status_deadline or default_status_deadline(quarter)
        if quarter.status_deadline != deadline:
            history_record(
                instance=quarter,
                changes={"status_deadline": (quarter.status_deadline, deadline)},
                actor=actor,
                source=source_of_change,
            )
            quarter.status_deadline = deadline
            quarter.save(update_fields=["status_deadline"])
        session = TuningSession.objects.create(
            priority=source.priority,
            quarter=quarter,
            title=next_title(source, target),
            updated_by=actor_or_none(actor),
        )
        history_record_created(
            instance=session,
            fields=("title", "quarter", "state"),
            actor=actor,
            source=source_of_change,
        )
        session_carry_over(
            source=source,
            session=session,
            new_year=target.fiscal_year,
            actor=actor,
            change_source=source_of_change,
        )
        session_event(EventKind.SESSION_OPENED, session=session, actor=actor, notify=notify)
    emailed = session_open_notify(session=session) if notify else 0
    return OpenResult(session, created=True, emailed=emailed)


def session_open_notify(*, session: TuningSession) -> int:
    """How many departments' leads were told that check-in for the session's quarter is open
    (with the link to their check-in and the deadline): the session.opened event's subscriber
    wrote their notifications in the opening's transaction and they are mailed after commit
    (services/notification_events.py)."""
    return (
        Notification.objects.filter(event_key=f"session.opened:{session.pk}")
        .values("department_id")
        .distinct()
        .count()
    )


def session_delete(*, actor, session: TuningSession, source: str = "form") -> None:
    """Deletes a session opened by mistake. Refused for a held session and for one whose
    quarter has entered statuses."""
    validate_source(source)
    with data_write():
        session = locked_session(session)
        session_ensure_draft(session)
        count = entered_status_count(session)
        if count:
            raise ValidationError(
                ngettext(
                    "%(quarter)s already has %(count)s entered status: the session is in use "
                    "and cannot be deleted.",
                    "%(quarter)s already has %(count)s entered statuses: the session is in use "
                    "and cannot be deleted.",
                    count,
                )
                % {"quarter": session.quarter.label, "count": count}
            )
        history_record(
            instance=session,
            changes={"deleted": (session.title, None)},
            actor=actor,
            source=source,
        )
        orphans = objectives_only_presented_by(session)
        # Kept on the quarter: its check-in link (in the opening's emails) says so.
        history_record(
            instance=session.quarter,
            changes={"session_deleted": (session.title, None)},
            actor=actor,
            source=source,
        )
        session_event(EventKind.SESSION_DELETED, session=session, actor=actor)
        session.delete()
        for objective in orphans:
            history_record(
                instance=objective,
                changes={"deleted": (objective.short_name, None)},
                actor=actor,
                source=source,
            )
            objective.delete()


def session_hold(*, actor, session: TuningSession, source: str = "form") -> TuningSession:
    """Marks the session held and locks its quarter for every department, after the saves of
    the quarter in flight (they hold it shared; the next ones are refused). Each department's
    check-in state at the hold is kept in the snapshot's head. Its deck and charts as
    presented are stored by `session_snapshot_store`: queued for the worker when the hold
    commits, in this request when the jobs run in-process or the earlier session's table
    cannot be pinned (services/sessions/snapshots.py). Holding a held session changes
    nothing."""
    validate_source(source)
    with data_write():
        session = locked_session(session)
        if session.state == SessionState.HELD:
            return session
        quarter_exclusive_lock(session.quarter)
        now = timezone.now()
        changes = {
            "state": (session.state, SessionState.HELD),
            "held_at": (session.held_at, now),
            "held_by": (session.held_by_id, getattr(actor_or_none(actor), "pk", None)),
        }
        pin = earlier_pin(session.pk)
        session.state, session.held_at, session.held_by = (
            SessionState.HELD,
            now,
            actor_or_none(actor),
        )
        # Until the snapshot is stored, the head holds what the hold records: who had
        # submitted (before the locks below), and which earlier table the deck ends with.
        session.snapshot = None
        session.snapshot_head = {HEAD_KEY: checkins_record(session.quarter_id), PIN_KEY: pin}
        session.version += 1
        session.updated_by = actor_or_none(actor)
        session.save(
            update_fields=[
                "state",
                "held_at",
                "held_by",
                "snapshot",
                "snapshot_head",
                "version",
                "updated_by",
                "updated_at",
            ]
        )
        history_record(instance=session, changes=changes, actor=actor, source=source)
        for department in Department.objects.all():
            submission_lock(department=department, quarter=session.quarter, actor=actor)
        session_event(EventKind.SESSION_HELD, session=session, actor=actor)
        if not session_snapshot_later(session, pin):
            session_snapshot_store(session_id=session.pk)
    return session


def session_reopen(*, actor, session: TuningSession, source: str = "form") -> TuningSession:
    """Back to preparation (an admin's action): the snapshot is dropped, so the pages show the
    current figures again, and the quarter's locks are lifted: each department's quarter goes
    back to what it was before the hold (submitted stays submitted). Recorded in history."""
    validate_source(source)
    with data_write():
        # Whatever this reopen lets change, no held session's snapshot still to be stored
        # may show it: they are stored first (a second run of their task does nothing).
        held_snapshots_store_pending(exclude=session.pk)
        session = locked_session(session)
        if session.state != SessionState.HELD:
            return session
        history_record(
            instance=session,
            changes={"state": (session.state, SessionState.DRAFT)},
            actor=actor,
            source=source,
        )
        session.state, session.snapshot, session.snapshot_head = SessionState.DRAFT, None, None
        session.version += 1
        session.updated_by = actor_or_none(actor)
        session.save(
            update_fields=[
                "state",
                "snapshot",
                "snapshot_head",
                "version",
                "updated_by",
                "updated_at",
            ]
        )
        for submission in Submission.objects.filter(
            quarter=session.quarter, state=SubmissionState.LOCKED
        ).select_related("department"):
            submission_unlock(
                department=submission.department, quarter=session.quarter, actor=actor
            )
        session_event(EventKind.SESSION_REOPENED, session=session, actor=actor)
    return session


def session_freeze_presented(*, actor=None, source: str = "form") -> int:
    """Held sessions without a snapshot (loaded held from a fixture, or one a lost worker
    never stored) get one, and their quarters are locked: the seed's Q1 and Q2 sessions were
    presented. Returns how many."""
    validate_source(source)
    count = 0
    for session in (
        TuningSession.objects.filter(state=SessionState.HELD, snapshot__isnull=True)
        .select_related("quarter")
        .defer("snapshot")
    ):
        with data_write():
            head = session.snapshot_head if isinstance(session.snapshot_head, dict) else {}
            if HEAD_KEY not in head:  # loaded held: who had submitted is what stands now
                TuningSession.objects.filter(pk=session.pk).update(
                    snapshot_head={**head, HEAD_KEY: checkins_record(session.quarter_id)}
                )
            if not session_snapshot_store(session_id=session.pk):
                continue
            for department in Department.objects.all():
                submission_lock(
                    department=department, quarter=session.quarter, actor=actor, source=source
                )
        count += 1
    return count
