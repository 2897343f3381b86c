"""Every write path bumps the data version in its own transaction, so that nothing cached
under the previous version is served after it. (The admin's paths, and writes outside the
services: tests/caching/test_explicit_writes.py.)"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from metrics import models
from metrics.caching.versions import data_version_current
from metrics.services.deletions import data_rows_delete
from metrics.services.key_results import key_result_status_save
from metrics.services.narratives import objective_update
from metrics.services.observations import observation_save, observations_upsert
from metrics.services.recompute import metrics_recompute
from metrics.services.statuses import quarterly_status_save
from metrics.services.submissions import submission_submit
from tests import factories
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db


@pytest.fixture
def deck():
    session = build_small_deck()
    editors = models.Metric.objects.get(slug="monthly-active-editors")
    return {
        "session": session,
        "editors": editors,
        "q2": session.quarter,
        "lead": factories.UserFactory(roles=["Admin"], is_superuser=True),
        "key_result": models.KeyResult.objects.get(code="KR3"),
        "objective": models.Objective.objects.get(slug="armdeb"),
    }


WRITES = {
    "form status save": lambda d: quarterly_status_save(
        metric=d["editors"], segment=None, quarter=d["q2"], actor=d["lead"], source="form",
        comment="New comment",
    ),
    "api observation save": lambda d: observation_save(
        metric=d["editors"], segment=None, period_start=date(2020, 11, 1), value=Decimal(1),
        actor=d["lead"], source="api",
    ),
    "import upsert": lambda d: observations_upsert(
        rows=[{"metric": d["editors"], "period_start": date(2020, 12, 1), "value": 5}],
        actor=d["lead"], source="import",
    ),
    "key result save": lambda d: key_result_status_save(
        key_result=d["key_result"], quarter=d["q2"], actor=d["lead"], source="form",
        text="600 teachers",
    ),
    "narrative": lambda d: objective_update(
        objective=d["objective"], actor=d["lead"], source="form", narrative="Changed."
    ),
    "submission": lambda d: submission_submit(
        department=models.Department.objects.get(slug="product"), quarter=d["q2"],
        actor=d["lead"],
    ),
    "deletion": lambda d: data_rows_delete(
        rows=models.Observation.objects.filter(metric=d["editors"])[:1], actor=d["lead"],
        source="admin",
    ),
    "recompute": lambda d: metrics_recompute(metric_ids=[d["editors"].id]),
}  # fmt: skip


@pytest.mark.parametrize("name", list(WRITES))
def test_each_write_path_bumps_the_version(deck, name):
    before = data_version_current()

    WRITES[name](deck)

    after = data_version_current()
    assert after.version > before.version
    assert after.key != before.key


def test_the_bump_is_part_of_the_writes_transaction(deck):
    before = data_version_current()
    with transaction.atomic():
        WRITES["form status save"](deck)
        transaction.set_rollback(True)

    assert data_version_current() == before


def test_a_recompute_that_changes_nothing_keeps_the_version(deck):
    metrics_recompute(metric_ids=[deck["editors"].id])
    before = data_version_current()

    metrics_recompute(metric_ids=[deck["editors"].id])

    assert data_version_current() == before
