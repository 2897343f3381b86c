from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import F

from metrics import models
from metrics.services import versioned
from metrics.services.errors import ConflictError, LockedError
from metrics.services.statuses import quarterly_status_save
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return factories.UserFactory(username="lead-product", roles=["Department lead"])


@pytest.fixture
def metric():
    return factories.MetricFactory(name="Monthly active editors", unit=models.Unit.COUNT)


@pytest.fixture
def q3():
    return factories.QuarterFactory(fiscal_year=2020, number=3)


def save(metric, quarter, actor, **fields):
    return quarterly_status_save(
        metric=metric, segment=None, quarter=quarter, actor=actor, source="form", **fields
    )


def history_of(status, field="value"):
    return list(
        models.HistoryEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(status), object_id=status.pk, field=field
        ).order_by("changed_at", "id")
    )


def test_first_save_creates_the_status_with_version_one_and_its_history(metric, q3, lead):
    status = save(metric, q3, lead, value="92000", state="reported", footnote_markers="*")

    status.refresh_from_db()
    assert status.value == Decimal("92000")
    assert status.version == 1
    assert status.updated_by == lead
    figure = models.Observation.objects.get(metric=metric)
    assert (figure.period_start, figure.period_end) == (q3.start_date, q3.end_date)
    assert (figure.value, figure.updated_by) == (Decimal("92000"), lead)
    assert [(h.old_value, h.new_value) for h in history_of(status)] == [(None, "92000")]
    assert models.RecomputeRequest.objects.filter(metric=metric).count() == 1


def test_history_of_a_cell_after_three_edits_lists_who_when_old_and_new(metric, q3, lead):
    other = factories.UserFactory(username="admin", roles=["Admin"])
    status = save(metric, q3, lead, value=90000)
    status = save(metric, q3, lead, value=91000, expected_version=status.version)
    status = save(metric, q3, other, value=92000, expected_version=status.version)

    entries = history_of(status)
    assert [(h.old_value, h.new_value) for h in entries] == [
        (None, "90000"),
        ("90000", "91000"),
        ("91000", "92000"),
    ]
    assert [h.actor.username for h in entries] == ["lead-product", "lead-product", "admin"]
    assert all(h.source == "form" and h.changed_at for h in entries)
    assert status.version == 3


def test_saving_the_same_values_changes_nothing(metric, q3, lead):
    status = save(metric, q3, lead, value=92000, comment="ok")
    again = save(metric, q3, lead, value="92,000", comment="ok", expected_version=1)

    assert again.version == 1
    # Once for the status, once for the quarter's observation.
    assert models.HistoryEntry.objects.filter(field="value").count() == 2
    assert models.RecomputeRequest.objects.count() == 1
    assert again.pk == status.pk


def test_a_stale_version_is_refused_with_the_current_row_and_keeps_the_saved_value(
    metric, q3, lead
):
    save(metric, q3, lead, value=92000)
    save(metric, q3, lead, value=93000, expected_version=1)

    with pytest.raises(ConflictError) as raised:
        save(metric, q3, lead, value=99000, expected_version=1)

    assert raised.value.current.value == Decimal("93000")
    assert raised.value.current.version == 2
    status = models.QuarterlyStatus.objects.get()
    assert status.value == Decimal("93000")


def test_creating_a_row_someone_else_created_meanwhile_is_a_conflict(metric, q3, lead):
    save(metric, q3, lead, value=92000)

    with pytest.raises(ConflictError):
        save(metric, q3, lead, value=95000, expected_version=0)


def test_a_concurrent_write_between_read_and_update_loses_the_conditional_update(
    metric, q3, lead, monkeypatch
):
    status = save(metric, q3, lead, value=92000)
    real_changes_between = versioned.changes_between

    def changes_then_concurrent_commit(instance, values):
        changes = real_changes_between(instance, values)
        models.QuarterlyStatus.objects.filter(pk=status.pk).update(
            value=Decimal("50000"), version=F("version") + 1
        )
        return changes

    monkeypatch.setattr(versioned, "changes_between", changes_then_concurrent_commit)

    with pytest.raises(ConflictError) as raised:
        save(metric, q3, lead, value=70000, expected_version=1)

    assert raised.value.current.value == Decimal("50000")
    # The simulated other write ran inside our (rolled back) transaction; ours never landed.
    assert models.QuarterlyStatus.objects.get().value != Decimal("70000")


def test_a_locked_quarter_refuses_edits(metric, q3, lead):
    status = save(metric, q3, lead, value=92000)
    models.Submission.objects.create(
        department=metric.department, quarter=q3, state=models.SubmissionState.LOCKED
    )

    with pytest.raises(LockedError):
        save(metric, q3, lead, value=1, expected_version=status.version)

    assert models.QuarterlyStatus.objects.get().value == Decimal("92000")


@pytest.mark.parametrize(
    ("unit", "value", "field", "message"),
    [
        (models.Unit.COUNT, "ninety-two thousand", "value", "not a number"),
        (models.Unit.COUNT, "NaN", "value", "finite"),
        (models.Unit.COUNT, "-5", "value", "cannot be negative"),
        (models.Unit.PERCENT, "100.5", "value", "between 0 and 100"),
        (models.Unit.PERCENT, "-1", "value", "between 0 and 100"),
        (models.Unit.COUNT, "1" * 16, "value", "Too large"),
        (models.Unit.COUNT, "1e100000000000", "value", "Too large"),
        (models.Unit.COUNT, "1000000000000000000000000.1234567", "value", "Too large"),
        (models.Unit.INDEX, "1.1234567", "value", "At most 6 decimal places"),
        (models.Unit.INDEX, "1e-7", "value", "At most 6 decimal places"),
    ],
)
def test_bad_values_are_field_errors_and_nothing_is_saved(unit, value, field, message, q3, lead):
    metric = factories.MetricFactory(unit=unit)

    with pytest.raises(ValidationError) as raised:
        save(metric, q3, lead, value=value)

    assert message in " ".join(raised.value.message_dict[field])
    assert not models.QuarterlyStatus.objects.exists()
    assert not models.RecomputeRequest.objects.exists()


def test_percent_values_are_taken_as_typed(q3, lead):
    metric = factories.MetricFactory(unit=models.Unit.PERCENT, unit_suffix="/mo")

    status = save(metric, q3, lead, value="7.6%")

    assert status.value == Decimal("7.6")


def test_unknown_state_and_long_markers_are_field_errors(metric, q3, lead):
    with pytest.raises(ValidationError) as raised:
        save(metric, q3, lead, state="great", footnote_markers="*" * 30)

    assert set(raised.value.message_dict) == {"state", "footnote_markers"}


def test_a_quarter_outside_the_fiscal_year_is_a_field_error(metric, lead):
    with pytest.raises(ValidationError) as raised:
        save(metric, (2020, 5), lead, value=1)

    assert "quarters 1 to 4" in raised.value.message_dict["quarter"][0]


def test_an_annual_metric_takes_a_value_only_in_its_measured_quarter(q3, lead):
    survey = factories.MetricFactory(
        unit=models.Unit.INDEX, cadence=models.Cadence.ANNUAL, measured_in_quarter=2
    )

    with pytest.raises(ValidationError) as raised:
        save(survey, q3, lead, value="3.9", state="reported")
    assert "measured annually in Q2" in raised.value.message_dict["value"][0]

    status = save(survey, q3, lead, state="measured_annually")
    assert status.state == "measured_annually"
    q2 = factories.QuarterFactory(fiscal_year=2020, number=2)
    assert save(survey, q2, lead, value="3.82").value == Decimal("3.82")


def test_a_segment_of_another_metric_is_refused(metric, q3, lead):
    foreign = factories.SegmentFactory()

    with pytest.raises(ValidationError) as raised:
        quarterly_status_save(
            metric=metric, segment=foreign, quarter=q3, actor=lead, source="form", value=1
        )

    assert "segment" in raised.value.message_dict


def test_segment_rows_are_kept_apart_from_the_metric_row(metric, q3, lead):
    segment = factories.SegmentFactory(metric=metric, name="Emerging markets")
    quarterly_status_save(
        metric=metric, segment=None, quarter=q3, actor=lead, source="api", value=9
    )
    quarterly_status_save(
        metric=metric, segment=segment, quarter=q3, actor=lead, source="api", value=3
    )

    assert models.QuarterlyStatus.objects.count() == 2
    assert models.QuarterlyStatus.objects.get(segment=segment).value == 3


def test_clearing_the_value_removes_the_quarters_figure(metric, q3, lead):
    save(metric, q3, lead, value=92000)

    status = save(metric, q3, lead, value="", expected_version=1)

    assert status.value is None
    assert not models.Observation.objects.filter(metric=metric).exists()
    removed = models.HistoryEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(models.Observation)
    ).latest("id")
    assert (removed.old_value, removed.new_value) == ("92000", None)


def test_fields_that_are_not_editable_are_refused(metric, q3, lead):
    with pytest.raises(ValidationError) as raised:
        save(metric, q3, lead, yoy_delta="0.5")

    assert "yoy_delta" in raised.value.message_dict


@pytest.mark.parametrize("fiscal_year", [0, 1900, 2099])
def test_a_fiscal_year_far_from_today_is_a_field_error(metric, lead, fiscal_year):
    with pytest.raises(ValidationError) as raised:
        save(metric, (fiscal_year, 1), lead, value="5")

    assert "Choose a fiscal year from" in " ".join(raised.value.message_dict["quarter"])
    assert not models.Quarter.objects.filter(fiscal_year=fiscal_year).exists()


def test_a_recomputed_value_bumps_the_version_so_saving_over_it_is_a_conflict(
    metric, q3, lead, django_capture_on_commit_callbacks
):
    from metrics.services.observations import observation_save

    seen = save(metric, q3, lead, value=92000)  # the person reads value A at this version
    with django_capture_on_commit_callbacks(execute=True):
        # Someone corrects the quarter's figure through the API: the recompute makes it B.
        observation_save(
            metric=metric,
            segment=None,
            period_start=q3.start_date,
            period_end=q3.end_date,
            value=93000,
            actor=None,
            source="api",
        )
    recomputed = models.QuarterlyStatus.objects.get()
    assert recomputed.value == Decimal("93000")
    assert recomputed.version > seen.version

    with pytest.raises(ConflictError) as raised:
        save(metric, q3, lead, value=99000, expected_version=seen.version)

    assert raised.value.current.value == Decimal("93000")
    assert models.QuarterlyStatus.objects.get().value == Decimal("93000")


def test_a_row_the_recompute_inserts_while_a_form_creates_it_is_saved_over(
    metric, q3, lead, monkeypatch
):
    """The form read no row (version 0); between its read and its insert the recompute
    created the status from pushed observations. The unique constraint stops the form's
    insert; the save goes on over the derived row instead of failing or losing the entry."""
    from metrics.services.recompute import metrics_recompute

    factories.ObservationFactory(
        metric=metric, period_start=q3.start_date, period_end=q3.start_date.replace(day=31)
    )
    real_create = versioned._create
    raced = []

    def create_after_the_recompute(model, *args, **kwargs):
        if model is models.QuarterlyStatus and not raced:
            raced.append(True)
            metrics_recompute(metric_ids=[metric.pk])
        return real_create(model, *args, **kwargs)

    monkeypatch.setattr(versioned, "_create", create_after_the_recompute)

    status = save(metric, q3, lead, state="reported", comment="typed", expected_version=0)

    assert raced
    assert models.QuarterlyStatus.objects.count() == 1
    assert (status.comment, status.updated_by) == ("typed", lead)


def test_a_row_only_the_recompute_wrote_is_no_conflict_for_a_person_who_saw_none(metric, q3, lead):
    from metrics.services.recompute import metrics_recompute

    factories.ObservationFactory(
        metric=metric, period_start=q3.start_date, period_end=q3.start_date.replace(day=31)
    )
    metrics_recompute(metric_ids=[metric.pk])

    status = save(metric, q3, lead, footnote_markers="*", expected_version=0)

    assert status.footnote_markers == "*"
    assert models.QuarterlyStatus.objects.count() == 1


def requests_of(metric) -> int:
    return models.RecomputeRequest.objects.filter(metric=metric).count()


def test_a_comment_or_markers_alone_ask_for_no_recompute(metric, q3, lead):
    save(metric, q3, lead, value="92000", state="reported")
    models.RecomputeRequest.objects.all().delete()

    save(metric, q3, lead, comment="Survey delayed a month.")
    save(metric, q3, lead, footnote_markers="*", state_markers="†")
    # The state and value as stored, sent again beside the comment: no figure changes.
    save(metric, q3, lead, state="reported", value="92000", comment="Survey delayed.")

    assert requests_of(metric) == 0
    status = models.QuarterlyStatus.objects.get(metric=metric)
    assert (status.comment, status.footnote_markers, status.version) == ("Survey delayed.", "*", 4)


@pytest.mark.parametrize(
    "fields",
    [{"state": "paused"}, {"value": "93000"}, {"value": None}, {"state": "paused", "comment": "x"}],
)
def test_a_save_that_changes_what_the_recompute_reads_asks_for_one(metric, q3, lead, fields):
    save(metric, q3, lead, value="92000", state="reported")
    models.RecomputeRequest.objects.all().delete()

    save(metric, q3, lead, **fields)

    assert requests_of(metric) == 1


def test_a_new_status_with_a_comment_only_asks_for_a_recompute(metric, q3, lead):
    save(metric, q3, lead, comment="Not measured yet.")

    assert requests_of(metric) == 1
