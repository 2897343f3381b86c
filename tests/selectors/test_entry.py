"""The entry pages' lookups: one query each, None for what does not exist (the views 404)."""

import pytest

from metrics import models
from metrics.selectors import entry
from tests import factories

pytestmark = pytest.mark.django_db


def test_unknown_rows_are_none_not_an_http_answer():
    assert entry.department_by_slug("nowhere") is None
    assert entry.quarter_stored(fiscal_year=2031, number=2) is None
    assert entry.objective_for_edit("nothing") is None
    assert entry.drilldown_for_edit(987654) is None


def test_a_department_without_a_submission_gets_an_unsaved_draft(django_assert_num_queries):
    department = factories.DepartmentFactory()
    quarter = factories.QuarterFactory(fiscal_year=2020, number=2)

    with django_assert_num_queries(1):
        submission = entry.submission_of(department=department, quarter=quarter)

    assert submission.pk is None
    assert (submission.department, submission.quarter) == (department, quarter)


def test_entry_departments_by_name_all_or_only_the_editable_ones():
    zeta = factories.DepartmentFactory(name="Zeta", slug="zeta")
    alpha = factories.DepartmentFactory(name="Alpha", slug="alpha")

    everything = entry.entry_departments(department_ids=None)
    mine = entry.entry_departments(department_ids={zeta.pk})

    assert everything.index(alpha) < everything.index(zeta)
    assert mine == [zeta]


def test_entry_metrics_leave_retired_metrics_out(django_assert_num_queries):
    department = factories.DepartmentFactory()
    kept = factories.MetricFactory(department=department)
    factories.SegmentFactory(metric=kept)
    factories.MetricFactory(department=department, state=models.MetricState.RETIRED)

    with django_assert_num_queries(2):
        metrics = entry.entry_metrics(department)
        segments = [list(metric.segments.all()) for metric in metrics]

    assert metrics == [kept]
    assert len(segments[0]) == 1
