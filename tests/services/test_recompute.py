"""The set-based recompute of values, YoY deltas, arrows and goal attainment."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from metrics.fiscal import FiscalQuarter, month_end
from metrics.models import (
    Aggregation,
    ChangeSource,
    Direction,
    GoalKind,
    HistoryEntry,
    MetricState,
    Quarter,
    QuarterlyStatus,
    RecomputeRequest,
    StatusState,
)
from metrics.services.recompute import metrics_recompute, recompute_pending_process
from tests.factories import (
    MetricFactory,
    ObservationFactory,
    QuarterFactory,
    QuarterlyStatusFactory,
    SegmentFactory,
    UserFactory,
    observe_quarter,
)

pytestmark = pytest.mark.django_db

Q2_FY20 = FiscalQuarter(2020, 2)  # Oct-Dec 2020
Q2_FY19 = FiscalQuarter(2019, 2)  # Oct-Dec 2019


def months_of(quarter: FiscalQuarter) -> list[date]:
    start = quarter.start_date
    return [date(start.year, start.month + offset, 1) for offset in range(3)]


def observe_months(metric, quarter, values, *, segment=None, is_derived=False):
    for month, value in zip(months_of(quarter), values, strict=True):
        ObservationFactory(
            metric=metric,
            segment=segment,
            period_start=month,
            period_end=month_end(month),
            value=Decimal(value),
            is_derived=is_derived,
        )


def status_of(metric, quarter: FiscalQuarter, segment=None) -> QuarterlyStatus:
    return QuarterlyStatus.objects.get(
        metric=metric,
        segment=segment,
        quarter__fiscal_year=quarter.fiscal_year,
        quarter__number=quarter.number,
    )


def status_at(metric, quarter: FiscalQuarter, **fields) -> QuarterlyStatus:
    return QuarterlyStatusFactory(
        metric=metric,
        quarter=QuarterFactory(fiscal_year=quarter.fiscal_year, number=quarter.number),
        **fields,
    )


class TestQuarterValues:
    def test_mean_of_the_months_is_the_default_and_yoy_is_relative(self):
        metric = MetricFactory()
        observe_months(metric, Q2_FY19, ["80", "85", "90"])
        observe_months(metric, Q2_FY20, ["91", "92", "93"])

        result = metrics_recompute()

        current = status_of(metric, Q2_FY20)
        assert current.value == Decimal("92")
        assert current.yoy_delta == Decimal("0.082353")  # 92 / 85 - 1
        assert current.state == StatusState.REPORTED
        assert result.statuses_created == 2

    def test_last_and_sum_aggregations_follow_the_metric(self):
        last = MetricFactory(aggregation=Aggregation.LAST)
        total = MetricFactory(aggregation=Aggregation.SUM)
        observe_months(last, Q2_FY20, ["10", "30", "20"])
        observe_months(total, Q2_FY20, ["10", "30", "20"])

        metrics_recompute()

        assert status_of(last, Q2_FY20).value == Decimal("20")
        assert status_of(total, Q2_FY20).value == Decimal("60")

    def test_an_annual_observation_counts_for_the_quarter_it_is_measured_in(self):
        metric = MetricFactory(
            cadence="annual",
            measured_in_quarter=2,
            goal_kind=GoalKind.MAINTAIN,
            baseline_value=Decimal("3.63"),
        )
        ObservationFactory(
            metric=metric,
            period_start=date(2020, 7, 1),
            period_end=date(2021, 6, 30),
            value=Decimal("3.82"),
        )

        metrics_recompute()

        status = status_of(metric, Q2_FY20)
        assert (status.value, status.arrow) == (Decimal("3.82"), "up")
        assert not QuarterlyStatus.objects.filter(metric=metric, quarter__number=4).exists()

    def test_segments_are_computed_apart_from_their_metric(self):
        metric = MetricFactory()
        segment = SegmentFactory(metric=metric, baseline_value=Decimal("20000"))
        observe_quarter(metric, Q2_FY19, "85000")
        observe_quarter(metric, Q2_FY20, "92000")
        observe_quarter(metric, Q2_FY19, "20000", segment=segment)
        observe_quarter(metric, Q2_FY20, "23000", segment=segment)

        metrics_recompute()

        assert status_of(metric, Q2_FY20).yoy_delta == Decimal("0.082353")
        assert status_of(metric, Q2_FY20, segment).value == Decimal("23000")
        assert status_of(metric, Q2_FY20, segment).yoy_delta == Decimal("0.15")

    def test_derived_prior_year_values_are_a_comparison_base_not_a_status(self):
        metric = MetricFactory()
        observe_quarter(metric, Q2_FY19, "85106.382979", is_derived=True)
        observe_quarter(metric, Q2_FY20, "92000")

        metrics_recompute()

        assert status_of(metric, Q2_FY20).yoy_delta == Decimal("0.081")
        assert QuarterlyStatus.objects.filter(metric=metric).count() == 1

    def test_a_status_without_observations_has_no_value(self):
        """The observations are the one source of truth for a quarter's value."""
        metric = MetricFactory()
        status = status_at(metric, Q2_FY20, value=Decimal("7.6"))
        observe_quarter(metric, Q2_FY19, "7", is_derived=True)

        metrics_recompute()

        status.refresh_from_db()
        assert (status.value, status.yoy_delta, status.value_basis) == (None, None, "")


class TestStates:
    def test_without_a_prior_year_value_the_status_is_not_available_and_keeps_its_value(self):
        metric = MetricFactory()
        observe_quarter(metric, Q2_FY20, "9.3")

        metrics_recompute()

        status = status_of(metric, Q2_FY20)
        assert status.state == StatusState.NOT_AVAILABLE
        assert status.value == Decimal("9.3")
        assert status.yoy_delta is None

    def test_a_value_a_person_saved_as_reported_keeps_its_state_without_a_prior_year(self):
        metric = MetricFactory()
        lead = UserFactory(username="lead-reported")
        status = status_at(metric, Q2_FY20, state=StatusState.REPORTED, value=None, updated_by=lead)
        observe_quarter(metric, Q2_FY20, "9.3")

        metrics_recompute()

        status.refresh_from_db()
        assert (status.state, status.value, status.yoy_delta) == (
            StatusState.REPORTED,
            Decimal("9.3"),
            None,
        )

    def test_a_not_available_status_becomes_reported_once_the_prior_year_is_known(self):
        metric = MetricFactory()
        status = status_at(metric, Q2_FY20, state=StatusState.NOT_AVAILABLE, value=None)
        observe_quarter(metric, Q2_FY20, "9.3")
        observe_quarter(metric, Q2_FY19, "9.0", is_derived=True)

        metrics_recompute()

        status.refresh_from_db()
        assert status.state == StatusState.REPORTED
        assert status.yoy_delta == Decimal("0.033333")

    def test_a_goal_without_yoy_reports_the_value_even_without_a_prior_year(self):
        metric = MetricFactory(goal_kind=GoalKind.MAINTAIN, baseline_value=Decimal("15.4"))
        observe_quarter(metric, Q2_FY20, "13.9")

        metrics_recompute()

        assert status_of(metric, Q2_FY20).state == StatusState.REPORTED

    @pytest.mark.parametrize(
        "state",
        [StatusState.MEASURED_ANNUALLY, StatusState.NO_DATA_YET, StatusState.PAUSED],
    )
    def test_states_that_say_why_there_is_no_figure_are_not_turned_into_reported(self, state):
        metric = MetricFactory()
        status = status_at(metric, Q2_FY20, state=state, value=None)
        observe_quarter(metric, Q2_FY20, "10")
        observe_quarter(metric, Q2_FY19, "8")

        metrics_recompute()

        status.refresh_from_db()
        assert status.state == state
        assert status.value == Decimal("10")
        assert status.yoy_delta == Decimal("0.25")

    def test_a_paused_metric_is_paused_whatever_its_figures(self):
        metric = MetricFactory(state=MetricState.PAUSED)
        observe_quarter(metric, Q2_FY20, "10")
        observe_quarter(metric, Q2_FY19, "8")

        metrics_recompute()

        assert status_of(metric, Q2_FY20).attainment == "paused"


class TestQuarterFigures:
    @pytest.mark.parametrize("aggregation", [Aggregation.MEAN, Aggregation.SUM, Aggregation.LAST])
    def test_a_figure_for_the_whole_quarter_wins_over_its_months_and_says_so(self, aggregation):
        metric = MetricFactory(baseline_value=Decimal("80"), aggregation=aggregation)
        observe_months(metric, Q2_FY20, ["50", "51", "52"])
        observe_quarter(metric, Q2_FY20, "92")
        observe_quarter(metric, Q2_FY19, "80")

        metrics_recompute()

        status = status_of(metric, Q2_FY20)
        assert status.value == Decimal("92")
        assert status.yoy_delta == Decimal("0.15")
        assert (status.arrow, status.attainment) == ("up", "on_track")
        assert (status.value_basis, status.unused_observations) == ("quarter", 3)

    def test_months_alone_are_the_basis_with_nothing_unused(self):
        metric = MetricFactory()
        observe_months(metric, Q2_FY20, ["50", "51", "52"])

        metrics_recompute()

        status = status_of(metric, Q2_FY20)
        assert (status.value, status.value_basis, status.unused_observations) == (
            Decimal("51"),
            "months",
            0,
        )


class TestArrows:
    def test_the_first_measurement_is_compared_with_the_baseline(self):
        survey = MetricFactory(
            unit="index", goal_kind=GoalKind.MAINTAIN, baseline_value=Decimal("3.63")
        )
        observe_quarter(survey, Q2_FY20, "3.82")

        metrics_recompute()

        assert status_of(survey, Q2_FY20).arrow == "up"

    def test_a_decrease_shows_the_arrow_down_which_is_good_for_a_decrease_goal(self):
        unsafe = MetricFactory(
            unit="percent",
            direction=Direction.DECREASE,
            goal_kind=GoalKind.TARGET,
            goal_value=Decimal("35"),
            baseline_value=Decimal("37"),
        )
        observe_quarter(unsafe, Q2_FY20, "34")

        metrics_recompute()

        status = status_of(unsafe, Q2_FY20)
        assert (status.arrow, status.attainment) == ("down", "on_track")

    def test_a_later_quarter_is_compared_with_the_previous_measurement(self):
        metric = MetricFactory(baseline_value=Decimal("1"))
        observe_quarter(metric, FiscalQuarter(2020, 1), "89000")
        observe_quarter(metric, Q2_FY20, "89000")
        observe_quarter(metric, FiscalQuarter(2020, 3), "88000")

        metrics_recompute()

        assert status_of(metric, FiscalQuarter(2020, 1)).arrow == "up"  # vs the baseline
        assert status_of(metric, Q2_FY20).arrow == "flat"
        assert status_of(metric, FiscalQuarter(2020, 3)).arrow == "down"


@pytest.mark.parametrize(
    ("direction", "goal_kind", "goal_value", "baseline", "prior_year", "value", "expected"),
    [
        # yoy_change, increase: +5% goal.
        (Direction.INCREASE, GoalKind.YOY_CHANGE, "5", "99", "100", "108.1", "on_track"),
        (Direction.INCREASE, GoalKind.YOY_CHANGE, "5", "99", "100", "104.8", "at_risk"),
        (Direction.INCREASE, GoalKind.YOY_CHANGE, "5", "99", "100", "99", "off_track"),
        (Direction.INCREASE, GoalKind.YOY_CHANGE, "5", "99", None, "99", "no_data"),
        # yoy_change, decrease: a -5% goal (either sign); down is good.
        (Direction.DECREASE, GoalKind.YOY_CHANGE, "5", "37", "37", "34", "on_track"),
        (Direction.DECREASE, GoalKind.YOY_CHANGE, "-5", "37", "37", "36", "at_risk"),
        (Direction.DECREASE, GoalKind.YOY_CHANGE, "5", "37", "37", "38", "off_track"),
        # target, increase and decrease.
        (Direction.INCREASE, GoalKind.TARGET, "100", "80", None, "100", "on_track"),
        (Direction.INCREASE, GoalKind.TARGET, "100", "80", None, "90", "at_risk"),
        (Direction.INCREASE, GoalKind.TARGET, "100", "80", None, "70", "off_track"),
        (Direction.DECREASE, GoalKind.TARGET, "18", "19", None, "17", "on_track"),
        (Direction.DECREASE, GoalKind.TARGET, "18", "19", None, "18.5", "at_risk"),
        (Direction.DECREASE, GoalKind.TARGET, "18", "19", None, "21", "off_track"),
        # maintain: not worse than the baseline; at risk within 5% of it.
        (Direction.INCREASE, GoalKind.MAINTAIN, None, "15.4", None, "15.4", "on_track"),
        (Direction.INCREASE, GoalKind.MAINTAIN, None, "15.4", None, "15.0", "at_risk"),
        (Direction.INCREASE, GoalKind.MAINTAIN, None, "15.4", None, "13.9", "off_track"),
        (Direction.DECREASE, GoalKind.MAINTAIN, None, "37", None, "36", "on_track"),
        (Direction.DECREASE, GoalKind.MAINTAIN, None, "37", None, "38", "at_risk"),
        (Direction.DECREASE, GoalKind.MAINTAIN, None, "37", None, "40", "off_track"),
        # establish: on track once a value exists; none: nothing to judge.
        (Direction.ESTABLISH, GoalKind.ESTABLISH, None, None, None, "3", "on_track"),
        (Direction.INCREASE, GoalKind.NONE, None, "1", "1", "3", "no_data"),
    ],
)
def test_attainment_follows_goal_kind_and_direction(
    direction, goal_kind, goal_value, baseline, prior_year, value, expected
):
    metric = MetricFactory(
        direction=direction,
        goal_kind=goal_kind,
        goal_value=None if goal_value is None else Decimal(goal_value),
        baseline_value=None if baseline is None else Decimal(baseline),
    )
    if prior_year is not None:
        observe_quarter(metric, Q2_FY19, prior_year, is_derived=True)
    observe_quarter(metric, Q2_FY20, value)

    metrics_recompute()

    assert status_of(metric, Q2_FY20).attainment == expected


def test_establish_without_a_value_has_no_data():
    metric = MetricFactory(direction=Direction.ESTABLISH, goal_kind=GoalKind.ESTABLISH)
    status = status_at(metric, Q2_FY20, state=StatusState.NO_DATA_YET, value=None)

    metrics_recompute()

    status.refresh_from_db()
    assert (status.state, status.attainment, status.arrow) == ("no_data_yet", "no_data", "")


def test_a_segment_with_its_own_goal_is_judged_against_it():
    metric = MetricFactory(goal_kind=GoalKind.YOY_CHANGE, goal_value=Decimal("5"))
    segment = SegmentFactory(
        metric=metric, goal_kind=GoalKind.TARGET, goal_value=Decimal("25"), baseline_value=None
    )
    observe_quarter(metric, Q2_FY20, "29", segment=segment)

    metrics_recompute()

    assert status_of(metric, Q2_FY20, segment).attainment == "on_track"


class TestIdempotence:
    def test_a_rerun_with_unchanged_data_writes_nothing(self):
        metric = MetricFactory()
        observe_months(metric, Q2_FY19, ["80", "85", "90"])
        observe_months(metric, Q2_FY20, ["91", "92", "93"])
        metrics_recompute()
        updated_at = {s.pk: s.updated_at for s in QuarterlyStatus.objects.all()}
        history_count = HistoryEntry.objects.count()

        rerun = metrics_recompute()

        assert (rerun.statuses_created, rerun.statuses_updated, rerun.history_entries) == (0, 0, 0)
        assert HistoryEntry.objects.count() == history_count
        assert {s.pk: s.updated_at for s in QuarterlyStatus.objects.all()} == updated_at

    def test_a_changed_observation_changes_only_what_depends_on_it(self):
        metric = MetricFactory()
        observe_quarter(metric, Q2_FY19, "80")
        observe_quarter(metric, Q2_FY20, "92")
        metrics_recompute()
        metric.observations.filter(period_start=Q2_FY20.start_date).update(value=Decimal("96"))

        result = metrics_recompute()

        assert result.statuses_updated == 1
        assert status_of(metric, Q2_FY20).yoy_delta == Decimal("0.2")


class TestHistory:
    def test_every_changed_field_is_recorded_with_source_recompute(self):
        metric = MetricFactory()
        status = status_at(metric, Q2_FY20, value=Decimal("90"))
        observe_quarter(metric, Q2_FY19, "80")
        observe_quarter(metric, Q2_FY20, "92")

        metrics_recompute()

        entries = HistoryEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(QuarterlyStatus), object_id=status.pk
        )
        recorded = {entry.field: (entry.old_value, entry.new_value) for entry in entries}
        assert recorded == {
            "value": ("90", "92"),
            "yoy_delta": (None, "0.15"),
            "arrow": ("", "up"),
            "attainment": ("no_data", "on_track"),
        }
        assert {entry.source for entry in entries} == {ChangeSource.RECOMPUTE}


class TestScope:
    def test_recomputing_one_metric_leaves_the_others_alone(self):
        chosen, other = MetricFactory(), MetricFactory()
        observe_quarter(chosen, Q2_FY20, "1")
        observe_quarter(other, Q2_FY20, "1")

        metrics_recompute(metric_ids=[chosen.pk])

        assert QuarterlyStatus.objects.filter(metric=chosen).count() == 1
        assert not QuarterlyStatus.objects.filter(metric=other).exists()

    def test_fulfilled_requests_are_removed_and_others_kept(self):
        chosen, other = MetricFactory(), MetricFactory()
        RecomputeRequest.objects.create(metric=chosen, reason="edit")
        RecomputeRequest.objects.create(metric=other, reason="edit")

        metrics_recompute(metric_ids=[chosen.pk])

        assert list(RecomputeRequest.objects.values_list("metric", flat=True)) == [other.pk]

    def test_the_number_of_queries_does_not_grow_with_the_data(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def queries_for(metric_count: int) -> int:
            for _ in range(metric_count):
                metric = MetricFactory()
                for number in (1, 2, 3, 4):
                    observe_quarter(metric, FiscalQuarter(2020, number), "10")
                    observe_quarter(metric, FiscalQuarter(2019, number), "9")
            QuarterlyStatus.objects.all().delete()
            Quarter.objects.all().delete()
            with CaptureQueriesContext(connection) as queries:
                metrics_recompute()
            return len(queries)

        ContentType.objects.get_for_model(QuarterlyStatus)  # cached for the process after this
        assert queries_for(1) == queries_for(20) <= 52


class TestPendingRequests:
    def test_pending_requests_are_claimed_processed_and_removed(self):
        metric = MetricFactory()
        observe_quarter(metric, Q2_FY20, "5")
        RecomputeRequest.objects.create(metric=metric, reason="api push")

        result = recompute_pending_process()

        assert result.statuses_created == 1
        assert not RecomputeRequest.objects.exists()

    def test_a_request_for_everything_recomputes_every_metric(self):
        first, second = MetricFactory(), MetricFactory()
        observe_quarter(first, Q2_FY20, "5")
        observe_quarter(second, Q2_FY20, "5")
        RecomputeRequest.objects.create(metric=None, reason="import")

        recompute_pending_process()

        assert QuarterlyStatus.objects.count() == 2

    def test_nothing_pending_does_nothing(self):
        assert recompute_pending_process() is None

    def test_requests_claimed_by_a_live_run_are_left_to_it(self):
        from django.utils import timezone

        metric = MetricFactory()
        RecomputeRequest.objects.create(
            metric=metric, reason="edit", claim_token="other", claimed_at=timezone.now()
        )

        assert recompute_pending_process() is None
        assert RecomputeRequest.objects.count() == 1


def test_a_locked_quarter_keeps_its_figures_when_earlier_data_changes():
    from metrics.models import Submission, SubmissionState
    from tests.factories import QuarterFactory

    metric = MetricFactory(goal_kind="yoy_change", goal_value=5)
    observe_quarter(metric, Q2_FY19, "85000", is_derived=True)
    observe_quarter(metric, Q2_FY20, "92000")
    metrics_recompute(metric_ids=[metric.pk])
    locked = status_of(metric, Q2_FY20)
    Submission.objects.create(
        department=metric.department,
        quarter=QuarterFactory(fiscal_year=2020, number=2),
        state=SubmissionState.LOCKED,
    )
    metric.observations.filter(period_start=Q2_FY19.start_date).update(value=Decimal("50000"))
    observe_quarter(metric, FiscalQuarter(2020, 1), "90000")  # Q1: open, gets its status

    metrics_recompute(metric_ids=[metric.pk])

    assert status_of(metric, Q2_FY20).yoy_delta == locked.yoy_delta == Decimal("0.082353")
    assert status_of(metric, FiscalQuarter(2020, 1)).value == Decimal("90000")


def test_no_status_is_created_in_a_locked_quarter():
    from metrics.models import Submission, SubmissionState
    from tests.factories import QuarterFactory

    metric = MetricFactory()
    Submission.objects.create(
        department=metric.department,
        quarter=QuarterFactory(fiscal_year=2020, number=2),
        state=SubmissionState.LOCKED,
    )
    observe_quarter(metric, Q2_FY20, "92000")

    metrics_recompute(metric_ids=[metric.pk])

    assert not QuarterlyStatus.objects.filter(metric=metric).exists()


def test_a_whole_quarter_value_wins_over_a_month_entered_beside_it():
    metric = MetricFactory()
    q1 = FiscalQuarter(2020, 1)  # Jul-Sep 2020
    observe_quarter(metric, q1, "89000")
    ObservationFactory(
        metric=metric,
        period_start=date(2020, 8, 1),
        period_end=date(2020, 8, 31),
        value=Decimal("91000"),
    )

    metrics_recompute(metric_ids=[metric.pk])

    assert status_of(metric, q1).value == Decimal("89000")


def test_months_alone_are_averaged():
    metric = MetricFactory()
    for month, value in ((7, "88000"), (8, "89000"), (9, "93000")):
        ObservationFactory(
            metric=metric,
            period_start=date(2020, month, 1),
            period_end=month_end(date(2020, month, 1)),
            value=Decimal(value),
        )

    metrics_recompute(metric_ids=[metric.pk])

    assert status_of(metric, FiscalQuarter(2020, 1)).value == Decimal("90000")


class TestOnlyChanged:
    """The nightly rerun recomputes only the metrics whose inputs changed (a fingerprint of
    their observations, statuses, segments, definition and the locked quarters)."""

    def test_a_rerun_with_nothing_changed_skips_every_metric(self, django_assert_max_num_queries):
        metrics = [MetricFactory() for _ in range(3)]
        for metric in metrics:
            observe_quarter(metric, Q2_FY19, "80")
            observe_quarter(metric, Q2_FY20, "92")
        metrics_recompute()
        # Blanked behind the services' back: a rerun that looked would put it back.
        QuarterlyStatus.objects.update(yoy_delta=None)

        # A fixed handful of statements, however many metrics (the full run takes 50).
        with django_assert_max_num_queries(32):
            result = metrics_recompute(only_changed=True)

        assert (result.statuses_created, result.statuses_updated) == (0, 0)
        assert not QuarterlyStatus.objects.filter(yoy_delta__isnull=False).exists()

    def test_a_changed_observation_is_recomputed_and_only_its_metric(self):
        changed, unchanged = MetricFactory(), MetricFactory()
        for metric in (changed, unchanged):
            observe_quarter(metric, Q2_FY19, "80")
            observe_quarter(metric, Q2_FY20, "92")
        metrics_recompute()
        QuarterlyStatus.objects.update(yoy_delta=None)
        from metrics.services.observations import observation_save

        observation_save(
            metric=changed,
            segment=None,
            period_start=Q2_FY20.start_date,
            period_end=Q2_FY20.end_date,
            value="96",
            actor=None,
            source="api",
        )
        RecomputeRequest.objects.all().delete()  # as if the request had been lost

        metrics_recompute(only_changed=True)

        assert status_of(changed, Q2_FY20).yoy_delta == Decimal("0.2")
        assert status_of(unchanged, Q2_FY20).yoy_delta is None

    def test_a_pending_request_is_recomputed_even_with_the_same_fingerprint(self):
        metric = MetricFactory()
        observe_quarter(metric, Q2_FY19, "80")
        observe_quarter(metric, Q2_FY20, "92")
        metrics_recompute()
        QuarterlyStatus.objects.update(yoy_delta=None)
        RecomputeRequest.objects.create(metric=metric, reason="segment goal edited")

        metrics_recompute(only_changed=True)

        assert status_of(metric, Q2_FY20).yoy_delta == Decimal("0.15")
        assert not RecomputeRequest.objects.exists()


def test_a_typed_figure_in_a_locked_quarter_keeps_its_cell_through_recomputes(
    django_capture_on_commit_callbacks,
):
    """A held session locks its quarter: whatever is pushed or recomputed later, its cells
    read as presented (the typed figure, its YoY and what it is based on)."""
    from metrics.models import Submission, SubmissionState
    from metrics.services.errors import LockedError
    from metrics.services.observations import observation_save
    from metrics.services.statuses import quarterly_status_save
    from tests.factories import QuarterFactory

    metric = MetricFactory(goal_kind="yoy_change", goal_value=5)
    quarter = QuarterFactory(fiscal_year=2020, number=2)
    observe_quarter(metric, Q2_FY19, "85000")
    observe_months(metric, Q2_FY20, ["90000", "91000", "92000"])
    with django_capture_on_commit_callbacks(execute=True):
        quarterly_status_save(
            metric=metric, segment=None, quarter=quarter, actor=None, source="form", value=95000
        )
    presented = status_of(metric, Q2_FY20)
    assert (presented.value, presented.value_basis, presented.unused_observations) == (
        Decimal("95000"),
        "quarter",
        3,
    )
    Submission.objects.create(
        department=metric.department, quarter=quarter, state=SubmissionState.LOCKED
    )

    with django_capture_on_commit_callbacks(execute=True):
        observation_save(
            metric=metric,
            segment=None,
            period_start=Q2_FY19.start_date,
            period_end=Q2_FY19.end_date,
            value="50000",
            actor=None,
            source="api",
        )
    metrics_recompute()
    metrics_recompute(only_changed=True)
    with pytest.raises(LockedError):
        quarterly_status_save(
            metric=metric, segment=None, quarter=quarter, actor=None, source="form", value=None
        )

    now = status_of(metric, Q2_FY20)
    figures = ("value", "yoy_delta", "arrow", "attainment", "state", "value_basis", "version")
    assert [getattr(now, f) for f in figures] == [getattr(presented, f) for f in figures]


def test_a_one_metric_run_on_postgresql_reuses_its_temporary_tables():
    """No catalog rows per run (creating ~10 tables a run left tens of MB of dead catalog
    rows): the tables are created once per connection and refilled."""
    import os

    from django.db import connection

    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true: the catalog test must run on PostgreSQL")
        pytest.skip("PostgreSQL's catalog")
    metric = MetricFactory()
    observe_quarter(metric, FiscalQuarter(2020, 2), "92000")
    metrics_recompute(metric_ids=[metric.pk])  # creates the tables if this connection has none

    def catalog_rows_inserted() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_stat_get_xact_tuples_inserted('pg_class'::regclass)"
                " + pg_stat_get_xact_tuples_inserted('pg_attribute'::regclass)"
            )
            return cursor.fetchone()[0]

    before = catalog_rows_inserted()
    observe_quarter(metric, FiscalQuarter(2020, 3), "93000")
    metrics_recompute(metric_ids=[metric.pk])

    assert catalog_rows_inserted() == before
    assert QuarterlyStatus.objects.filter(metric=metric).count() == 2
