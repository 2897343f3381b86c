"""data_rows_delete: deletions kept in the history, recomputed, refused when locked."""

from decimal import Decimal

import pytest

from metrics.fiscal import FiscalQuarter
from metrics.models import (
    HistoryEntry,
    Observation,
    RecomputeRequest,
    Submission,
    SubmissionState,
)
from metrics.services.deletions import data_rows_delete
from metrics.services.errors import LockedError
from tests.factories import (
    KeyResultStatusFactory,
    MetricFactory,
    QuarterFactory,
    UserFactory,
    observe_quarter,
)

pytestmark = pytest.mark.django_db


def test_a_deleted_observation_stays_in_the_history_and_asks_for_a_recompute(
    django_capture_on_commit_callbacks,
):
    metric = MetricFactory()
    observation = observe_quarter(metric, FiscalQuarter(2020, 2), "92000")
    actor = UserFactory()
    observation_id = observation.pk

    with django_capture_on_commit_callbacks(execute=False):
        deleted = data_rows_delete(rows=[observation], actor=actor, source="admin")

    assert deleted == 1
    assert not Observation.objects.exists()
    entry = HistoryEntry.objects.get(object_id=observation_id, field="value")
    assert (entry.old_value, entry.new_value, entry.actor) == ("92000", None, actor)
    assert RecomputeRequest.objects.filter(metric=metric).exists()


def test_a_key_result_status_asks_for_no_recompute_even_of_its_metric():
    """The recompute reads no key result's status, so deleting one asks for none."""
    kr_status = KeyResultStatusFactory(
        text="Done", quarter=QuarterFactory(), key_result__metric=MetricFactory()
    )

    data_rows_delete(rows=[kr_status], actor=None, source="admin")

    assert HistoryEntry.objects.filter(field="text", old_value="Done").exists()
    assert not RecomputeRequest.objects.exists()


def test_one_row_in_a_locked_quarter_stops_the_whole_deletion():
    metric = MetricFactory()
    open_row = observe_quarter(metric, FiscalQuarter(2020, 1), "1")
    locked_row = observe_quarter(metric, FiscalQuarter(2020, 2), "2")
    Submission.objects.create(
        department=metric.department,
        quarter=QuarterFactory(fiscal_year=2020, number=2),
        state=SubmissionState.LOCKED,
    )

    with pytest.raises(LockedError):
        data_rows_delete(rows=[open_row, locked_row], actor=None, source="admin")

    assert Observation.objects.count() == 2
    assert not HistoryEntry.objects.exists()
    assert Decimal(locked_row.value) == Decimal("2")
