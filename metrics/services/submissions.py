"""The submission workflow of a department's quarter: draft -> submitted (by a lead) ->
locked (by an admin). A locked quarter refuses every edit of its figures; an admin can reopen
it. Permission checks are the caller's (metrics.permissions.can_submit / can_lock)."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from metrics.models import ChangeSource, Department, Quarter, Submission, SubmissionState
from metrics.services.errors import LockedError
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


def _transition(*, department, quarter, actor, to_state: str, allowed_from: set[str]) -> Submission:
    with transaction.atomic():
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
        if to_state == SubmissionState.SUBMITTED:
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
            source=ChangeSource.FORM,
            changed_at=now,
        )
        return submission


def submission_submit(*, department: Department, quarter: Quarter, actor) -> Submission:
    return _transition(
        department=department,
        quarter=quarter,
        actor=actor,
        to_state=SubmissionState.SUBMITTED,
        allowed_from={SubmissionState.DRAFT},
    )


def submission_lock(*, department: Department, quarter: Quarter, actor) -> Submission:
    return _transition(
        department=department,
        quarter=quarter,
        actor=actor,
        to_state=SubmissionState.LOCKED,
        allowed_from={SubmissionState.DRAFT, SubmissionState.SUBMITTED},
    )


def submission_reopen(*, department: Department, quarter: Quarter, actor) -> Submission:
    """Back to draft (an admin unlocking, or a lead withdrawing a submission)."""
    return _transition(
        department=department,
        quarter=quarter,
        actor=actor,
        to_state=SubmissionState.DRAFT,
        allowed_from={SubmissionState.SUBMITTED, SubmissionState.LOCKED},
    )
