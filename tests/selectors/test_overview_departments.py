"""The overview's counts and check-in states cached per department: always equal to the
whole-organisation reads, before and after a save; a save recounts its department only."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics import models
from metrics.caching.versions import data_version_current
from metrics.management.commands.generate_demo_data import demo_data_generate
from metrics.selectors.overview import attainment_tally, confidence_tally, departments
from metrics.selectors.overview_departments import (
    attainment_tally_of,
    checkin_states_of,
    confidence_tally_of,
    department_figures,
)
from metrics.selectors.review import checkin_states
from metrics.selectors.session_pages import session_header
from metrics.services.key_results import key_result_status_save
from metrics.services.statuses import quarterly_status_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated():
    demo_data_generate(scale=2, seed=3)
    session = models.TuningSession.objects.order_by(
        "-quarter__fiscal_year", "-quarter__number"
    ).first()
    return session_header(session.id)


def _ids():
    return [d.id for d in departments()] + [None]


def _figures(header):
    return department_figures(header, departments(), version=data_version_current())


def _assert_equal_to_whole_reads(header):
    figures = _figures(header)
    assert attainment_tally_of(figures, _ids()) == attainment_tally(header)
    assert confidence_tally_of(figures, _ids()) == confidence_tally(header)
    for item in departments():
        assert attainment_tally_of(figures, [item.id]) == attainment_tally(
            header, department=item.slug
        )
        assert confidence_tally_of(figures, [item.id]) == confidence_tally(
            header, department=item.slug
        )
    assert checkin_states_of(figures, departments()) == checkin_states(
        header.quarter_id, departments()
    )


def _open_metric(header):
    locked = models.Submission.objects.filter(
        quarter_id=header.quarter_id, state=models.SubmissionState.LOCKED
    ).values("department_id")
    return (
        models.MetricDefinition.objects.filter(session_id=header.session_id, is_retired=False)
        .exclude(metric__department_id__in=locked)
        .select_related("metric")
        .first()
        .metric
    )


def test_equal_to_the_whole_reads_cold_and_cached(generated):
    _assert_equal_to_whole_reads(generated)
    _assert_equal_to_whole_reads(generated)


def test_a_metric_save_is_counted_and_recounts_its_department_only(generated):
    user = UserFactory(is_superuser=True)
    metric = _open_metric(generated)
    quarter = models.Quarter.objects.get(pk=generated.quarter_id)
    _assert_equal_to_whole_reads(generated)
    quarterly_status_save(
        metric=metric, segment=None, quarter=quarter, actor=user, source="form",
        value=Decimal("3"),
    )  # fmt: skip
    all_departments = departments()
    version = data_version_current()
    with CaptureQueriesContext(connection) as queries:
        figures = department_figures(generated, all_departments, version=version)
    assert attainment_tally_of(figures, _ids()) == attainment_tally(generated)
    _assert_equal_to_whole_reads(generated)
    # Only the saved department's metrics were read again.
    definitions = [
        q["sql"] for q in queries if q["sql"].startswith('SELECT "metrics_metricdefinition"')
    ]
    assert len(definitions) == 1
    assert f"IN ({metric.department_id}))" in definitions[0]
    assert len(queries) <= 8


def test_a_key_result_confidence_is_counted(generated):
    user = UserFactory(is_superuser=True)
    key_result = (
        models.KeyResult.objects.filter(
            is_retired=False,
            objective__priority_id=generated.priority_id,
            objective__fiscal_year=generated.fiscal_year,
        )
        .exclude(
            objective__department__submissions__quarter_id=generated.quarter_id,
            objective__department__submissions__state=models.SubmissionState.LOCKED,
        )
        .first()
    )
    _assert_equal_to_whole_reads(generated)
    key_result_status_save(
        key_result=key_result,
        quarter=models.Quarter.objects.get(pk=generated.quarter_id),
        actor=user,
        source="form",
        confidence=models.Confidence.AT_RISK,
    )
    _assert_equal_to_whole_reads(generated)
