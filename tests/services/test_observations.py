from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from metrics import models
from metrics.services.errors import ConflictError, LockedError
from metrics.services.observations import observation_save, observations_upsert
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return factories.UserFactory(username="lead", roles=["Department lead"])


@pytest.fixture
def editors():
    return factories.MetricFactory(slug="monthly-active-editors", cadence=models.Cadence.MONTHLY)


def save(metric, period_start, value, actor, **kwargs):
    return observation_save(
        metric=metric,
        segment=kwargs.pop("segment", None),
        period_start=period_start,
        value=value,
        actor=actor,
        source="form",
        **kwargs,
    )


def test_a_monthly_observation_gets_its_month_end_and_a_recompute_request(editors, lead):
    observation = save(editors, date(2020, 10, 1), "92000", lead)

    assert observation.period_end == date(2020, 10, 31)
    assert observation.value == Decimal("92000")
    assert observation.updated_by == lead
    assert models.RecomputeRequest.objects.filter(metric=editors).count() == 1


def test_a_monthly_metric_also_takes_a_whole_fiscal_quarter(editors, lead):
    observation = save(editors, "2020-10-01", 91000, lead, period_end="2020-12-31")

    assert observation.period_end == date(2020, 12, 31)


@pytest.mark.parametrize(
    ("cadence", "measured_in", "start", "end", "field", "message"),
    [
        ("monthly", None, "2020-10-15", None, "period_start", "calendar months"),
        ("monthly", None, "2020-10-01", "2020-11-30", "period_start", "calendar months"),
        ("quarterly", None, "2020-11-01", None, "period_start", "whole quarters"),
        ("annual", 2, "2020-07-01", None, "period_start", "measured in Q2 only"),
        ("monthly", None, "2021-06-01", "2021-07-31", "period_end", "past the end of its fiscal"),
        ("monthly", None, "2999-01-01", None, "period_start", "future"),
        ("monthly", None, "last spring", None, "period_start", "not a date"),
    ],
)
def test_periods_that_do_not_fit_the_cadence_or_the_fiscal_year_are_refused(
    cadence, measured_in, start, end, field, message, lead
):
    metric = factories.MetricFactory(cadence=cadence, measured_in_quarter=measured_in)

    with pytest.raises(ValidationError) as raised:
        save(metric, start, 1, lead, period_end=end)

    assert message in " ".join(raised.value.message_dict[field])
    assert not models.Observation.objects.exists()


def test_an_annual_metric_takes_its_measured_quarter(lead):
    survey = factories.MetricFactory(
        cadence=models.Cadence.ANNUAL, measured_in_quarter=2, unit=models.Unit.INDEX
    )

    observation = save(survey, "2020-10-01", "3.82", lead)

    assert (observation.period_start, observation.period_end) == (
        date(2020, 10, 1),
        date(2020, 12, 31),
    )


def test_bad_values_are_refused(lead):
    rate = factories.MetricFactory(unit=models.Unit.PERCENT)
    count = factories.MetricFactory(unit=models.Unit.COUNT)

    with pytest.raises(ValidationError, match="between 0 and 100"):
        save(rate, "2020-10-01", "140", lead)
    with pytest.raises(ValidationError, match="negative"):
        save(count, "2020-10-01", "-3", lead)
    with pytest.raises(ValidationError, match="not a number"):
        save(count, "2020-10-01", "lots", lead)
    with pytest.raises(ValidationError, match="Enter a value"):
        save(count, "2020-10-01", "", lead)


def test_a_stale_version_and_a_locked_quarter_are_refused(editors, lead):
    first = save(editors, "2020-10-01", 1, lead)
    save(editors, "2020-10-01", 2, lead, expected_version=first.version)

    with pytest.raises(ConflictError):
        save(editors, "2020-10-01", 3, lead, expected_version=first.version)

    quarter = factories.QuarterFactory(fiscal_year=2020, number=2)
    models.Submission.objects.create(
        department=editors.department, quarter=quarter, state=models.SubmissionState.LOCKED
    )
    with pytest.raises(LockedError):
        save(editors, "2020-11-01", 3, lead)


def rows_for(metric, months, value=100):
    return [
        {
            "metric": metric.slug,
            "period_start": f"{2020 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}-01",
            "value": value + m,
        }
        for m in months
    ]


def test_upsert_reports_each_row_and_is_idempotent(editors, lead):
    save(editors, "2020-01-01", 101, lead)
    save(editors, "2020-02-01", 1, lead)
    rows = rows_for(editors, range(1, 5)) + [
        {"metric": editors.slug, "period_start": "2020-05-15", "value": 9},
        {"metric": "no-such-metric", "period_start": "2020-05-01", "value": 9},
        {"metric": editors.slug, "period_start": "2020-05-01", "value": "n/a"},
    ]

    result = observations_upsert(rows=rows, actor=lead, source="import")

    assert [row.status for row in result.rows] == [
        "unchanged",
        "updated",
        "created",
        "created",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert "period_start" in result.rows[4].errors
    assert "metric" in result.rows[5].errors
    assert "value" in result.rows[6].errors
    assert result.counts == {"created": 2, "updated": 1, "unchanged": 1, "rejected": 3}
    assert models.Observation.objects.get(period_start=date(2020, 2, 1)).version == 2

    again = observations_upsert(rows=rows, actor=lead, source="import")
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 4, "rejected": 3}


def test_upsert_asks_for_one_recompute_per_touched_metric_and_records_history(editors, lead):
    other = factories.MetricFactory(slug="retention", unit=models.Unit.PERCENT)
    rows = rows_for(editors, range(1, 13)) + [
        {"metric": other.pk, "period_start": "2020-03-01", "value": "7.6"}
    ]

    observations_upsert(rows=rows, actor=lead, source="import")

    assert sorted(models.RecomputeRequest.objects.values_list("metric__slug", flat=True)) == [
        "monthly-active-editors",
        "retention",
    ]
    assert models.HistoryEntry.objects.filter(field="value", source="import").count() == 13
    assert models.HistoryEntry.objects.filter(actor=lead).count() == 13


def test_upsert_dry_run_writes_nothing(editors, lead):
    result = observations_upsert(
        rows=rows_for(editors, range(1, 4)), actor=lead, source="import", dry_run=True
    )

    assert result.counts["created"] == 3
    assert not models.Observation.objects.exists()
    assert not models.HistoryEntry.objects.exists()
    assert not models.RecomputeRequest.objects.exists()


def test_upsert_rejects_locked_quarters_duplicates_and_foreign_segments(editors, lead):
    quarter = factories.QuarterFactory(fiscal_year=2019, number=3)  # Jan-Mar 2020
    models.Submission.objects.create(
        department=editors.department, quarter=quarter, state=models.SubmissionState.LOCKED
    )
    segment = factories.SegmentFactory(metric=editors, slug="emerging")
    foreign = factories.SegmentFactory(slug="elsewhere")
    rows = [
        {"metric": editors.slug, "period_start": "2020-01-01", "value": 1},
        {"metric": editors.slug, "period_start": "2020-04-01", "value": 1},
        {"metric": editors.slug, "period_start": "2020-04-01", "value": 2},
        {"metric": editors.slug, "segment": "emerging", "period_start": "2020-04-01", "value": 3},
        {"metric": editors.slug, "segment": foreign.slug, "period_start": "2020-04-01", "value": 3},
    ]

    result = observations_upsert(rows=rows, actor=lead, source="import")

    assert [row.status for row in result.rows] == [
        "rejected",
        "created",
        "rejected",
        "created",
        "rejected",
    ]
    assert "locked" in result.rows[0].errors["period_start"][0]
    assert "row 2" in result.rows[2].errors["period_start"][0]
    assert "segment" in result.rows[4].errors
    assert models.Observation.objects.get(segment=segment).value == 3


def test_upsert_refuses_a_row_with_a_stale_expected_version(editors, lead):
    save(editors, "2020-01-01", 1, lead)
    save(editors, "2020-01-01", 2, lead)

    result = observations_upsert(
        rows=[{"metric": editors, "period_start": "2020-01-01", "value": 5, "expected_version": 1}],
        actor=lead,
        source="api",
    )

    assert result.rows[0].status == "rejected"
    assert models.Observation.objects.get().value == 2


@pytest.mark.parametrize("months", [12, 120])
def test_upsert_runs_a_bounded_number_of_queries(
    editors, lead, months, django_assert_max_num_queries
):
    save(editors, "2010-01-01", 1, lead)
    rows = [
        {
            "metric": editors.slug,
            "period_start": f"{2010 + i // 12}-{i % 12 + 1:02d}-01",
            "value": i,
        }
        for i in range(months)
    ]

    # 13: on PostgreSQL the batch's quarters are taken shared first, so that a hold of one
    # waits for it or refuses it (docs/review.md); SQLite runs one fewer.
    with django_assert_max_num_queries(13):
        result = observations_upsert(rows=rows, actor=lead, source="import")

    assert result.counts["created"] == months - 1
    assert result.counts["updated"] == 1


@pytest.mark.parametrize("months", [12, 40])
def test_upsert_of_changed_rows_bumps_each_version_once_and_records_each_old_value(
    editors, lead, months, django_assert_max_num_queries
):
    segment = factories.SegmentFactory(metric=editors, slug="emerging")
    starts = [f"{2010 + i // 12}-{i % 12 + 1:02d}-01" for i in range(months)]
    first = [{"metric": editors.pk, "period_start": start, "value": 1} for start in starts]
    first += [
        {"metric": editors.pk, "segment": segment.pk, "period_start": start, "value": 10}
        for start in starts
    ]
    observations_upsert(rows=first, actor=None, source="import")
    changed = [
        {**row, "value": row["value"] + index, "is_derived": index % 2 == 1}
        for index, row in enumerate(first)
    ]

    with django_assert_max_num_queries(12):
        result = observations_upsert(rows=changed, actor=lead, source="api")

    assert result.counts["updated"] == 2 * months - 1  # the first row's value is unchanged
    stored = {
        (row.segment_id, row.period_start.isoformat()): row
        for row in models.Observation.objects.all()
    }
    for index, row in enumerate(changed):
        observation = stored[(row.get("segment"), row["period_start"])]
        assert observation.value == row["value"]
        assert observation.is_derived is (index % 2 == 1)
        assert observation.version == (1 if index == 0 else 2)
        assert observation.updated_by == (None if index == 0 else lead)
    history = models.HistoryEntry.objects.filter(source="api", actor=lead)
    assert history.filter(field="value").count() == 2 * months - 1
    assert history.filter(field="is_derived").count() == months
    entry = history.get(field="value", object_id=stored[(segment.pk, starts[1])].pk)
    assert (entry.old_value, entry.new_value) == ("10", str(10 + months + 1))


@pytest.mark.parametrize(
    ("period_start", "message"),
    [
        ("9999-12-01", "cannot start in the future"),
        ("0001-01-01", "or later"),
    ],
)
def test_periods_far_outside_the_calendar_are_field_errors(period_start, message):
    from metrics.services.observations import observation_save

    metric = factories.MetricFactory()

    with pytest.raises(ValidationError) as raised:
        observation_save(
            metric=metric,
            segment=None,
            period_start=period_start,
            value="1",
            actor=None,
            source="api",
        )

    assert message in " ".join(raised.value.message_dict["period_start"])


def test_a_month_is_kept_beside_the_stored_quarter_with_the_same_start():
    """A period is its start and its end: a month never replaces a figure for its quarter
    (the recompute then says which one the cell shows)."""
    metric = factories.MetricFactory()
    quarter_value = factories.ObservationFactory(
        metric=metric,
        period_start=date(2020, 7, 1),
        period_end=date(2020, 9, 30),
        value=Decimal("4.6"),
    )

    result = observations_upsert(
        rows=[{"metric": metric, "segment": None, "period_start": "2020-07", "value": "5.1"}],
        actor=None,
        source="import",
    )
    again = observation_save(
        metric=metric,
        segment=None,
        period_start="2020-07-01",
        value="5.2",
        actor=None,
        source="api",
    )

    assert result.rows[0].status == "created"
    assert (again.period_end, again.value) == (date(2020, 7, 31), Decimal("5.2"))
    assert models.Observation.objects.filter(metric=metric).count() == 2
    quarter_value.refresh_from_db()
    assert (quarter_value.period_end, quarter_value.value) == (date(2020, 9, 30), Decimal("4.6"))
