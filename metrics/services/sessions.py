"""The quarterly cycle of tuning sessions: open the next session from the latest one, author
it, hold it (freeze what was presented), reopen it (admins), delete an unused one.

Permission checks are the caller's (metrics.permissions.can_facilitate / can_reopen_session).
Every write records history; edits of a session's rows check the version the caller read.
A held session refuses every edit (SessionHeldError, a LockedError: 423 in the API).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import F, Max
from django.utils import timezone

from metrics.caching.versions import data_changed, data_write
from metrics.models import (
    Acronym,
    Department,
    Footnote,
    KeyDeliverable,
    KeyResult,
    MetricDefinition,
    Notification,
    Objective,
    Quarter,
    SessionObjective,
    SessionState,
    Submission,
    SubmissionState,
    TuningSession,
)
from metrics.selectors.session_rules import (
    SessionAlreadyOpenError as SessionAlreadyOpenError,
)
from metrics.selectors.session_rules import (
    default_status_deadline as default_status_deadline,
)
from metrics.selectors.session_rules import (
    entered_status_count as entered_status_count,
)
from metrics.selectors.session_rules import (
    latest_session_of as latest_session_of,
)
from metrics.selectors.session_rules import (
    next_quarter_of as next_quarter_of,
)
from metrics.selectors.session_rules import (
    next_title as next_title,
)
from metrics.selectors.session_rules import (
    objectives_only_presented_by,
    session_objectives_presented,
    session_open_next_validate,
)
from metrics.services.errors import LockedError
from metrics.services.events import EventKind, event_publish
from metrics.services.history import changes_between, history_record, history_record_created
from metrics.services.submissions import (
    quarter_exclusive_lock,
    submission_lock,
    submission_unlock,
)
from metrics.services.transactions import retried_when_transient
from metrics.services.validation import (
    validate_known_fields,
    validate_markdown_length,
    validate_source,
)
from metrics.services.versioned import actor_or_none, is_stale, versioned_instance_update

logger = logging.getLogger(__name__)

SESSION_TEXT_FIELDS = ("title", "overview", "progress_challenges", "actions")
DEFINITION_FIELDS = ("name", "baseline_text", "goal_text")


class SessionHeldError(LockedError):
    """The session was held: its deck stays as presented."""


# --- helpers ---------------------------------------------------------------------------------


def session_ensure_draft(session: TuningSession) -> None:
    if session.state == SessionState.HELD:
        held = f" on {session.held_at:%Y-%m-%d}" if session.held_at else ""
        raise SessionHeldError(
            f"The {session.quarter.label} session was held{held}: its deck stays as it was "
            "presented. An admin can reopen it."
        )


def _locked_session(session: TuningSession) -> TuningSession:
    """The session row under a lock, so two edits (or an edit and a hold) serialise."""
    return (
        TuningSession.objects.select_for_update(of=("self",))
        .select_related("quarter")
        .get(pk=session.pk)
    )


def _bump(session: TuningSession, *, expected_version: int | None, actor) -> None:
    """A change of the session's rows is a change of the session: its version moves on, so
    a form read before the change is told someone else edited the session meanwhile."""
    from metrics.services.errors import ConflictError

    if is_stale(session, expected_version):
        raise ConflictError(session)
    TuningSession.objects.filter(pk=session.pk).update(
        version=F("version") + 1, updated_by=actor_or_none(actor), updated_at=timezone.now()
    )
    session.version += 1
    data_changed()  # what its pages show changed: bumped at the end of the transaction


# --- open the next session ----------------------------------------------------------------


@dataclass
class OpenResult:
    session: TuningSession
    created: bool
    emailed: int = 0


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
                "status_deadline": f"The status deadline is before {target.label} begins "
                f"({target.start_date:%Y-%m-%d})."
            }
        )
    with data_write():
        source = _locked_session(source)
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
        _carry_over(
            source=source,
            session=session,
            new_year=target.fiscal_year,
            actor=actor,
            change_source=source_of_change,
        )
        _session_event(EventKind.SESSION_OPENED, session=session, actor=actor, notify=notify)
    emailed = session_open_notify(session=session) if notify else 0
    return OpenResult(session, created=True, emailed=emailed)


def _carry_over(
    *, source: TuningSession, session: TuningSession, new_year: int, actor, change_source: str
) -> None:
    MetricDefinition.objects.bulk_create(
        [
            MetricDefinition(
                session=session,
                metric_id=d.metric_id,
                outcome_id=d.outcome_id,
                name=d.name,
                baseline_text=d.baseline_text,
                goal_text=d.goal_text,
                order=d.order,
            )
            for d in MetricDefinition.objects.filter(session=source, is_retired=False)
        ]
    )
    objective_map, session_objectives = {}, []
    for row in session_objectives_presented(source):
        objective = row.objective
        if not row.carry_over:
            # Left behind (docs/okrs.md): in the same fiscal year the new session lists it as
            # retired, so its editor can bring it back; a new fiscal year does not copy it.
            if objective.fiscal_year == new_year:
                SessionObjective.objects.create(
                    session=session,
                    objective=objective,
                    narrative=row.narrative,
                    order=row.order,
                    is_retired=True,
                )
            continue
        if objective.fiscal_year != new_year:
            objective = _objective_copy(objective=objective, fiscal_year=new_year)
        else:
            _key_results_left_behind(objective=objective, actor=actor, source=change_source)
        objective_map[row.objective_id] = objective
        session_objectives.append(
            SessionObjective(
                session=session, objective=objective, narrative=row.narrative, order=row.order
            )
        )
    # In one statement: a create each (and its data version bump) was most of opening the next
    # session at scale 100 (800 objectives). The session's own creation bumped the version.
    SessionObjective.objects.bulk_create(session_objectives)
    KeyDeliverable.objects.bulk_create(
        [
            KeyDeliverable(
                session=session,
                title=d.title,
                objective=objective_map.get(d.objective_id),
                order=d.order,
            )
            for d in KeyDeliverable.objects.filter(session=source)
        ]
    )
    Footnote.objects.bulk_create(
        [
            Footnote(session=session, marker=f.marker, meaning=f.meaning)
            for f in Footnote.objects.filter(session=source)
        ]
    )
    Acronym.objects.bulk_create(
        [
            Acronym(session=session, term=a.term, meaning=a.meaning)
            for a in Acronym.objects.filter(session=source)
        ]
    )


def _key_results_left_behind(*, objective: Objective, actor, source: str) -> None:
    """The objective's active key results unmarked for carrying retire as the next session of
    the same fiscal year opens (key results are shared by the year's sessions; a held session
    keeps what it presented). The mark is reset, so restoring one carries it again."""
    for key_result in objective.key_results.filter(is_retired=False, carry_over=False):
        versioned_instance_update(
            instance=key_result,
            values={"is_retired": True, "carry_over": True},
            expected_version=None,
            actor=actor,
            source=source,
        )


def _objective_copy(*, objective: Objective, fiscal_year: int) -> Objective:
    """The objective (and its active key results, goals kept, no statuses) for another fiscal
    year; an existing copy is reused."""
    slug = f"{objective.slug}-fy{fiscal_year % 100:02d}"[:100]
    existing = Objective.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    copy = Objective.objects.create(
        priority_id=objective.priority_id,
        department_id=objective.department_id,
        fiscal_year=fiscal_year,
        short_name=objective.short_name,
        slug=slug,
        title=objective.title,
        statement=objective.statement,
        narrative=objective.narrative,
        target_quarter_text=objective.target_quarter_text,
        order=objective.order,
    )
    _key_results_copy(source=objective, to=copy)
    return copy


def _key_results_copy(*, source: Objective, to: Objective) -> None:
    """The source's active key results onto `to`: goals kept, no statuses."""
    KeyResult.objects.bulk_create(
        [
            KeyResult(
                objective=to,
                code=kr.code,
                description=kr.description,
                baseline_text=kr.baseline_text,
                goal_text=kr.goal_text,
                metric_id=kr.metric_id,
                milestone_total=kr.milestone_total,
                order=kr.order,
            )
            for kr in source.key_results.filter(is_retired=False, carry_over=True)
        ]
    )


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


# --- delete, hold, reopen -------------------------------------------------------------------


def _session_event(kind: str, *, session: TuningSession, actor, **extra) -> None:
    event_publish(
        kind=kind,
        actor=actor,
        payload={
            "session_id": session.pk,
            "title": session.title,
            "fiscal_year": session.quarter.fiscal_year,
            "quarter_number": session.quarter.number,
            "quarter": session.quarter.label,
            **extra,
        },
    )


def session_delete(*, actor, session: TuningSession, source: str = "form") -> None:
    """Deletes a session opened by mistake. Refused for a held session and for one whose
    quarter has entered statuses."""
    validate_source(source)
    with data_write():
        session = _locked_session(session)
        session_ensure_draft(session)
        count = entered_status_count(session)
        if count:
            raise ValidationError(
                f"{session.quarter.label} already has {count} entered status"
                f"{'es' if count != 1 else ''}: the session is in use and cannot be deleted."
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
        _session_event(EventKind.SESSION_DELETED, session=session, actor=actor)
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
    """Marks the session held: stores its deck and charts as presented and locks its quarter
    for every department, after the saves of the quarter in flight (they hold it shared; the
    next ones are refused). Each department's check-in state at the hold is kept in the
    snapshot's head. Holding a held session changes nothing."""
    from metrics.selectors.review import held_snapshot_head
    from metrics.selectors.snapshots import snapshot_build

    validate_source(source)
    with data_write():
        session = _locked_session(session)
        if session.state == SessionState.HELD:
            return session
        quarter_exclusive_lock(session.quarter)
        snapshot = snapshot_build(session.pk)
        now = timezone.now()
        changes = {
            "state": (session.state, SessionState.HELD),
            "held_at": (session.held_at, now),
            "held_by": (session.held_by_id, getattr(actor_or_none(actor), "pk", None)),
        }
        session.state, session.held_at, session.held_by = (
            SessionState.HELD,
            now,
            actor_or_none(actor),
        )
        session.snapshot = snapshot
        session.snapshot_head = held_snapshot_head(snapshot, session.quarter_id)
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
        _session_event(EventKind.SESSION_HELD, session=session, actor=actor)
    return session


def session_reopen(*, actor, session: TuningSession, source: str = "form") -> TuningSession:
    """Back to preparation (an admin's action): the snapshot is dropped, so the pages show the
    current figures again, and the quarter's locks are lifted: each department's quarter goes
    back to what it was before the hold (submitted stays submitted). Recorded in history."""
    validate_source(source)
    with data_write():
        session = _locked_session(session)
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
        _session_event(EventKind.SESSION_REOPENED, session=session, actor=actor)
    return session


def session_freeze_presented(*, actor=None, source: str = "form") -> int:
    """Held sessions without a snapshot (loaded held from a fixture) get one, and their
    quarters are locked: the seed's Q1 and Q2 sessions were presented. Returns how many."""
    validate_source(source)
    count = 0
    for session in TuningSession.objects.filter(
        state=SessionState.HELD, snapshot__isnull=True
    ).select_related("quarter"):
        from metrics.selectors.review import held_snapshot_head
        from metrics.selectors.snapshots import snapshot_build

        with data_write():
            snapshot = snapshot_build(session.pk)
            TuningSession.objects.filter(pk=session.pk).update(
                snapshot=snapshot,
                snapshot_head=held_snapshot_head(snapshot, session.quarter_id),
            )
            data_changed()  # its pages now read the stored deck
            for department in Department.objects.all():
                submission_lock(
                    department=department, quarter=session.quarter, actor=actor, source=source
                )
        count += 1
    return count


# --- authoring -------------------------------------------------------------------------------


def session_update(
    *,
    session: TuningSession,
    actor,
    source: str = "form",
    expected_version: int | None = None,
    quarter: Quarter | None = None,
    **fields,
) -> TuningSession:
    """The session's title and texts (Markdown, sanitised when rendered) and, while it is in
    preparation and unused, its quarter."""
    validate_source(source)
    validate_known_fields(fields, SESSION_TEXT_FIELDS)
    values = {name: (text or "").replace("\r\n", "\n") for name, text in fields.items()}
    if "title" in values:
        values["title"] = values["title"].strip()
        if not values["title"]:
            raise ValidationError({"title": "A session needs a title."})
        if len(values["title"]) > 300:
            raise ValidationError({"title": "At most 300 characters."})
    validate_markdown_length(values)
    with data_write():
        current = _locked_session(session)
        if current.state == SessionState.HELD:
            if quarter is not None and quarter.pk != current.quarter_id:
                raise SessionHeldError(
                    f"The {current.quarter.label} session was held: its quarter cannot change."
                )
            session_ensure_draft(current)
        if quarter is not None and quarter.pk != current.quarter_id:
            if TuningSession.objects.filter(
                priority_id=current.priority_id, quarter=quarter
            ).exists():
                raise ValidationError({"quarter": f"{quarter.label} has a session already."})
            if entered_status_count(current):
                raise ValidationError(
                    {"quarter": "The session's quarter has entered statuses; it cannot move."}
                )
            values["quarter"] = quarter
        updated, _changed = versioned_instance_update(
            instance=current,
            values=values,
            expected_version=expected_version,
            actor=actor,
            source=source,
        )
    return updated


def _draft_session_of(row) -> TuningSession:
    session = _locked_session(row.session)
    session_ensure_draft(session)
    return session


def deliverable_add(
    *,
    session: TuningSession,
    actor,
    title: str,
    objective: Objective | None = None,
    source: str = "form",
    expected_version: int | None = None,
) -> KeyDeliverable:
    validate_source(source)
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationError({"title": "A deliverable needs a title of at most 200 characters."})
    with data_write():
        session = _locked_session(session)
        session_ensure_draft(session)
        _bump(session, expected_version=expected_version, actor=actor)
        order = (
            KeyDeliverable.objects.filter(session=session).aggregate(top=Max("order"))["top"] or 0
        )
        deliverable = KeyDeliverable.objects.create(
            session=session, title=title, objective=objective, order=order + 1
        )
        history_record_created(
            instance=deliverable,
            fields=("session", "title", "objective", "order"),
            actor=actor,
            source=source,
        )
    return deliverable


def deliverable_update(
    *,
    deliverable: KeyDeliverable,
    actor,
    source: str = "form",
    expected_version: int | None = None,
    **fields,
) -> KeyDeliverable:
    """Title and linked objective."""
    validate_source(source)
    validate_known_fields(fields, {"title", "objective"})
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
        if not fields["title"] or len(fields["title"]) > 200:
            raise ValidationError({"title": "A deliverable needs a title (200 characters)."})
    with data_write():
        session = _draft_session_of(deliverable)
        changes = changes_between(deliverable, fields)
        if changes:
            _bump(session, expected_version=expected_version, actor=actor)
            for name, (_old, new) in changes.items():
                setattr(deliverable, name, new)
            deliverable.save()
            history_record(instance=deliverable, changes=changes, actor=actor, source=source)
    return deliverable


def deliverable_remove(
    *,
    deliverable: KeyDeliverable,
    actor,
    source: str = "form",
    expected_version: int | None = None,
) -> None:
    validate_source(source)
    with data_write():
        session = _draft_session_of(deliverable)
        _bump(session, expected_version=expected_version, actor=actor)
        history_record(
            instance=deliverable,
            changes={"deleted": (deliverable.title, None)},
            actor=actor,
            source=source,
        )
        deliverable.delete()


def _move(rows: list, row, step: int, *, actor, source: str) -> None:
    """Moves `row` one place up (-1) or down (+1) among `rows` and renumbers them 1..n."""
    index = next(i for i, r in enumerate(rows) if r.pk == row.pk)
    other = index + step
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for order, item in enumerate(rows, start=1):
        if item.order != order:
            history_record(
                instance=item, changes={"order": (item.order, order)}, actor=actor, source=source
            )
            type(item).objects.filter(pk=item.pk).update(order=order)
            item.order = order


def deliverable_move(
    *,
    deliverable: KeyDeliverable,
    actor,
    step: int,
    source: str = "form",
    expected_version: int | None = None,
) -> None:
    validate_source(source)
    with data_write():
        session = _draft_session_of(deliverable)
        _bump(session, expected_version=expected_version, actor=actor)
        rows = list(KeyDeliverable.objects.filter(session=session).order_by("order", "id"))
        _move(rows, deliverable, step, actor=actor, source=source)


def definition_update(
    *,
    definition: MetricDefinition,
    actor,
    source: str = "form",
    expected_version: int | None = None,
    **fields,
) -> MetricDefinition:
    """A metric row as this session prints it: its name, baseline and goal text; retiring
    (is_retired) takes it out of this session's tables and of the sessions opened after."""
    validate_source(source)
    validate_known_fields(fields, {*DEFINITION_FIELDS, "is_retired"})
    for name in DEFINITION_FIELDS:
        if name in fields:
            fields[name] = (fields[name] or "").strip()
            limit = 300 if name == "name" else 500
            if len(fields[name]) > limit:
                raise ValidationError({name: f"At most {limit} characters."})
    if "name" in fields and not fields["name"]:
        raise ValidationError({"name": "A metric row needs a name."})
    with data_write():
        _draft_session_of(definition)
        updated, _changed = versioned_instance_update(
            instance=definition,
            values=fields,
            expected_version=expected_version,
            actor=actor,
            source=source,
        )
    return updated


def definition_add(
    *, session: TuningSession, actor, metric, source: str = "form"
) -> MetricDefinition:
    """Adds a metric row (the metric's current definition) at the end of its outcome's rows;
    a retired row of the same metric comes back instead."""
    validate_source(source)
    with data_write():
        session = _locked_session(session)
        session_ensure_draft(session)
        existing = MetricDefinition.objects.filter(session=session, metric=metric).first()
        if existing is not None:
            if not existing.is_retired:
                raise ValidationError({"metric": f"{metric.name} is already a row."})
            return definition_update(
                definition=existing, actor=actor, source=source, is_retired=False
            )
        order = (
            MetricDefinition.objects.filter(session=session).aggregate(top=Max("order"))["top"] or 0
        )
        definition = MetricDefinition.objects.create(
            session=session,
            metric=metric,
            outcome_id=metric.outcome_id,
            name=metric.name,
            baseline_text=metric.baseline_text,
            goal_text=metric.goal_text,
            order=order + 1,
            updated_by=actor_or_none(actor),
        )
        history_record_created(
            instance=definition,
            fields=("session", "metric", "name", "baseline_text", "goal_text", "order"),
            actor=actor,
            source=source,
        )
    return definition


def definition_move(
    *, definition: MetricDefinition, actor, step: int, source: str = "form"
) -> None:
    validate_source(source)
    with data_write():
        session = _draft_session_of(definition)
        rows = list(
            MetricDefinition.objects.filter(
                session=session, outcome_id=definition.outcome_id
            ).order_by("order", "id")
        )
        _move(rows, definition, step, actor=actor, source=source)


@retried_when_transient
def session_objective_update(
    *,
    row: SessionObjective,
    actor,
    source: str = "form",
    expected_version: int | None = None,
    **fields,
) -> SessionObjective:
    """An objective as this session presents it: its narrative (Markdown) and whether it is
    still presented (is_retired)."""
    validate_source(source)
    validate_known_fields(fields, {"narrative", "is_retired"})
    if "narrative" in fields:
        fields["narrative"] = (fields["narrative"] or "").replace("\r\n", "\n")
        validate_markdown_length({"narrative": fields["narrative"]})
    with data_write():
        _draft_session_of(row)
        updated, _changed = versioned_instance_update(
            instance=row,
            values=fields,
            expected_version=expected_version,
            actor=actor,
            source=source,
        )
    return updated


def session_objective_move(*, row: SessionObjective, actor, step: int, source: str = "form"):
    validate_source(source)
    with data_write():
        session = _draft_session_of(row)
        rows = list(SessionObjective.objects.filter(session=session).order_by("order", "id"))
        _move(rows, row, step, actor=actor, source=source)


def draft_narratives_follow(*, objective: Objective, narrative: str, actor, source: str) -> None:
    """An objective's narrative edited outside a session goes to the sessions still in
    preparation that present it; held sessions keep the narrative they presented."""
    for row in SessionObjective.objects.filter(
        objective=objective, session__state=SessionState.DRAFT
    ).select_for_update(of=("self",)):
        versioned_instance_update(
            instance=row,
            values={"narrative": narrative},
            expected_version=None,
            actor=actor,
            source=source,
        )


# --- objectives and key results, authored in a session ------------------------------------------

KEY_RESULT_FIELDS = ("code", "description", "baseline_text", "goal_text", "milestone_total")


def _unique_slug(base: str) -> str:
    from django.utils.text import slugify

    base = (slugify(base) or "objective")[:90]
    slug, n = base, 2
    while Objective.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def objective_add(
    *,
    session: TuningSession,
    actor,
    short_name: str,
    title: str,
    statement: str,
    department: Department | None = None,
    source: str = "form",
) -> SessionObjective:
    """A new objective of the session's fiscal year, presented at the end of the session."""
    validate_source(source)
    short_name, title, statement = (
        (short_name or "").strip(),
        (title or "").strip(),
        (statement or "").strip(),
    )
    errors = {}
    if not short_name or len(short_name) > 100:
        errors["short_name"] = "A short name of at most 100 characters."
    if len(title) > 300:
        errors["title"] = "At most 300 characters."
    if not statement:
        errors["statement"] = "An objective needs its statement."
    if errors:
        raise ValidationError(errors)
    with data_write():
        session = _locked_session(session)
        session_ensure_draft(session)
        _bump(session, expected_version=None, actor=actor)
        objective = Objective.objects.create(
            priority_id=session.priority_id,
            department=department,
            fiscal_year=session.quarter.fiscal_year,
            short_name=short_name,
            slug=_unique_slug(short_name),
            title=title or short_name,
            statement=statement,
            updated_by=actor_or_none(actor),
        )
        history_record_created(
            instance=objective,
            fields=("short_name", "title", "statement", "department", "fiscal_year"),
            actor=actor,
            source=source,
        )
        order = (
            SessionObjective.objects.filter(session=session).aggregate(top=Max("order"))["top"] or 0
        )
        row = SessionObjective.objects.create(
            session=session, objective=objective, order=order + 1, updated_by=actor_or_none(actor)
        )
        history_record_created(
            instance=row, fields=("session", "objective", "order"), actor=actor, source=source
        )
    return row


def _clean_key_result_fields(fields: dict) -> dict:
    validate_known_fields(fields, {*KEY_RESULT_FIELDS, "is_retired", "objective"})
    values = dict(fields)
    for name in ("code", "description", "baseline_text", "goal_text"):
        if name in values:
            values[name] = (values[name] or "").replace("\r\n", "\n").strip()
    if "description" in values and not values["description"]:
        raise ValidationError({"description": "A key result needs its description."})
    if len(values.get("code", "")) > 20:
        raise ValidationError({"code": "At most 20 characters."})
    if len(values.get("baseline_text", "")) > 500:
        raise ValidationError({"baseline_text": "At most 500 characters."})
    validate_markdown_length({k: v for k, v in values.items() if k in ("description", "goal_text")})
    return values


def _ensure_presented(session: TuningSession, objective_id: int) -> None:
    if not SessionObjective.objects.filter(session=session, objective_id=objective_id).exists():
        raise ValidationError({"objective": "This objective is not part of the session."})


def key_result_add(
    *, session: TuningSession, objective: Objective, actor, source: str = "form", **fields
) -> KeyResult:
    validate_source(source)
    values = _clean_key_result_fields(fields)
    if not values.get("description"):
        raise ValidationError({"description": "A key result needs its description."})
    with data_write():
        session = _locked_session(session)
        session_ensure_draft(session)
        _ensure_presented(session, objective.pk)
        order = objective.key_results.aggregate(top=Max("order"))["top"] or 0
        key_result = KeyResult.objects.create(
            objective=objective, order=order + 1, updated_by=actor_or_none(actor), **values
        )
        history_record_created(
            instance=key_result, fields=(*values, "objective", "order"), actor=actor, source=source
        )
    return key_result


def key_result_update(
    *,
    session: TuningSession,
    key_result: KeyResult,
    actor,
    source: str = "form",
    expected_version: int | None = None,
    **fields,
) -> KeyResult:
    """Its texts and goal, retiring it (is_retired: not presented nor carried over), or moving
    it to another objective of the session (objective)."""
    validate_source(source)
    values = _clean_key_result_fields(fields)
    with data_write():
        session = _locked_session(session)
        session_ensure_draft(session)
        _ensure_presented(session, key_result.objective_id)
        if "objective" in values:
            _ensure_presented(session, values["objective"].pk)
            if values["objective"].pk != key_result.objective_id:
                top = values["objective"].key_results.aggregate(top=Max("order"))["top"] or 0
                values["order"] = top + 1
        updated, _changed = versioned_instance_update(
            instance=key_result,
            values=values,
            expected_version=expected_version,
            actor=actor,
            source=source,
        )
    return updated


def key_result_move(
    *, session: TuningSession, key_result: KeyResult, actor, step: int, source: str = "form"
) -> None:
    validate_source(source)
    with data_write():
        session = _locked_session(session)
        session_ensure_draft(session)
        _ensure_presented(session, key_result.objective_id)
        rows = list(KeyResult.objects.filter(objective_id=key_result.objective_id))
        rows.sort(key=lambda kr: (kr.order, kr.pk))
        _move(rows, key_result, step, actor=actor, source=source)


def objective_duplicate_next_quarter(
    *, row: SessionObjective, actor, source: str = "form"
) -> SessionObjective:
    """A copy of the objective (its active key results, goals kept, no statuses) presented in
    the next quarter's session, which must be open and in preparation."""
    validate_source(source)
    current = row.session
    target_quarter = next_quarter_of(current.quarter)
    target = (
        TuningSession.objects.filter(
            priority_id=current.priority_id,
            quarter__fiscal_year=target_quarter.fiscal_year,
            quarter__number=target_quarter.number,
        )
        .select_related("quarter")
        .first()
    )
    if target is None:
        raise ValidationError(f"Open the {target_quarter.label} session first.")
    with data_write():
        target = _locked_session(target)
        session_ensure_draft(target)
        source_objective = row.objective
        copy = Objective.objects.create(
            priority_id=source_objective.priority_id,
            department_id=source_objective.department_id,
            fiscal_year=target_quarter.fiscal_year,
            short_name=source_objective.short_name,
            slug=_unique_slug(f"{source_objective.slug}-{target_quarter.label}"),
            title=source_objective.title,
            statement=source_objective.statement,
            narrative=row.narrative,
            target_quarter_text=source_objective.target_quarter_text,
            target_quarter_id=source_objective.target_quarter_id,
            order=source_objective.order,
            updated_by=actor_or_none(actor),
        )
        history_record_created(
            instance=copy,
            fields=("short_name", "title", "statement", "fiscal_year"),
            actor=actor,
            source=source,
        )
        _key_results_copy(source=source_objective, to=copy)
        order = (
            SessionObjective.objects.filter(session=target).aggregate(top=Max("order"))["top"] or 0
        )
        new_row = SessionObjective.objects.create(
            session=target, objective=copy, narrative=row.narrative, order=order + 1
        )
        history_record_created(
            instance=new_row, fields=("session", "objective"), actor=actor, source=source
        )
    return new_row
