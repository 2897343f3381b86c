"""A status save that PostgreSQL rolls back for a deadlock (a check-in save, an upsert and the
recompute meeting on the same rows and the data version's counter) is run again: the user
gets the save, not a 503. Other database errors are not retried."""

import pytest
from django.db import OperationalError, transaction

from metrics import models
from metrics.services import statuses, transactions
from metrics.services.statuses import quarterly_status_save
from tests import factories
from tests.db_errors import database_error

# Real transactions: a retry is only possible when the save is not inside a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fails_first(monkeypatch):
    """The first `count` row saves raise the given database error, then saves go through."""
    real = statuses.versioned_row_save

    def arm(pgcode: str, count: int = 1):
        calls = {"n": 0}

        def flaky(**kwargs):
            calls["n"] += 1
            if calls["n"] <= count:
                raise database_error(pgcode)
            return real(**kwargs)

        monkeypatch.setattr(statuses, "versioned_row_save", flaky)
        return calls

    return arm


def save(metric, quarter):
    return quarterly_status_save(
        metric=metric, segment=None, quarter=quarter, actor=None, source="form", comment="kept"
    )


@pytest.mark.parametrize("pgcode", ["40P01", "40001"])
def test_a_deadlocked_save_is_run_again_and_kept(fails_first, pgcode):
    metric = factories.MetricFactory()
    quarter = factories.QuarterFactory(fiscal_year=2020, number=2)
    calls = fails_first(pgcode, count=2)

    status = save(metric, quarter)

    assert calls["n"] == 3
    assert models.QuarterlyStatus.objects.get(pk=status.pk).comment == "kept"
    assert models.HistoryEntry.objects.filter(field="comment").count() == 1


def test_a_save_deadlocked_every_time_gives_up_after_three_attempts(fails_first):
    metric = factories.MetricFactory()
    quarter = factories.QuarterFactory(fiscal_year=2020, number=2)
    calls = fails_first("40P01", count=10)

    with pytest.raises(OperationalError):
        save(metric, quarter)

    assert calls["n"] == transactions.ATTEMPTS
    assert not models.QuarterlyStatus.objects.exists()


def test_a_lost_connection_is_not_retried(fails_first):
    metric = factories.MetricFactory()
    quarter = factories.QuarterFactory(fiscal_year=2020, number=2)
    calls = fails_first("08006")

    with pytest.raises(OperationalError):
        save(metric, quarter)

    assert calls["n"] == 1


def test_inside_a_callers_transaction_only_the_caller_can_retry(fails_first):
    metric = factories.MetricFactory()
    quarter = factories.QuarterFactory(fiscal_year=2020, number=2)
    calls = fails_first("40P01")

    with pytest.raises(OperationalError), transaction.atomic():
        save(metric, quarter)

    assert calls["n"] == 1
    assert not models.QuarterlyStatus.objects.exists()
