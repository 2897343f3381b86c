"""The submission workflow of a department's quarter: draft -> submitted (by a lead) ->
locked (by an admin). A locked quarter refuses every edit of its figures; an admin can reopen
it. Permission checks are the caller's (metrics.permissions.can_submit / can_lock)."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from metrics.caching.versions import data_write
from metrics.models import (
    ChangeSource,
    Department,
    HistoryEntry,
    Quarter,
    Submission,
    SubmissionState,
)
from metrics.services.errors import LockedError
from metrics.services.events import EventKind, event_publish
from metrics.services.history import history_record
from metrics.services.versioned import actor_or_none


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


def submission_ensure_unlocked(*, department_id: int | None, quarter) -> None:
    """Raise LockedError when the department's quarter (a Quarter or a FiscalQuarter) is
    locked. Rows without a department belong to no submission and are never locked."""
    if department_id is None:
        return
    if Submission.objects.filter(
        department_id=department_id,
        quarter__fiscal_year=quarter.fiscal_year,
        quarter__number=quarter.number,
        state=SubmissionState.LOCKED,
    ).exists():
        raise LockedError(f"{quarter.label} is locked for this department; ask an admin to reopen.")


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
) -> Submission:
    with data_write():
        submission, _ = Submission.objects.select_for_update(of=("self",)).get_or_create(
            department=department, quarter=quarter
        )
        if submission.state == to_state:
            return submission
        if submission.state not in allowed_from:
            if submission.state == SubmissionState.LOCKED:
                raise LockedError(f"{quarter.label} is locked for {department}.")
            raise ValidationError(
                {
                    "state": f"A {submission.get_state_display().lower()} quarter cannot become "
                    f"{SubmissionState(to_state).label.lower()}."
                }
            )
        old_state = submission.state
        now = timezone.now()
        submission.state = to_state
        update_fields = ["state"]
        if to_state == SubmissionState.SUBMITTED and not restoring:
            submission.submitted_at, submission.submitted_by = now, actor_or_none(actor)
            update_fields += ["submitted_at", "submitted_by"]
        elif to_state == SubmissionState.LOCKED:
            submission.locked_at, submission.locked_by = now, actor_or_none(actor)
            update_fields += ["locked_at", "locked_by"]
        submission.save(update_fields=update_fields)
        history_record(
            instance=submission,
            changes={"state": (old_state, to_state)},
            actor=actor,
            source=source,
            changed_at=now,
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
    return _transition(
        department=department,
        quarter=quarter,
        actor=actor,
        source=source,
        to_state=SubmissionState.SUBMITTED,
        allowed_from={SubmissionState.DRAFT},
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
        allowed_from={SubmissionState.DRAFT, SubmissionState.SUBMITTED},
    )


def submission_reopen(
    *, department: Department, quarter: Quarter, actor, source: str = ChangeSource.FORM
) -> Submission:
    """Back to draft (an admin unlocking, or a lead withdrawing a submission)."""
    return _transition(
        department=department,
        quarter=quarter,
        actor=actor,
        source=source,
        to_state=SubmissionState.DRAFT,
        allowed_from={SubmissionState.SUBMITTED, SubmissionState.LOCKED},
    )


def submission_unlock(
    *, department: Department, quarter: Quarter, actor, source: str = ChangeSource.FORM
) -> Submission:
    """Lift a lock back to the state the quarter had before it (a reopened session): a
    department that had submitted stays submitted, with its submission's time and author;
    one locked from a draft is a draft again. Read from the submission's history."""
    current = submission_get(department=department, quarter=quarter)
    before = SubmissionState.DRAFT
    if current.pk is not None:
        locked = (
            HistoryEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Submission),
                object_id=current.pk,
                field="state",
                new_value=SubmissionState.LOCKED,
            )
            .order_by("-changed_at", "-id")
            .values_list("old_value", flat=True)
            .first()
        )
        if locked == SubmissionState.SUBMITTED and current.submitted_at is not None:
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
    *, department: Department, quarter: Quarter, state: str, actor, source: str
) -> Submission:
    """Bring the department's quarter to `state` by the workflow's own steps (an admin
    choosing the state outright): draft -> submitted -> locked, reopen back to draft. A step
    the workflow does not allow (locked -> submitted) is a ValidationError on "state"."""
    steps = {
        SubmissionState.DRAFT: submission_reopen,
        SubmissionState.SUBMITTED: submission_submit,
        SubmissionState.LOCKED: submission_lock,
    }
    if state not in steps:
        raise ValidationError({"state": f"Choose one of: {', '.join(SubmissionState.labels)}."})
    current = submission_get(department=department, quarter=quarter)
    if current.state == state:
        if current.pk is None:
            # A draft made explicit: nothing to record but the row itself.
            current.save()
        return current
    return steps[state](department=department, quarter=quarter, actor=actor, source=source)


def submission_delete(*, submission: Submission, actor, source: str) -> None:
    """Forget a department's quarter (it reads as a draft again). A locked quarter is
    reopened first, on purpose (LockedError): deleting must never be a quiet unlock."""
    with data_write():
        current = Submission.objects.select_for_update(of=("self",)).get(pk=submission.pk)
        if current.state == SubmissionState.LOCKED:
            raise LockedError(
                f"{current.quarter.label} is locked for {current.department}; "
                "reopen it instead of deleting it."
            )
        history_record(
            instance=current, changes={"state": (current.state, None)}, actor=actor, source=source
        )
        current.delete()


def _recompute_department(department: Department, *, reason: str) -> None:
    from metrics.services.recompute_requests import recompute_request

    recompute_request(metric_ids=department.metrics.values_list("pk", flat=True), reason=reason)
