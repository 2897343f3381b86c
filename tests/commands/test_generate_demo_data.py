"""`manage.py generate_demo_data`: a deck-shaped organisation, the same for the same seed."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from metrics import models

pytestmark = pytest.mark.django_db


def generate(**options) -> str:
    output = StringIO()
    call_command("generate_demo_data", stdout=output, **options)
    return output.getvalue()


def snapshot() -> dict:
    return {
        "metrics": list(
            models.Metric.objects.order_by("order").values_list("slug", "department__slug")
        ),
        "observations": list(
            models.Observation.objects.order_by(
                "metric_id", "segment_id", "period_start"
            ).values_list("metric__slug", "segment__slug", "period_start", "value")[:500]
        ),
        "statuses": list(
            models.QuarterlyStatus.objects.order_by(
                "metric__slug", "segment__slug", "quarter_id"
            ).values_list("metric__slug", "segment__slug", "value", "yoy_delta", "arrow")[:500]
        ),
    }


def test_scale_one_is_shaped_like_the_deck_with_derived_figures():
    output = generate(scale=1, seed=7)

    assert models.Metric.objects.count() == 13
    assert models.Outcome.objects.count() == 5
    assert models.Segment.objects.count() >= 16
    assert models.Observation.objects.count() >= 10_000
    assert models.TuningSession.objects.count() >= 2
    latest = models.TuningSession.objects.order_by("-quarter__fiscal_year", "-quarter__number")[0]
    assert latest.metric_definitions.count() == 13
    assert models.Objective.objects.filter(fiscal_year=latest.quarter.fiscal_year).count() == 8
    assert (
        models.KeyResult.objects.filter(objective__fiscal_year=latest.quarter.fiscal_year).count()
        == 20
    )
    assert latest.acronyms.exists() and latest.footnotes.exists() and latest.drilldowns.exists()
    assert models.Metric.objects.filter(segments_inline=True).exists()
    assert models.Metric.objects.filter(state=models.MetricState.PAUSED).exists()
    # The recompute derived the cells from the observations.
    editors = models.QuarterlyStatus.objects.get(
        metric__slug="monthly-active-editors", segment=None, quarter=latest.quarter
    )
    assert editors.value is not None and editors.yoy_delta is not None and editors.arrow
    assert "observations" in output


def test_the_same_seed_gives_the_same_data():
    with transaction.atomic():
        generate(scale=1, seed=3)
        first = snapshot()
        transaction.set_rollback(True)
    assert not models.Metric.objects.exists()

    generate(scale=1, seed=3)

    assert snapshot() == first


def test_scale_multiplies_metrics_key_results_and_observations():
    generate(scale=2, seed=1)

    assert models.Metric.objects.count() == 26
    assert models.Observation.objects.count() >= 20_000
    latest = models.TuningSession.objects.order_by("-quarter__fiscal_year", "-quarter__number")[0]
    assert (
        models.KeyResult.objects.filter(objective__fiscal_year=latest.quarter.fiscal_year).count()
        == 40
    )


def test_refuses_a_database_that_holds_data(seed_deck):
    with pytest.raises(CommandError, match="empty"):
        generate(scale=1)
