"""What the executive overview shows besides the deck: which departments have submitted
their status for the quarter, and when the figures were last recomputed."""

from dataclasses import dataclass
from datetime import datetime

from metrics import models
from metrics.selectors.job_runs import job_run_latest


@dataclass(frozen=True)
class DepartmentItem:
    name: str
    slug: str


@dataclass(frozen=True)
class SubmissionItem:
    department: str
    department_slug: str
    state: str  # draft | submitted | locked | "" (nothing started)
    state_label: str
    submitted_at: datetime | None


def departments() -> list[DepartmentItem]:
    return [DepartmentItem(d.name, d.slug) for d in models.Department.objects.order_by("name")]


def submissions_for_quarter(quarter_id: int, all_departments: list[DepartmentItem]):
    """Every department with its submission state for the quarter (one query)."""
    by_slug = {
        s.department.slug: s
        for s in models.Submission.objects.filter(quarter_id=quarter_id).select_related(
            "department"
        )
    }
    items = []
    for department in all_departments:
        submission = by_slug.get(department.slug)
        items.append(
            SubmissionItem(
                department=department.name,
                department_slug=department.slug,
                state=submission.state if submission else "",
                state_label=submission.get_state_display() if submission else "Not started",
                submitted_at=submission.submitted_at if submission else None,
            )
        )
    return items


def last_recompute() -> datetime | None:
    """When a recompute last finished successfully (one query)."""
    run = job_run_latest()
    return run.finished_at if run else None
