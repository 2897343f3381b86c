"""The rows the entry pages (check-in, backfill, narrative edits) look up before they call a
service: one query each. None for what does not exist; the views answer 404."""

from django.db.models import QuerySet

from metrics.models import (
    Department,
    Drilldown,
    Metric,
    MetricState,
    Objective,
    Quarter,
    Submission,
)

RECENT_SUBMISSIONS = 40


def department_by_slug(slug: str) -> Department | None:
    return Department.objects.filter(slug=slug).first()


def quarter_stored(*, fiscal_year: int, number: int) -> Quarter | None:
    return Quarter.objects.filter(fiscal_year=fiscal_year, number=number).first()


def entry_departments(*, department_ids: set[int] | None) -> list[Department]:
    """The departments by name; `department_ids` None: all of them."""
    departments = Department.objects.order_by("name")
    if department_ids is not None:
        departments = departments.filter(pk__in=department_ids)
    return list(departments)


def recent_submissions(*, departments, limit: int = RECENT_SUBMISSIONS) -> QuerySet:
    """The latest quarters' submissions of `departments`, newest quarter first."""
    return (
        Submission.objects.filter(department__in=departments)
        .select_related("department", "quarter")
        .order_by("-quarter__fiscal_year", "-quarter__number")[:limit]
    )


def submission_of(*, department: Department, quarter: Quarter) -> Submission:
    """The department's submission for the quarter; an unsaved draft when there is none yet
    (the services create it on the first submit)."""
    found = Submission.objects.filter(department=department, quarter=quarter).first()
    return found or Submission(department=department, quarter=quarter)


def entry_metrics(department: Department) -> list[Metric]:
    """The department's metrics still reported (not retired), with their segments."""
    return list(
        Metric.objects.filter(department=department)
        .exclude(state=MetricState.RETIRED)
        .prefetch_related("segments")
    )


def objective_for_edit(slug: str) -> Objective | None:
    return Objective.objects.select_related("department").filter(slug=slug).first()


def drilldown_for_edit(pk: int) -> Drilldown | None:
    return (
        Drilldown.objects.select_related("objective__department", "session__quarter")
        .filter(pk=pk)
        .first()
    )
