"""Small decks built from factories: the shapes of the reference deck (a YoY metric with
segment rows, a "not available" cell, a survey metric with inline segments, a decrease
metric, objectives with a metric key result and a milestone key result, a drill-down with a
table), and `add_bulk` to multiply the data for query-count tests."""

from datetime import date
from decimal import Decimal

from metrics import models
from metrics.fiscal import FiscalQuarter, month_end
from tests import factories


def build_small_deck(*, quarter_number: int = 2) -> models.TuningSession:
    priority = factories.PriorityFactory(name="Thriving Movement", slug="thriving-movement")
    q1 = factories.QuarterFactory(fiscal_year=2020, number=1)
    q2 = factories.QuarterFactory(fiscal_year=2020, number=2)
    product = factories.DepartmentFactory(name="Product", slug="product")
    session = factories.TuningSessionFactory(
        priority=priority,
        quarter=q2 if quarter_number == 2 else q1,
        title=f"Thriving Movement Tuning Session Q{quarter_number} FY20-21",
        overview="The task force **continued** to increase impact.",
        progress_challenges="Growth in **newcomer empowerment**.",
        actions="- IP Masking; engage Anti-Harassment Tools team",
    )
    newcomers = factories.OutcomeFactory(
        priority=priority, statement="We will welcome and support newcomers.", order=1
    )
    safe = factories.OutcomeFactory(
        priority=priority, statement="We will have safe and secure spaces.", order=2
    )

    editors = factories.MetricFactory(
        outcome=newcomers,
        department=product,
        name="Monthly active editors increase YoY",
        slug="monthly-active-editors",
        chart_title="Monthly Active Editors",
        baseline_text="99K active editors/month",
    )
    established = factories.SegmentFactory(
        metric=editors, name="Established markets", slug="established", footnote_markers="1"
    )
    retention = factories.MetricFactory(
        outcome=newcomers,
        department=product,
        name="New editor retention rate increases YoY",
        slug="new-editor-retention",
        chart_title="New Editor Retention",
        unit=models.Unit.PERCENT,
        baseline_value=Decimal("6.7"),
        baseline_text="6.7% editor retention/month",
    )
    retention_established = factories.SegmentFactory(
        metric=retention, name="Established markets", slug="established"
    )
    safety = factories.MetricFactory(
        outcome=safe,
        department=None,
        name="Decrease in reported threats to safety",
        slug="threats-to-safety",
        unit=models.Unit.PERCENT,
        unit_suffix="",
        direction=models.Direction.DECREASE,
        cadence=models.Cadence.ANNUAL,
        measured_in_quarter=2,
        segments_inline=True,
        display_decimals=0,
        baseline_text="37% unsafe, 19% harassed",
        goal_kind=models.GoalKind.TARGET,
        goal_text="35% unsafe, 18% harassed",
    )
    unsafe = factories.SegmentFactory(
        metric=safety, name="Unsafe", slug="unsafe", short_label="Unsafe", order=1
    )
    harassed = factories.SegmentFactory(
        metric=safety, name="Harassed", slug="harassed", short_label="Harassed", order=2
    )
    paused = factories.MetricFactory(
        outcome=safe,
        department=None,
        name="Documentation available in 10 languages",
        slug="documentation-languages",
        state=models.MetricState.PAUSED,
        baseline_text="English only",
        goal_text="",
    )

    for order, metric in enumerate((editors, retention, safety, paused)):
        models.MetricDefinition.objects.create(
            session=session,
            metric=metric,
            outcome=metric.outcome,
            name=metric.name,
            baseline_text=metric.baseline_text,
            goal_text=metric.goal_text,
            order=order,
        )

    status = factories.QuarterlyStatusFactory
    status(metric=editors, quarter=q1, value=Decimal("89000"), yoy_delta=Decimal("0.073"),
           footnote_markers="*", arrow="up", attainment="on_track")  # fmt: skip
    status(metric=editors, quarter=q2, value=Decimal("92000"), yoy_delta=Decimal("0.081"),
           footnote_markers="*", arrow="up", attainment="on_track")  # fmt: skip
    status(metric=editors, segment=established, quarter=q2, value=Decimal("74000"),
           yoy_delta=Decimal("0.048"), footnote_markers="+", attainment="at_risk")  # fmt: skip
    status(metric=retention, quarter=q2, value=Decimal("7.6"), yoy_delta=Decimal("0.086"),
           footnote_markers="*", attainment="on_track")  # fmt: skip
    status(metric=retention, segment=retention_established, quarter=q2,
           state=models.StatusState.NOT_AVAILABLE, value=Decimal("9.3"), state_markers="#",
           footnote_markers="†", attainment="no_data")  # fmt: skip
    status(metric=safety, quarter=q1, state=models.StatusState.MEASURED_ANNUALLY, value=None)
    status(metric=safety, segment=unsafe, quarter=q2, value=Decimal("34"), arrow="down",
           attainment="on_track")  # fmt: skip
    status(metric=safety, segment=harassed, quarter=q2, value=Decimal("21"), arrow="up",
           attainment="off_track")  # fmt: skip
    status(metric=paused, quarter=q2, state=models.StatusState.PAUSED, value=None,
           attainment="paused")  # fmt: skip

    for month in range(7, 13):
        for year, value in ((2019, 85000), (2020, 90000 + month * 100)):
            start = date(year, month, 1)
            factories.ObservationFactory(
                metric=editors, period_start=start, period_end=month_end(start), value=value
            )
            factories.ObservationFactory(
                metric=editors,
                segment=established,
                period_start=start,
                period_end=month_end(start),
                value=value * 3 // 4,
            )
    q2_fiscal = FiscalQuarter(2020, 2)
    for segment, before, after in ((unsafe, 37, 34), (harassed, 19, 21)):
        factories.ObservationFactory(
            metric=safety,
            segment=segment,
            period_start=date(2019, 10, 1),
            period_end=date(2019, 12, 31),
            value=before,
        )
        factories.ObservationFactory(
            metric=safety,
            segment=segment,
            period_start=q2_fiscal.start_date,
            period_end=q2_fiscal.end_date,
            value=after,
        )

    for marker, meaning in (("*", "Monthly average"), ("+", "Estimated"), ("†", "Unreliable"),
                            ("#", "Prior year missing"), ("¹", "Unused marker")):  # fmt: skip
        models.Footnote.objects.create(session=session, marker=marker, meaning=meaning)
    models.Acronym.objects.create(session=session, term="GLAM", meaning="Galleries, Libraries")

    armdeb = factories.ObjectiveFactory(
        priority=priority,
        department=product,
        short_name="ARMDEB",
        slug="armdeb",
        title="Attract and Retain a Larger and More Diverse Editor Base",
        statement="Build useful, delightful features.",
        narrative="Teams are **continuing**.\n\n- Reply tools\n- <script>alert(1)</script>",
        target_quarter_text="EOY",
        order=1,
    )
    factories.KeyResultFactory(
        objective=armdeb, code="", description="Monthly active editors increase 5% YoY",
        metric=editors, goal_text="+5% YoY",
    )  # fmt: skip
    gaps = factories.ObjectiveFactory(
        priority=priority,
        department=factories.DepartmentFactory(name="Technology", slug="technology"),
        short_name="Knowledge Gaps",
        slug="address-knowledge-gaps",
        title="Address Knowledge Gaps",
        order=2,
    )
    prioritization = factories.KeyResultFactory(
        objective=gaps, code="", description="Prioritization", goal_text="4 milestones",
        milestone_total=4,
    )  # fmt: skip
    factories.KeyResultStatusFactory(
        key_result=prioritization, quarter=q1, text="", milestones_done=1
    )
    factories.KeyResultStatusFactory(
        key_result=prioritization, quarter=q2, text="", milestones_done=2
    )
    teachers = factories.KeyResultFactory(
        objective=gaps, code="KR3", description="Reading Wikipedia toolkit",
        goal_text="75 teachers",
    )  # fmt: skip
    factories.KeyResultStatusFactory(
        key_result=teachers, quarter=q2, text="540 teachers in 3 countries/lang"
    )
    models.KeyDeliverable.objects.create(session=session, title="ARMDEB", objective=armdeb)
    models.KeyDeliverable.objects.create(session=session, title="Safe and Secure Spaces")
    drilldown = models.Drilldown.objects.create(
        objective=gaps,
        session=session,
        title="Drill Down: Knowledge Gaps",
        situation="The impact had **not** been articulated.",
        impact="Leadership understood.",
        recommendation="Review current data.",
    )
    table = models.DrilldownTable.objects.create(
        drilldown=drilldown, columns=["FY19/20", "FY20/21", "Q1-Q2"]
    )
    models.DrilldownRow.objects.create(
        table=table, label="We will have strong communities.", is_group_heading=True, order=1
    )
    models.DrilldownRow.objects.create(
        table=table, label="KR1: Ensure 65% of all grantees", cells=["64%", "66 %", "82%"], order=2
    )
    return session


def add_bulk(session: models.TuningSession, *, copies: int) -> None:
    """Multiply the session's data: `copies` more metrics (each with segments, definitions,
    statuses and a year of observations) and objectives (with key results, statuses and a
    drill-down table), with bulk_create."""
    quarters = list(models.Quarter.objects.filter(fiscal_year=session.quarter.fiscal_year))
    outcome = models.Outcome.objects.filter(priority=session.priority).first()
    department = models.Department.objects.first()
    base = models.Metric.objects.count()
    metrics = models.Metric.objects.bulk_create(
        models.Metric(
            outcome=outcome,
            department=department,
            name=f"Bulk metric {base + i}",
            slug=f"bulk-metric-{base + i}",
            unit=models.Unit.COUNT,
            unit_suffix="/mo",
            order=100 + base + i,
            segments_inline=i % 2 == 1,
            chart_title=f"Bulk chart {base + i}" if i % 10 == 0 else "",
        )
        for i in range(copies)
    )
    segments = models.Segment.objects.bulk_create(
        models.Segment(metric=m, name=f"Segment {j}", slug=f"segment-{j}", short_label=f"S{j}")
        for m in metrics
        for j in range(2)
    )
    models.MetricDefinition.objects.bulk_create(
        models.MetricDefinition(
            session=session, metric=m, outcome=outcome, name=m.name, order=100 + i
        )
        for i, m in enumerate(metrics)
    )
    models.QuarterlyStatus.objects.bulk_create(
        [
            models.QuarterlyStatus(
                metric=m, quarter=q, value=Decimal(1000 + q.number), yoy_delta=Decimal("0.01")
            )
            for m in metrics
            for q in quarters
        ]
        + [
            models.QuarterlyStatus(metric=s.metric, segment=s, quarter=q, value=Decimal(500))
            for s in segments
            for q in quarters
        ]
    )
    models.Observation.objects.bulk_create(
        models.Observation(
            metric=s.metric,
            segment=s,
            period_start=date(2020, month, 1),
            period_end=month_end(date(2020, month, 1)),
            value=Decimal(month),
        )
        for s in segments
        for month in range(1, 13)
    )
    objectives = models.Objective.objects.bulk_create(
        models.Objective(
            priority=session.priority,
            department=department,
            fiscal_year=session.quarter.fiscal_year,
            short_name=f"Bulk {base + i}",
            slug=f"bulk-objective-{base + i}",
            title=f"Bulk objective {base + i}",
            statement="Statement",
            order=100 + i,
        )
        for i in range(copies)
    )
    key_results = models.KeyResult.objects.bulk_create(
        models.KeyResult(
            objective=o,
            description=f"KR {j}",
            metric=metrics[i] if j == 0 else None,
            milestone_total=4,
        )
        for i, o in enumerate(objectives)
        for j in range(3)
    )
    models.KeyResultStatus.objects.bulk_create(
        models.KeyResultStatus(key_result=kr, quarter=q, milestones_done=q.number)
        for kr in key_results
        for q in quarters
    )
    drilldowns = models.Drilldown.objects.bulk_create(
        models.Drilldown(objective=o, session=session, situation="Situation") for o in objectives
    )
    tables = models.DrilldownTable.objects.bulk_create(
        models.DrilldownTable(drilldown=d, columns=["A", "B"]) for d in drilldowns
    )
    models.DrilldownRow.objects.bulk_create(
        models.DrilldownRow(table=t, label=f"Row {j}", cells=["1", "2"])
        for t in tables
        for j in range(3)
    )
    models.KeyDeliverable.objects.bulk_create(
        models.KeyDeliverable(session=session, title=o.short_name, objective=o) for o in objectives
    )
