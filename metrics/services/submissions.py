"""The submission workflow of a department's quarter (its check-in) and its review loop:

    draft -> submitted (a lead) -> approved | returned with a comment (a reviewer)
    returned -> submitted again; submitted | approved -> draft (the lead withdraws it)
    any -> locked (an admin, or holding the quarter's session); locked -> what it was

A locked quarter refuses every edit of its figures; a submitted or approved one refuses its
leads' edits until they withdraw it (admins may still correct it). Permission checks are the
caller's (metrics.permissions.can_submit / can_review / can_withdraw / can_lock); a person who
leads the department is refused a review here too. See docs/review.md.

Saves and holds of one quarter serialise on its Quarter row: every save's check takes it
shared (PostgreSQL `FOR SHARE`), locking a department's quarter (a hold) takes it exclusively,
so a save is either in the held deck or refused with LockedError (SQLite's IMMEDIATE
transactions serialise every write already)."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics import permissions
from metrics.caching.versions import data_write
from metrics.models import (
    ChangeSource,
    Department,
    Quarter,
    Submission,
    SubmissionState,
)
from metrics.selectors.submission_states import states_before_lock
from metrics.services.errors import LockedError
from metrics.services.events import EventKind, event_publish
from metrics.services.history import history_record
from metrics.services.recompute_requests import recompute_request
from metrics.services.versioned import actor_or_none

REVIEW_COMMENT_MAX = 2000

# submission_ensure_unlocked without an actor checks the lock only (narratives, drill-down
# tables, deletions): the review's read-only rule is about the check-in's figures.
UNCHECKED = object()


class UnderReviewError(LockedError):
    """The department's check-in is submitted or approved: read-only for its leads until they
    withdraw it."""


def quarters_share_lock(keys: Iterable[tuple[int, int]]) -> None:
    """Take the (fiscal_year, number) quarters' rows shared until the transaction ends, in id
    order: saves run side by side, a hold waits for them and they wait for a hold. Must run
    inside the save's transaction, before it reads whether the quarter is locked (a later
    statement, so it sees a hold that committed while it waited). PostgreSQL only."""
    keys = sorted(set(keys))
    if connection.vendor != "postgresql" or not keys:
        return
    table = Quarter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE (fiscal_year, number) IN "  # noqa: S608
            "(SELECT * FROM unnest(%s::integer[], %s::integer[])) ORDER BY id FOR SHARE",
            [[key[0] for key in keys], [key[1] for key in keys]],
        )


def quarter_exclusive_lock(quarter: Quarter) -> None:
    """Take the quarter's row exclusively until the transaction ends: waits for every save
    of the quarter in flight, and holds back the next ones until the lock commits."""
    if quarter.pk is not None:
        list(Quarter.objects.select_for_update(of=("self",)).filter(pk=quarter.pk).values("pk"))


def submission_locked_quarters(*, department_ids: Iterable[int]) -> set[tuple[int, int, int]]:
    """(department_id, fiscal_year, quarter number) of every locked quarter of the
    departments, in one query."""
    department_ids = set(department_ids) - {None}
    if not department_ids:
        return set()
    return set(
        Submission.objects.filter(
            department_id__in=department_ids, state=SubmissionState.LOCKED
        ).values_list("department_id", "quarter__fiscal_year", "quarter__number")
    )


def submission_closed_quarters(
    *, department_ids: Iterable[int], quarters: Iterable[tuple[int, int]], actor
) -> dict[tuple[int, int, int], str]:
    """{(department_id, fiscal_year, number): why} of the departments' quarters among
    `quarters` that refuse `actor`'s writes (locked; under review for a lead), after taking
    those quarters shared (quarters_share_lock). The bulk writers' check (one query)."""
    department_ids, quarters = set(department_ids) - {None}, set(quarters)
    if not department_ids or not quarters:
        return {}
    quarters_share_lock(quarters)
    found = [
        row
        for row in Submission.objects.filter(
            department_id__in=department_ids,
            quarter__fiscal_year__in={fiscal_year for fiscal_year, _ in quarters},
            state__in={SubmissionState.LOCKED, *permissions.UNDER_REVIEW},
        ).values_list("department_id", "quarter__fiscal_year", "quarter__number", "state")
        if (row[1], row[2]) in quarters
    ]
    # Who the actor is matters only when a quarter is under review (a role costs a query).
    under_review_closed = any(row[3] != SubmissionState.LOCKED for row in found) and (
        not permissions.edits_under_review(actor)
    )
    return {
        (department_id, fiscal_year, number): _closed_reason(state)
        for department_id, fiscal_year, number, state in found
        if state == SubmissionState.LOCKED or under_review_closed
    }


def _closed_reason(state: str) -> str:
    if state == SubmissionState.LOCKED:
        return _("locked for this department")
    if state == SubmissionState.APPROVED:
        return _("approved: read-only until the lead withdraws it")
    return _("submitted for review: read-only until the lead withdraws it")


def submission_ensure_unlocked(*, department_id: int | None, quarter, actor=UNCHECKED) -> None:
    """Raise LockedError when the department's quarter (a Quarter or a FiscalQuarter) is
    locked, and UnderReviewError when it is submitted or approved and `actor` (given by the
    check-in's writers) is one of its leads. Takes the quarter shared first, so that a hold
    of it waits for this save (quarters_share_lock). Rows without a department belong to no
    submission and are never locked."""
    if department_id is None:
        return
    quarters_share_lock([(quarter.fiscal_year, quarter.number)])
    state = (
        Submission.objects.filter(
            department_id=department_id,
            quarter__fiscal_year=quarter.fiscal_year,
            quarter__number=quarter.number,
        )
        .values_list("state", flat=True)
        .first()
    )
    if state == SubmissionState.LOCKED:
        raise LockedError(
            _("%(quarter)s is locked for this department; ask an admin to reopen.")
            % {"quarter": quarter.label}
        )
    if (
        state in permissions.UNDER_REVIEW
        and actor is not UNCHECKED
        and not permissions.edits_under_review(actor)
    ):
        message = (
            _("%(quarter)s is approved: the check-in is read-only until you withdraw it.")
            if state == SubmissionState.APPROVED
            else _(
                "%(quarter)s is submitted for review: the check-in is read-only until you "
                "withdraw it."
            )
        )
        raise UnderReviewError(message % {"quarter": quarter.label})


def submission_get(*, department: Department, quarter: Quarter) -> Submission:
    """The submission row, unsaved (draft) when none exists yet."""
    found = Submission.objects.filter(department=department, quarter=quarter).first()
    return found or Submission(department=department, quarter=quarter)


def _transition(
    *,
    department,
    quarter,
    actor,
    to_state: str,
    allowed_from: set[str],
    source: str,
    restoring: bool = False,
    comment: str | None = None,
) -> Submission:
    with data_write():
        if to_state == SubmissionState.LOCKED:
            # Before the department's row: the order a hold takes them in (no deadlock).
            quarter_exclusive_lock(quarter)
        submission, _created = Submission.objects.select_for_update(of=("self",)).get_or_create(
            department=department, quarter=quarter
        )
        if submission.state == to_state and comment is None:
            return submission
        if submission.state not in allowed_from:
            if submission.state == SubmissionState.LOCKED:
                raise LockedError(
                    _("%(quarter)s is locked for %(department)s.")
                    % {"quarter": quarter.label, "department": department}
                )
            label = submission.get_state_display().lower()
            if label[:1] in "aeiou":
                message = _("An %(state)s quarter cannot become %(new_state)s.")
            else:
                message = _("A %(state)s quarter cannot become %(new_state)s.")
            raise ValidationError(
                {
                    "state": message
                    % {"state": label, "new_state": SubmissionState(to_state).label.lower()}
                }
            )
        old_state, old_comment = submission.state, submission.review_comment
        now = timezone.now()
        submission.state = to_state
        update_fields = ["state"]
        if to_state == SubmissionState.SUBMITTED and not restoring:
            submission.submitted_at, submission.submitted_by = now, actor_or_none(actor)
            update_fields += ["submitted_at", "submitted_by"]
        elif to_state == SubmissionState.LOCKED:
            submission.locked_at, submission.locked_by = now, actor_or_none(actor)
            update_fields += ["locked_at", "locked_by"]
        elif to_state in (SubmissionState.APPROVED, SubmissionState.RETURNED) and not restoring:
            submission.reviewed_at, submission.reviewed_by = now, actor_or_none(actor)
            update_fields += ["reviewed_at", "reviewed_by"]
        changes = {"state": (old_state, to_state)}
        if comment is not None and comment != old_comment:
            submission.review_comment = comment
            update_fields.append("review_comment")
            changes["review_comment"] = (old_comment, comment)
        submission.save(update_fields=update_fields)
        history_record(
            instance=submission, changes=changes, actor=actor, source=source, changed_at=now
        )
        event_publish(
            kind=EventKind.SUBMISSION_CHANGED,
            actor=actor,
            payload={
                "submission_id": submission.pk,
                "department_id": department.pk,
                "department": department.name,
                "fiscal_year": quarter.fiscal_year,
                "quarter_number": quarter.number,
                "quarter": quarter.label,
                "from_state": old_state,
                "to_state": to_state,
                "source": source,
                # Who acted and what a return says: the lead's notice quotes it, and a
                # withdrawal tells the reviewers who took it back.
                "actor_id": getattr(actor_or_none(actor), "pk", None),
                "actor": actor.get_username() if actor_or_none(actor) else "",
                "comment": submission.review_comment
                if to_state == SubmissionState.RETURNED
                else "",
            },
        )
        if old_state == SubmissionState.LOCKED:
            # The recompute left the locked cells alone; figures they depend on may have
            # changed meanwhile.
            _recompute_department(department, reason=f"{quarter.label} reopened ({source})")
        return submission


def submission_submit(
    *, department: Department, quarter: Quarter, actor, source: str = ChangeSource.FORM
) -> Submission:
    """A lead sends the check-in for review (again, after a return)."""
    return _transition(
        department=department,
        quarter=quarter,
        actor=actor,
        source=source,
        to_state=SubmissionState.SUBMITTED,
        allowed_from={SubmissionState.DRAFT, SubmissionState.RETURNED},
    )


def _ensure_not_own(actor, department, verb: str) -> None:
    if permissions.leads_department(actor, department):
        raise PermissionDenied(
            _("You lead %(department)s: someone else %(verb)s its check-in.")
            % {"department": department, "verb": verb}
        )


def submission_approve(
    *, department: Department, quarter: Quarter, actor, source: str = ChangeSource.FORM
) -> Submission:
    """A reviewer approves a submitted check-in (never one of a department they lead:
    PermissionDenied). It stays read-only for its leads until they withdraw it."""
    _ensure_not_own(actor, department, _("approves"))
    return _transition(
        department=department,
        quarter=quarter,
        actor=actor,
        source=source,
        to_state=SubmissionState.APPROVED,
        allowed_from={SubmissionState.SUBMITTED},
    )


def submission_return(
    *,
    department: Department,
    quarter: Quarter,
    actor,
    comment: str,
    source: str = ChangeSource.FORM,
) -> Submission:
    """A reviewer sends a submitted (or approved) check-in back to its leads with a comment
    they see at the top of it; they edit and submit again. ValidationError on "comment" when
    it is empty or too long; PermissionDenied for a department the reviewer leads."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what the lead should change.")})
    if len(comment) > REVIEW_COMMENT_MAX:
        raise ValidationError(
            {"comment": _("Keep it under %(max)d characters.") % {"max": REVIEW_COMMENT_MAX}}
        )
    _ensure_not_own(actor, department, _("returns"))
    return _transition(
        department=department,
        quarter=quarter,
        actor=actor,
        source=source,
        comment=comment,
        to_state=SubmissionState.RETURNED,
        allowed_from={SubmissionState.SUBMITTED, SubmissionState.APPROVED},
    )


def submission_withdraw(
    *, department: Department, quarter: Quarter, actor, source: str = ChangeSource.FORM
) -> Submission:
    """The lead takes a submitted or approved check-in back to draft to edit it (the
    reviewers are told through submission.changed)."""
    return _transition(
        department=department,
        quarter=quarter,
        actor=actor,
        source=source,
        to_state=SubmissionState.DRAFT,
        allowed_from=set(permissions.UNDER_REVIEW),
    )


def submission_lock(
    *, department: Department, quarter: Quarter, actor, source: str = ChangeSource.FORM
) -> Submission:
    return _transition(
        department=department,
        quarter=quarter,
        actor=actor,
        source=source,
        to_state=SubmissionState.LOCKED,
        allowed_from={
            SubmissionState.DRAFT,
            SubmissionState.SUBMITTED,
            SubmissionState.RETURNED,
            SubmissionState.APPROVED,
        },
    )


def submission_reopen(
    *, department: Department, quarter: Quarter, actor, source: str = ChangeSource.FORM
) -> Submission:
    """Back to draft (an admin unlocking or resetting, or a lead withdrawing a submission)."""
    return _transition(
        department=department,
        quarter=quarter,
        actor=actor,
        source=source,
        to_state=SubmissionState.DRAFT,
        allowed_from={
            SubmissionState.SUBMITTED,
            SubmissionState.RETURNED,
            SubmissionState.APPROVED,
            SubmissionState.LOCKED,
        },
    )


def submission_unlock(
    *, department: Department, quarter: Quarter, actor, source: str = ChangeSource.FORM
) -> Submission:
    """Lift a lock back to the state the quarter had before it (a reopened session): a
    department that had submitted stays submitted, with its submission's time and author; an
    approved or returned one stays so; one locked from a draft is a draft again. Read from
    the submission's history."""
    current = submission_get(department=department, quarter=quarter)
    before = SubmissionState.DRAFT
    if current.pk is not None:
        locked_from = states_before_lock([current.pk]).get(current.pk)
        if locked_from in (SubmissionState.APPROVED, SubmissionState.RETURNED):
            before = locked_from
        elif locked_from == SubmissionState.SUBMITTED and current.submitted_at is not None:
            before = SubmissionState.SUBMITTED
    return _transition(
        department=department,
        quarter=quarter,
        actor=actor,
        source=source,
        to_state=before,
        allowed_from={SubmissionState.LOCKED},
        restoring=True,
    )


def submission_state_set(
    *,
    department: Department,
    quarter: Quarter,
    state: str,
    actor,
    source: str,
    comment: str = "",
) -> Submission:
    """Bring the department's quarter to `state` by the workflow's own steps (an admin
    choosing the state outright): draft -> submitted -> approved or returned (with
    `comment`) -> locked, reopen back to draft. A step the workflow does not allow (locked ->
    submitted, draft -> approved) is a ValidationError on "state"; reviewing a department
    the admin leads is PermissionDenied."""
    steps = {
        SubmissionState.DRAFT: submission_reopen,
        SubmissionState.SUBMITTED: submission_submit,
        SubmissionState.APPROVED: submission_approve,
        SubmissionState.RETURNED: lambda **kwargs: submission_return(comment=comment, **kwargs),
        SubmissionState.LOCKED: submission_lock,
    }
    if state not in steps:
        raise ValidationError(
            {
                "state": _("Choose one of: %(choices)s.")
                % {"choices": ", ".join(map(str, SubmissionState.labels))}
            }
        )
    current = submission_get(department=department, quarter=quarter)
    if current.state == state:
        if current.pk is None:
            # A draft made explicit: nothing to record but the row itself.
            current.save()
        return current
    if state == SubmissionState.RETURNED and not comment.strip():
        raise ValidationError({"state": _("Returning a check-in needs a review comment.")})
    return steps[state](department=department, quarter=quarter, actor=actor, source=source)


def submission_delete(*, submission: Submission, actor, source: str) -> None:
    """Forget a department's quarter (it reads as a draft again). A locked quarter is
    reopened first, on purpose (LockedError): deleting must never be a quiet unlock."""
    with data_write():
        current = Submission.objects.select_for_update(of=("self",)).get(pk=submission.pk)
        if current.state == SubmissionState.LOCKED:
            raise LockedError(
                _("%(quarter)s is locked for %(department)s; reopen it instead of deleting it.")
                % {"quarter": current.quarter.label, "department": current.department}
            )
        history_record(
            instance=current, changes={"state": (current.state, None)}, actor=actor, source=source
        )
        current.delete()


def _recompute_department(department: Department, *, reason: str) -> None:
    recompute_request(metric_ids=department.metrics.values_list("pk", flat=True), reason=reason)
