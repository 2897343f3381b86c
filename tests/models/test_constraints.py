from datetime import date

import pytest
from django.db import IntegrityError, transaction

from metrics.models import QuarterlyStatus
from tests.factories import (
    KeyResultStatusFactory,
    MetricFactory,
    ObservationFactory,
    QuarterFactory,
    QuarterlyStatusFactory,
    SegmentFactory,
)

pytestmark = pytest.mark.django_db


def test_second_status_for_same_metric_and_quarter_is_rejected():
    status = QuarterlyStatusFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        QuarterlyStatusFactory(metric=status.metric, quarter=status.quarter)


def test_second_status_for_same_segment_and_quarter_is_rejected():
    segment = SegmentFactory()
    quarter = QuarterFactory()
    QuarterlyStatusFactory(metric=segment.metric, segment=segment, quarter=quarter)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuarterlyStatusFactory(metric=segment.metric, segment=segment, quarter=quarter)


def test_metric_row_and_segment_rows_coexist_for_one_quarter():
    segment = SegmentFactory()
    quarter = QuarterFactory()
    QuarterlyStatusFactory(metric=segment.metric, quarter=quarter)
    QuarterlyStatusFactory(metric=segment.metric, segment=segment, quarter=quarter)
    assert QuarterlyStatus.objects.filter(metric=segment.metric, quarter=quarter).count() == 2


def test_duplicate_observation_for_a_period_is_rejected():
    metric = MetricFactory()
    ObservationFactory(metric=metric, period_start=date(2020, 10, 1), period_end=date(2020, 10, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        ObservationFactory(
            metric=metric, period_start=date(2020, 10, 1), period_end=date(2020, 10, 31)
        )


def test_duplicate_segment_observation_for_a_period_is_rejected():
    segment = SegmentFactory()
    kwargs = {"metric": segment.metric, "segment": segment, "period_start": date(2020, 10, 1)}
    ObservationFactory(**kwargs, period_end=date(2020, 10, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        ObservationFactory(**kwargs, period_end=date(2020, 10, 31))


def test_observation_period_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        ObservationFactory(period_start=date(2020, 10, 1), period_end=date(2020, 9, 30))


def test_second_key_result_status_for_a_quarter_is_rejected():
    status = KeyResultStatusFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyResultStatusFactory(key_result=status.key_result, quarter=status.quarter)
