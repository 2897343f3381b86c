"""One path for "history row and version bump" (services/history.py history_entries,
services/versioned.py version_bump and is_stale): a single save and a bulk upsert of the
same change leave the same history, version and author."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from metrics.models import ChangeSource, HistoryEntry, Observation
from metrics.services.observations import observation_save, observations_upsert
from metrics.services.versioned import is_stale
from tests import factories


@pytest.mark.parametrize(
    ("expected", "stale"), [(None, False), (3, False), ("3", False), (2, True), (0, True)]
)
def test_a_row_is_stale_when_its_version_moved_since_it_was_read(expected, stale):
    assert is_stale(SimpleNamespace(version=3), expected) is stale


def _trail(observation):
    entries = HistoryEntry.objects.filter(object_id=observation.pk).order_by("pk")
    return [(e.field, e.old_value, e.new_value, e.actor_id, e.source) for e in entries]


@pytest.mark.django_db
def test_a_single_save_and_a_bulk_upsert_leave_the_same_history_and_version():
    user = factories.UserFactory(roles=["Admin"])
    metric = factories.MetricFactory()
    months = (date(2020, 7, 1), date(2020, 8, 1))
    for month, value in zip(months, ("10", "10"), strict=True):
        observation_save(
            metric=metric,
            segment=None,
            period_start=month,
            value=value,
            actor=user,
            source=ChangeSource.API,
        )

    observation_save(
        metric=metric,
        segment=None,
        period_start=months[0],
        value="12.50",
        actor=user,
        source=ChangeSource.API,
        expected_version=1,
    )
    observations_upsert(
        rows=[
            {"metric": metric, "period_start": months[1], "value": "12.50", "expected_version": 1}
        ],
        actor=user,
        source=ChangeSource.API,
    )

    single, bulk = (Observation.objects.get(metric=metric, period_start=m) for m in months)
    assert (single.version, single.updated_by, single.value) == (2, user, Decimal("12.5"))
    assert (bulk.version, bulk.updated_by, bulk.value) == (2, user, Decimal("12.5"))
    assert _trail(bulk)[-1] == _trail(single)[-1] == ("value", "10", "12.5", user.pk, "api")


@pytest.mark.django_db
def test_a_stale_upsert_row_is_refused_like_a_stale_save():
    user = factories.UserFactory(roles=["Admin"])
    metric = factories.MetricFactory()
    observation_save(
        metric=metric,
        segment=None,
        period_start=date(2020, 7, 1),
        value="1",
        actor=user,
        source=ChangeSource.API,
    )

    result = observations_upsert(
        rows=[
            {
                "metric": metric,
                "period_start": date(2020, 7, 1),
                "value": "2",
                "expected_version": 5,
            }
        ],
        actor=user,
        source=ChangeSource.API,
    )

    assert result.rows[0].status == "rejected"
    assert "since you read it" in result.rows[0].errors["value"][0]
    assert Observation.objects.get().version == 1
