"""Two people saving the same row at the same moment, in two threads with their own database
connections: exactly one save wins, the other is refused, nothing is silently overwritten."""

import contextlib
import threading
from decimal import Decimal

import pytest
from django.db import OperationalError, connection, connections

from metrics import models
from metrics.services import versioned
from metrics.services.errors import ConflictError
from metrics.services.statuses import quarterly_status_save
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_saves_of_one_row_cannot_both_win(monkeypatch):
    lead = factories.UserFactory(username="lead")
    metric = factories.MetricFactory()
    quarter = factories.QuarterFactory(fiscal_year=2020, number=3)
    quarterly_status_save(
        metric=metric, segment=None, quarter=quarter, actor=lead, source="form", value=1
    )
    # The version both people read: the recompute after the first save may have moved it on.
    read_version = models.QuarterlyStatus.objects.get().version
    both_read = threading.Barrier(2)
    real_changes_between = versioned.changes_between

    def changes_after_both_read(instance, values):
        # Hold each save between its read and its write until the other has read too. Where
        # the row lock makes the other wait at its read, the barrier times out and we go on.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=1.5)
        return real_changes_between(instance, values)

    monkeypatch.setattr(versioned, "changes_between", changes_after_both_read)
    outcomes = {}

    def save(value):
        try:
            quarterly_status_save(
                metric=metric,
                segment=None,
                quarter=quarter,
                actor=lead,
                source="form",
                expected_version=read_version,
                value=value,
            )
            outcomes[value] = "saved"
        except ConflictError:
            outcomes[value] = "conflict"
        except OperationalError as error:  # SQLite's shared in-memory test database
            outcomes[value] = f"refused: {error}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(value,)) for value in (100, 200)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners = [value for value, outcome in outcomes.items() if outcome == "saved"]
    assert len(outcomes) == 2, outcomes
    status = models.QuarterlyStatus.objects.get()
    if connection.vendor == "postgresql":
        # Row locks: one save wins, the other is told about the conflict.
        assert len(winners) == 1 and "conflict" in outcomes.values(), outcomes
    else:
        # SQLite locks the whole table: the loser (sometimes both) is refused outright.
        assert len(winners) <= 1, outcomes
    if not winners:
        assert (status.value, status.version) == (Decimal(1), read_version)
        return
    assert (status.value, status.version) == (Decimal(winners[0]), read_version + 1)
    assert list(
        models.HistoryEntry.objects.filter(
            field="value", old_value="1", object_id=status.pk, content_type__model="quarterlystatus"
        ).values_list("new_value", flat=True)
    ) == [str(winners[0])]
