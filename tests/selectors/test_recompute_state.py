"""The overview's recompute strip: the last successful recompute and the metrics still owed
one, read together in one query."""

from datetime import timedelta

import pytest
from django.utils import timezone

from metrics import models
from metrics.selectors.job_runs import RecomputeState, recompute_pending_count, recompute_state
from tests import factories

pytestmark = pytest.mark.django_db


def test_nothing_run_and_nothing_owed(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert recompute_state() == RecomputeState(None, 0)


def test_the_latest_successful_run_and_the_owed_metrics_in_one_query(django_assert_num_queries):
    now = timezone.now()
    earlier = now - timedelta(hours=2)
    models.JobRun.objects.create(
        task_name="metrics.recompute_all", started_at=earlier, finished_at=earlier,
        outcome="success",
    )  # fmt: skip
    models.JobRun.objects.create(
        task_name="metrics.recompute_all", started_at=now, finished_at=now, outcome="failure"
    )
    first, second = factories.MetricFactory(), factories.MetricFactory()
    for metric in (first, first, second, None, None):  # None: a request for everything
        models.RecomputeRequest.objects.create(metric=metric, reason="test")

    with django_assert_num_queries(1):
        state = recompute_state()

    assert state == RecomputeState(earlier, 3)
    assert state.pending == recompute_pending_count()
