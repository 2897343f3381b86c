from datetime import timedelta

import pytest
from django.utils import timezone

from metrics import models
from metrics.selectors.overview import departments, last_recompute, submissions_for_quarter
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_department_is_listed_with_its_submission_state():
    quarter = factories.QuarterFactory(fiscal_year=2020, number=2)
    product = factories.DepartmentFactory(name="Product", slug="product")
    factories.DepartmentFactory(name="Legal", slug="legal")
    models.Submission.objects.create(department=product, quarter=quarter, state="submitted")
    items = submissions_for_quarter(quarter.id, departments())
    assert [(i.department, i.state_label) for i in items] == [
        ("Legal", "Not started"),
        ("Product", "Submitted"),
    ]


def test_last_recompute_is_the_latest_successful_run():
    now = timezone.now()
    models.JobRun.objects.create(
        task_name="metrics.recompute_all", started_at=now - timedelta(hours=2),
        finished_at=now - timedelta(hours=2), outcome="success",
    )  # fmt: skip
    models.JobRun.objects.create(
        task_name="metrics.recompute_all", started_at=now, finished_at=now, outcome="failure"
    )
    assert last_recompute() == now - timedelta(hours=2)


def test_no_recompute_yet():
    assert last_recompute() is None
