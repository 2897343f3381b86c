"""Every single-row write service runs its transaction again when PostgreSQL rolled it back
for a deadlock or a serialisation failure (writes meet on the data version's counter): the
person gets the save, with one history entry, not a 503."""

import pytest
from django.db import OperationalError, transaction

from metrics import models
from metrics.services import key_results, narratives, observations, transactions
from metrics.services.key_results import key_result_status_save
from metrics.services.narratives import objective_update
from metrics.services.observations import observation_save
from metrics.services.transactions import retried_when_transient
from tests import factories
from tests.db_errors import database_error

pytestmark = pytest.mark.django_db(transaction=True)


def failing_first(monkeypatch, module, name, count=1):
    real = getattr(module, name)
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] <= count:
            raise database_error("40P01")
        return real(**kwargs)

    monkeypatch.setattr(module, name, flaky)
    return calls


def test_a_deadlocked_key_result_status_save_is_run_again_and_kept(monkeypatch):
    key_result = factories.KeyResultFactory()
    quarter = factories.QuarterFactory(fiscal_year=2020, number=2)
    calls = failing_first(monkeypatch, key_results, "versioned_row_save")

    status = key_result_status_save(
        key_result=key_result, quarter=quarter, actor=None, source="form", text="On track"
    )

    assert calls["n"] == 2
    assert models.KeyResultStatus.objects.get(pk=status.pk).text == "On track"
    assert models.HistoryEntry.objects.filter(field="text").count() == 1


def test_a_deadlocked_narrative_edit_is_run_again_and_kept(monkeypatch):
    objective = factories.ObjectiveFactory(narrative="before")
    calls = failing_first(monkeypatch, narratives, "versioned_instance_update")

    objective_update(objective=objective, actor=None, source="form", narrative="after")

    assert calls["n"] == 2
    objective.refresh_from_db()
    assert objective.narrative == "after" and objective.version == 2
    assert models.HistoryEntry.objects.filter(field="narrative").count() == 1


def test_a_deadlocked_observation_save_is_run_again_and_kept(monkeypatch):
    metric = factories.MetricFactory()
    calls = failing_first(monkeypatch, observations, "versioned_row_save", count=2)

    observation = observation_save(
        metric=metric,
        segment=None,
        period_start="2020-11-01",
        value="92000",
        actor=None,
        source="form",
    )

    assert calls["n"] == 3
    assert models.Observation.objects.get(pk=observation.pk).value == 92000


def test_a_deadlock_every_time_gives_up_after_the_last_attempt():
    calls = {"n": 0}

    @retried_when_transient
    def always_deadlocks():
        calls["n"] += 1
        raise database_error("40P01")

    with pytest.raises(OperationalError):
        always_deadlocks()
    assert calls["n"] == transactions.ATTEMPTS


def test_inside_a_callers_transaction_the_deadlock_goes_up_at_once():
    calls = {"n": 0}

    @retried_when_transient
    def deadlocks():
        calls["n"] += 1
        raise database_error("40P01")

    with pytest.raises(OperationalError), transaction.atomic():
        deadlocks()
    assert calls["n"] == 1


def test_other_database_errors_are_not_retried():
    calls = {"n": 0}

    @retried_when_transient
    def connection_lost():
        calls["n"] += 1
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.raises(OperationalError):
        connection_lost()
    assert calls["n"] == 1
