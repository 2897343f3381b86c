"""status_history: every save of a cell, and what the cell read after each."""

from decimal import Decimal

import pytest

from metrics.fiscal import FiscalQuarter
from metrics.selectors.cell_history import status_history
from metrics.services.recompute_runs import recompute_run
from metrics.services.statuses import quarterly_status_save
from tests.factories import MetricFactory, QuarterFactory, UserFactory, observe_quarter

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited_cell(django_capture_on_commit_callbacks):
    """Monthly active editors, Q2 FY20-21: recomputed from observations, then edited by
    a lead twice (a hand value, then a footnote marker)."""
    metric = MetricFactory(unit="count", unit_suffix="/mo", goal_kind="yoy_change", goal_value=5)
    observe_quarter(metric, FiscalQuarter(2019, 2), "85000", is_derived=True)
    observe_quarter(metric, FiscalQuarter(2020, 2), "92000")
    recompute_run(task_name="metrics.recompute_all", metric_ids=None)
    lead = UserFactory(username="priya")
    quarter = QuarterFactory(fiscal_year=2020, number=2)
    with django_capture_on_commit_callbacks(execute=True):
        status = quarterly_status_save(
            metric=metric, segment=None, quarter=quarter, actor=lead, source="form", value="94000"
        )
    quarterly_status_save(
        metric=metric,
        segment=None,
        quarter=quarter,
        actor=lead,
        source="api",
        footnote_markers="*",
        expected_version=status.version,
    )
    return status


def test_every_save_is_a_version_newest_first_with_what_the_cell_read(edited_cell):
    history = status_history(status_id=edited_cell.pk)

    assert history.display == "+10.6% YoY (94K/mo*)"
    assert [(v.source, v.actor, v.display) for v in history.versions] == [
        ("API", "priya", "+10.6% YoY (94K/mo*)"),
        ("Recompute", "", "+10.6% YoY (94K/mo)"),
        ("Form", "priya", "+8.2% YoY (94K/mo)"),
        ("Recompute", "", "+8.2% YoY (92K/mo)"),
    ]


def test_a_version_lists_its_fields_with_old_and_new_values(edited_cell):
    history = status_history(status_id=edited_cell.pk)

    hand_edit = history.versions[2]
    assert ("value", "92000", "94000") in [
        (c.field, c.old_value, c.new_value) for c in hand_edit.changes
    ]
    first = history.versions[-1]
    assert {c.field for c in first.changes} >= {"value", "yoy_delta", "attainment"}
    assert all(c.old_value in (None, "", "no_data") for c in first.changes)


def test_a_cell_without_changes_has_no_versions():
    metric = MetricFactory()
    from tests.factories import QuarterlyStatusFactory

    status = QuarterlyStatusFactory(metric=metric, value=Decimal("5"))

    history = status_history(status_id=status.pk)

    assert history.versions == ()
    assert history.label.endswith("Q2 FY20-21")


def test_an_unknown_cell_is_none():
    assert status_history(status_id=987654) is None


def test_changes_read_as_the_dashboards_name_things(edited_cell):
    first = status_history(status_id=edited_cell.pk).versions[-1]
    labels = {c.field: (c.label, c.old_label, c.new_label) for c in first.changes}

    assert labels["attainment"] == ("attainment", "No data", "On track")
    assert labels["arrow"] == ("arrow", "∅", "↑")
    assert labels["yoy_delta"][0] == "YoY delta"


def test_a_key_result_cell_shows_its_milestones_at_each_save():
    from metrics.selectors.cell_history import key_result_status_history
    from metrics.services.key_results import key_result_status_save
    from tests.factories import KeyResultFactory

    key_result = KeyResultFactory(milestone_total=4)
    quarter = QuarterFactory(fiscal_year=2020, number=2)
    lead = UserFactory(username="ana")
    status = None
    for done in (1, 2, 3):
        status = key_result_status_save(
            key_result=key_result,
            quarter=quarter,
            actor=lead,
            source="form",
            milestones_done=done,
            expected_version=status.version if status else 0,
        )

    history = key_result_status_history(status_id=status.pk)

    assert history.display == "3 of 4"
    assert [v.display for v in history.versions] == ["3 of 4", "2 of 4", "1 of 4"]
    assert history.label.endswith("Q2 FY20-21")


def test_a_ticked_key_result_in_another_state_shows_the_state_not_the_tick():
    from metrics.formatting import key_result_display
    from metrics.models import KeyResultStatus

    ticked = KeyResultStatus(state="not_available", is_done=True, text="")
    ticked_with_text = KeyResultStatus(state="not_available", is_done=True, text="Shipped")
    reported = KeyResultStatus(state="reported", is_done=True, text="Shipped")

    assert key_result_display(ticked, None) == "not available"
    assert key_result_display(ticked_with_text, None) == "Shipped"
    assert key_result_display(reported, None) == "✓ Shipped"
