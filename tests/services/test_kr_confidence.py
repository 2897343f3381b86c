"""A key result's confidence: set with the quarter's status, validated, kept in history."""

import pytest
from django.core.exceptions import ValidationError

from metrics import models
from metrics.services.errors import ConflictError
from metrics.services.key_results import key_result_status_save
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_result():
    return factories.KeyResultFactory()


@pytest.fixture
def quarter():
    return models.Quarter.objects.get_or_create_fiscal(2020, 2)


def test_confidence_and_score_are_saved_with_the_status(key_result, quarter):
    status = key_result_status_save(
        key_result=key_result,
        quarter=quarter,
        actor=None,
        source="form",
        text="Half done",
        confidence="at_risk",
        confidence_score="6",
    )

    status.refresh_from_db()
    assert (status.confidence, status.confidence_score) == ("at_risk", 6)


def test_each_confidence_change_is_in_history(key_result, quarter):
    status = key_result_status_save(
        key_result=key_result, quarter=quarter, actor=None, source="form", confidence="on_track"
    )
    key_result_status_save(
        key_result=key_result,
        quarter=quarter,
        actor=None,
        source="form",
        expected_version=status.version,
        confidence="off_track",
        confidence_score=2,
    )

    changes = {
        (entry.field, entry.old_value, entry.new_value)
        for entry in models.HistoryEntry.objects.filter(object_id=status.pk)
    }
    assert ("confidence", "on_track", "off_track") in changes
    assert ("confidence_score", None, "2") in changes


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"confidence": "confident"}, "confidence"),
        ({"confidence_score": "11"}, "confidence_score"),
        ({"confidence_score": "0"}, "confidence_score"),
        ({"confidence_score": "7.5"}, "confidence_score"),
        ({"confidence_score": "seven"}, "confidence_score"),
    ],
)
def test_a_bad_confidence_is_a_field_error_and_saves_nothing(key_result, quarter, fields, field):
    with pytest.raises(ValidationError) as raised:
        key_result_status_save(
            key_result=key_result, quarter=quarter, actor=None, source="form", **fields
        )

    assert field in raised.value.message_dict
    assert not models.KeyResultStatus.objects.exists()


def test_blank_removes_the_confidence(key_result, quarter):
    status = key_result_status_save(
        key_result=key_result,
        quarter=quarter,
        actor=None,
        source="form",
        confidence="on_track",
        confidence_score=8,
    )
    key_result_status_save(
        key_result=key_result,
        quarter=quarter,
        actor=None,
        source="form",
        confidence="",
        confidence_score="",
    )

    status.refresh_from_db()
    assert (status.confidence, status.confidence_score) == ("", None)


def test_a_stale_confidence_save_is_a_conflict(key_result, quarter):
    status = key_result_status_save(
        key_result=key_result, quarter=quarter, actor=None, source="form", confidence="on_track"
    )
    key_result_status_save(
        key_result=key_result, quarter=quarter, actor=None, source="form", confidence="at_risk"
    )

    with pytest.raises(ConflictError):
        key_result_status_save(
            key_result=key_result,
            quarter=quarter,
            actor=None,
            source="form",
            expected_version=status.version,
            confidence="off_track",
        )
