import pytest

from metrics import models
from metrics.selectors.comparison import compare_sessions
from tests import factories
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sessions():
    later = build_small_deck()
    earlier = factories.TuningSessionFactory(
        priority=later.priority,
        quarter=factories.QuarterFactory(fiscal_year=2020, number=1),
        title="Q1 session",
    )
    editors = models.Metric.objects.get(slug="monthly-active-editors")
    models.MetricDefinition.objects.create(
        session=earlier,
        metric=editors,
        outcome=editors.outcome,
        name=editors.name,
        baseline_text="99K/month",
        goal_text="+5% YoY",
    )
    retired = factories.MetricFactory(outcome=editors.outcome, slug="retired-metric")
    models.MetricDefinition.objects.create(
        session=earlier, metric=retired, outcome=retired.outcome, name="Retired metric"
    )
    return earlier, later


def test_changed_definition_and_new_quarter_are_reported(two_sessions):
    earlier, later = two_sessions
    comparison = compare_sessions(earlier.id, later.id)
    editors = next(m for m in comparison.metrics if m.slug == "monthly-active-editors")
    assert [(c.label, c.before, c.after) for c in editors.definition_changes] == [
        ("Baseline", "99K/month", "99K active editors/month")
    ]
    q1, q2 = editors.rows[0].cells[:2]
    assert not q1.changed and q1.after == "+7.3% YoY (89K/mo*)"
    assert (q2.before, q2.after) == ("-", "+8.1% YoY (92K/mo*)")


def test_metrics_only_in_one_session_are_marked(two_sessions):
    earlier, later = two_sessions
    presence = {m.slug: m.presence for m in compare_sessions(earlier.id, later.id).metrics}
    assert presence["retired-metric"] == "removed"
    assert presence["new-editor-retention"] == "added"


def test_key_results_with_new_statuses_are_listed(two_sessions):
    earlier, later = two_sessions
    comparison = compare_sessions(earlier.id, later.id)
    labels = [row.label for row in comparison.key_results]
    assert any("Prioritization" in label for label in labels)


def test_a_large_comparison_comes_in_pages_that_together_are_the_whole(monkeypatch):
    from metrics.management.commands.generate_demo_data import demo_data_generate
    from metrics.selectors import deck_layout as layout_module

    demo_data_generate(scale=2, seed=5)
    later, earlier = models.TuningSession.objects.order_by(
        "-quarter__fiscal_year", "-quarter__number"
    )[:2]
    # A definition only the earlier session has: compared as removed, on the last page.
    only_earlier = models.MetricDefinition.objects.filter(session=later).first()
    only_earlier.is_retired = True
    only_earlier.save()
    monkeypatch.setattr(layout_module, "METRICS_PER_PAGE", 10**6)
    monkeypatch.setattr(layout_module, "KEY_RESULTS_PER_PAGE", 10**6)
    whole = compare_sessions(earlier.id, later.id)
    assert whole.pages == 1

    monkeypatch.setattr(layout_module, "METRICS_PER_PAGE", 3)
    monkeypatch.setattr(layout_module, "KEY_RESULTS_PER_PAGE", 4)
    first = compare_sessions(earlier.id, later.id)
    assert first.pages > 3
    parts = [compare_sessions(earlier.id, later.id, page=n) for n in range(1, first.pages + 1)]
    assert [m for part in parts for m in part.metrics] == list(whole.metrics)
    assert [k for part in parts for k in part.key_results] == list(whole.key_results)
    assert parts[-1].metrics[-1].presence == "removed"
