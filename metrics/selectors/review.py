"""The review loop's reads (docs/review.md): each department's check-in state for a quarter,
how many submitted (live, or as it stood when the session was held), a held session's record,
and what a facilitator's hold or delete would leave behind or take with it. Bounded queries.

"Not started" is derived, not stored: a department with no submission row, or a draft one,
and nothing entered for the quarter (no metric or key-result status). Its state is "".
A locked check-in counts as what it was before the lock (a hold locks every department,
submitted or not): `review_state`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from metrics import models
from metrics.selectors.session_rules import (
    objectives_only_presented_by as _objectives_only_presented_by,
)
from metrics.selectors.submission_states import states_before_lock

NOT_STARTED = ""
COUNTED_AS_SUBMITTED = (models.SubmissionState.SUBMITTED, models.SubmissionState.APPROVED)


@dataclass(frozen=True)
class CheckinState:
    """A department's check-in for a quarter (the overview's and the review page's rows)."""

    department: str
    department_slug: str
    department_id: int
    state: str  # "" (not started) | draft | submitted | returned | approved | locked
    state_label: str
    review_state: str  # state; for a locked one, the state it was locked from
    submitted_at: datetime | None = None
    submitted_by: str = ""
    reviewed_at: datetime | None = None
    reviewed_by: str = ""
    review_comment: str = ""

    @property
    def counts_as_submitted(self) -> bool:
        return self.review_state in COUNTED_AS_SUBMITTED

    @property
    def is_approved(self) -> bool:
        return self.review_state == models.SubmissionState.APPROVED

    @property
    def awaits_review(self) -> bool:
        return self.state == models.SubmissionState.SUBMITTED


def state_label(state: str) -> str:
    return models.SubmissionState(state).label if state else _("Not started")


def _entered_department_ids(quarter_id: int, department_ids=None) -> set[int]:
    """Departments (of `department_ids`, or any) with a metric or key-result status entered
    for the quarter (2 queries)."""
    metric_side = models.QuarterlyStatus.objects.filter(quarter_id=quarter_id)
    key_result_side = models.KeyResultStatus.objects.filter(quarter_id=quarter_id)
    if department_ids is not None:
        metric_side = metric_side.filter(metric__department_id__in=department_ids)
        key_result_side = key_result_side.filter(
            key_result__objective__department_id__in=department_ids
        )
    metric_side = metric_side.values_list("metric__department_id", flat=True)
    key_result_side = key_result_side.values_list("key_result__objective__department_id", flat=True)
    return set(metric_side.distinct().order_by()) | set(key_result_side.distinct().order_by())


def checkin_states(quarter_id: int | None, departments=None) -> list[CheckinState]:
    """Every department's check-in for the quarter, by name (at most five queries; the
    departments' one is skipped when `departments` is given: DepartmentItem-like rows with
    name and slug, or Department rows)."""
    only = None if departments is None else [d.id for d in departments]
    if departments is None:
        departments = list(models.Department.objects.order_by("name"))
    if quarter_id is None:
        submissions, entered, before = {}, set(), {}
    else:
        rows = models.Submission.objects.filter(quarter_id=quarter_id)
        if only is not None:
            rows = rows.filter(department_id__in=only)
        submissions = {
            s.department.slug: s
            for s in rows.select_related("department", "submitted_by", "reviewed_by")
        }
        entered = _entered_department_ids(quarter_id, only)
        before = states_before_lock(
            s.pk for s in submissions.values() if s.state == models.SubmissionState.LOCKED
        )
    items = []
    for department in departments:
        submission = submissions.get(department.slug)
        department_id = department.id
        state = submission.state if submission else models.SubmissionState.DRAFT
        if state == models.SubmissionState.DRAFT and department_id not in entered:
            state = NOT_STARTED
        review_state = state
        if state == models.SubmissionState.LOCKED:
            review_state = before.get(submission.pk, models.SubmissionState.DRAFT)
        items.append(
            CheckinState(
                department=department.name,
                department_slug=department.slug,
                department_id=department_id,
                state=state,
                state_label=state_label(state),
                review_state=review_state,
                submitted_at=submission.submitted_at if submission else None,
                submitted_by=_username(submission.submitted_by if submission else None),
                reviewed_at=submission.reviewed_at if submission else None,
                reviewed_by=_username(submission.reviewed_by if submission else None),
                review_comment=submission.review_comment if submission else "",
            )
        )
    return items


def _username(user) -> str:
    return user.get_username() if user is not None else ""


# --- how many submitted -------------------------------------------------------------------


@dataclass(frozen=True)
class CheckinProgress:
    """ "1 of 5 departments submitted (1 approved); Legal ... had not submitted when the
    session was held": live, or as the hold recorded it."""

    total: int
    submitted: int
    approved: int
    missing: tuple[str, ...]  # the departments that have (had) not submitted, by name
    held: bool = False
    recorded: bool = True  # False: a session held before holds kept who had submitted

    @property
    def summary(self) -> str:
        if not self.recorded:
            return _("Who had submitted when this session was held was not recorded.")
        counted = ngettext(
            "%(submitted)d of %(total)d department submitted (%(approved)d approved)",
            "%(submitted)d of %(total)d departments submitted (%(approved)d approved)",
            self.total,
        ) % {"submitted": self.submitted, "total": self.total, "approved": self.approved}
        if not self.missing:
            return counted + (_(" when the session was held.") if self.held else ".")
        names = get_text_list(list(self.missing), _("and"))
        if self.held:
            rest = _("%(names)s had not submitted when the session was held.")
        else:
            rest = ngettext(
                "%(names)s has not submitted yet.",
                "%(names)s have not submitted yet.",
                len(self.missing),
            )
        return f"{counted}; {rest % {'names': names}}"


def checkin_progress(items, *, held: bool = False) -> CheckinProgress:
    items = list(items)
    return CheckinProgress(
        total=len(items),
        submitted=sum(1 for item in items if item.counts_as_submitted),
        approved=sum(1 for item in items if item.is_approved),
        missing=tuple(item.department for item in items if not item.counts_as_submitted),
        held=held,
    )


# --- the record a hold keeps ----------------------------------------------------------------

HEAD_KEY = "checkins"


def checkins_record(quarter_id: int) -> list[dict]:
    """Each department's check-in state as the hold finds it (before it locks them all),
    as JSON for the session's snapshot head."""
    return [
        {
            "department": item.department,
            "department_slug": item.department_slug,
            "department_id": item.department_id,
            "state": item.review_state,
            "submitted_at": item.submitted_at.isoformat() if item.submitted_at else None,
        }
        for item in checkin_states(quarter_id)
    ]


def held_checkins(session_id: int) -> list[CheckinState] | None:
    """A held session's departments as they stood when it was held (one query, reading the
    small snapshot head); None when the hold did not record them."""
    stored = (
        models.TuningSession.objects.filter(pk=session_id)
        .values_list(f"snapshot_head__{HEAD_KEY}", flat=True)
        .first()
    )
    if not isinstance(stored, list):
        return None
    return [
        CheckinState(
            department=row["department"],
            department_slug=row["department_slug"],
            department_id=row.get("department_id") or 0,
            state=row["state"],
            state_label=state_label(row["state"]),
            review_state=row["state"],
            submitted_at=datetime.fromisoformat(row["submitted_at"])
            if row.get("submitted_at")
            else None,
        )
        for row in stored
    ]


def held_progress(checkins: list[CheckinState] | None) -> CheckinProgress:
    if checkins is None:
        return CheckinProgress(
            total=0, submitted=0, approved=0, missing=(), held=True, recorded=False
        )
    return checkin_progress(checkins, held=True)


# --- what a hold or a delete would leave or take ------------------------------------------


@dataclass(frozen=True)
class HoldImpact:
    checkins: list[CheckinState]
    progress: CheckinProgress
    # Labels of the session's unresolved threads (at most OPEN_THREADS_NAMED), and how many.
    open_threads: tuple[str, ...] = ()
    open_thread_count: int = 0

    @property
    def not_ready(self) -> list[CheckinState]:
        """Departments neither submitted nor approved (the confirmation names them)."""
        return [item for item in self.checkins if not item.counts_as_submitted]

    @property
    def awaiting_review(self) -> list[CheckinState]:
        """Submitted, neither approved nor returned yet."""
        return [item for item in self.checkins if item.awaits_review]


OPEN_THREADS_NAMED = 20


def hold_impact(session: models.TuningSession) -> HoldImpact:
    checkins = checkin_states(session.quarter_id)
    open_threads = models.Thread.objects.filter(session=session, is_resolved=False)
    return HoldImpact(
        checkins=checkins,
        progress=checkin_progress(checkins),
        open_threads=tuple(
            open_threads.order_by("-last_comment_at", "id").values_list("label", flat=True)[
                :OPEN_THREADS_NAMED
            ]
        ),
        open_thread_count=open_threads.count(),
    )


@dataclass(frozen=True)
class DeleteImpact:
    statuses: int  # metric and key-result statuses entered for the quarter
    values: int  # of which with a value or a number
    comments: int  # of which with a comment
    emailed_departments: tuple[str, ...]  # whose leads the opening emailed (see below)
    reminded_departments: tuple[str, ...]  # whose leads got the deadline reminder
    objectives_removed: tuple[str, ...]

    @property
    def refused(self) -> bool:
        return self.statuses > 0


def delete_impact(session: models.TuningSession) -> DeleteImpact:
    """What deleting the session takes with it (about eight queries). The opening's emails are
    not stored: they went to each department with an active lead with an email address when
    the session was opened (session_open_notify's rule), which is what is counted."""
    quarter_id = session.quarter_id
    metric_statuses = models.QuarterlyStatus.objects.filter(quarter_id=quarter_id)
    kr_statuses = models.KeyResultStatus.objects.filter(quarter_id=quarter_id)
    statuses = metric_statuses.count() + kr_statuses.count()
    values = (
        metric_statuses.exclude(value__isnull=True).count()
        + kr_statuses.exclude(number__isnull=True).exclude(text="").count()
        if statuses
        else 0
    )
    comments = (
        metric_statuses.exclude(comment="").count() + kr_statuses.exclude(comment="").count()
        if statuses
        else 0
    )
    emailed = tuple(
        models.Department.objects.filter(leads__is_active=True, leads__email__gt="")
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )
    reminded = tuple(
        models.Submission.objects.filter(quarter_id=quarter_id, reminded_at__isnull=False)
        .order_by("department__name")
        .values_list("department__name", flat=True)
    )
    return DeleteImpact(
        statuses=statuses,
        values=values,
        comments=comments,
        emailed_departments=emailed,
        reminded_departments=reminded,
        objectives_removed=tuple(o.short_name for o in _objectives_only_presented_by(session)),
    )


# --- a deleted session's check-in link ---------------------------------------------------------

DELETED_FIELD = "session_deleted"


@dataclass(frozen=True)
class DeletedSession:
    title: str
    deleted_at: datetime
    deleted_by: str


def deleted_session_of(quarter: models.Quarter) -> DeletedSession | None:
    """The session of `quarter` that was deleted, when no session of that quarter exists now
    (one query; none for a quarter nobody stored): the check-in link the opening's emails
    carried answers with this instead of a draft check-in of a quarter with no session."""
    if quarter.pk is None:
        return None
    entry = (
        models.HistoryEntry.objects.filter(
            ~Exists(models.TuningSession.objects.filter(quarter_id=quarter.pk)),
            content_type=ContentType.objects.get_for_model(models.Quarter),
            object_id=quarter.pk,
            field=DELETED_FIELD,
        )
        .select_related("actor")
        .order_by("-changed_at", "-id")
        .first()
    )
    if entry is None:
        return None
    return DeletedSession(
        title=entry.old_value or "", deleted_at=entry.changed_at, deleted_by=_username(entry.actor)
    )
