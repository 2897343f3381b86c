from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from metrics import models
from metrics.services.errors import ConflictError, LockedError
from metrics.services.key_results import key_result_status_save
from metrics.services.recompute import metrics_recompute
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return factories.UserFactory(username="lead", roles=["Department lead"])


@pytest.fixture
def key_result():
    return factories.KeyResultFactory(code="KR1", milestone_total=4)


@pytest.fixture
def q3():
    return factories.QuarterFactory(fiscal_year=2020, number=3)


def save(key_result, quarter, actor, **fields):
    return key_result_status_save(
        key_result=key_result, quarter=quarter, actor=actor, source="form", **fields
    )


def test_a_key_result_status_is_created_then_updated_with_history(key_result, q3, lead):
    status = save(key_result, q3, lead, text="2 of 4 milestones", milestones_done="2")
    status = save(key_result, q3, lead, milestones_done=3, expected_version=status.version)

    assert status.version == 2
    assert status.milestones_done == 3
    history = models.HistoryEntry.objects.filter(field="milestones_done").order_by("id")
    assert [(h.old_value, h.new_value) for h in history] == [(None, "2"), ("2", "3")]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"milestones_done": 5}, "milestones_done", "has 4 milestones"),
        ({"milestones_done": "-1"}, "milestones_done", "whole number"),
        ({"milestones_done": "1.5"}, "milestones_done", "whole number"),
        ({"number": "five hundred"}, "number", "not a number"),
        ({"number": "-540"}, "number", "negative"),
        ({"state": "done"}, "state", "Choose one of"),
    ],
)
def test_bad_key_result_input_is_a_field_error(key_result, q3, lead, fields, field, message):
    with pytest.raises(ValidationError) as raised:
        save(key_result, q3, lead, **fields)

    assert message in raised.value.message_dict[field][0]
    assert not models.KeyResultStatus.objects.exists()


def test_numbers_ticks_and_text_are_kept(key_result, q3, lead):
    status = save(key_result, q3, lead, number="540", is_done=True, text="540 **teachers**")

    status.refresh_from_db()
    assert (status.number, status.is_done, status.text) == (
        Decimal("540"),
        True,
        "540 **teachers**",
    )


def test_stale_version_and_locked_quarter(key_result, q3, lead):
    save(key_result, q3, lead, text="a")
    save(key_result, q3, lead, text="b", expected_version=1)
    with pytest.raises(ConflictError) as raised:
        save(key_result, q3, lead, text="c", expected_version=1)
    assert raised.value.current.text == "b"

    models.Submission.objects.create(
        department=key_result.objective.department, quarter=q3, state="locked"
    )
    with pytest.raises(LockedError):
        save(key_result, q3, lead, text="d", expected_version=2)
    assert models.KeyResultStatus.objects.get().text == "b"


def test_a_key_result_status_asks_for_no_recompute_since_none_reads_it(q3, lead):
    """A key result that is a metric prints the metric's figures; its own status is no input
    of the recompute, so its save asks for none (it used to ask for the metric's recompute,
    which then changed nothing)."""
    metric = factories.MetricFactory()
    factories.observe_quarter(metric, q3.fiscal, "10")
    metrics_recompute(metric_ids=[metric.pk])
    key_result = factories.KeyResultFactory(metric=metric)

    save(key_result, q3, lead, text="on track", number="12", confidence="at_risk")

    assert not models.RecomputeRequest.objects.exists()
    rerun = metrics_recompute(metric_ids=[metric.pk])
    assert (rerun.statuses_created, rerun.statuses_updated, rerun.history_entries) == (0, 0, 0)
