"""Migration 0007: values kept by hand on statuses become whole-quarter observations, so the
cells read the same once the recompute derives them from the observations."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("metrics", "0006_session_lifecycle")]
AFTER = [("metrics", "0007_quarter_value_from_observations")]


def test_hand_values_and_unexplained_values_become_quarter_observations():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Metric = apps.get_model("metrics", "Metric")
    Quarter = apps.get_model("metrics", "Quarter")
    Status = apps.get_model("metrics", "QuarterlyStatus")
    Observation = apps.get_model("metrics", "Observation")
    Priority = apps.get_model("metrics", "Priority")
    Outcome = apps.get_model("metrics", "Outcome")
    outcome = Outcome.objects.create(
        priority=Priority.objects.create(name="P", slug="p"), statement="We will."
    )
    metric = Metric.objects.create(outcome=outcome, name="Editors", slug="editors")
    q2 = Quarter.objects.create(
        fiscal_year=2020, number=2, start_date=date(2020, 10, 1), end_date=date(2020, 12, 31)
    )
    q3 = Quarter.objects.create(
        fiscal_year=2020, number=3, start_date=date(2021, 1, 1), end_date=date(2021, 3, 31)
    )
    q4 = Quarter.objects.create(
        fiscal_year=2020, number=4, start_date=date(2021, 4, 1), end_date=date(2021, 6, 30)
    )
    for month in (10, 11, 12):
        Observation.objects.create(
            metric=metric,
            period_start=date(2020, month, 1),
            period_end=date(2020, month, 28),
            value=Decimal("90000"),
        )
    Status.objects.create(metric=metric, quarter=q2, value=Decimal("95000"), value_is_manual=True)
    Status.objects.create(metric=metric, quarter=q3, value=Decimal("97000"))  # no observation
    Observation.objects.create(
        metric=metric,
        period_start=date(2021, 4, 1),
        period_end=date(2021, 4, 30),
        value=Decimal("1"),
    )
    Status.objects.create(metric=metric, quarter=q4, value=Decimal("1"))  # explained by April

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Observation = apps.get_model("metrics", "Observation")

    figures = {
        (o.period_start, o.period_end): o.value
        for o in Observation.objects.filter(period_end__gte=date(2020, 12, 31))
        if (o.period_end - o.period_start).days > 80
    }
    assert figures == {
        (date(2020, 10, 1), date(2020, 12, 31)): Decimal("95000"),
        (date(2021, 1, 1), date(2021, 3, 31)): Decimal("97000"),
    }
    assert apps.get_model("metrics", "RecomputeRequest").objects.filter(metric=None).exists()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
