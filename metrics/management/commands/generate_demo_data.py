"""`manage.py generate_demo_data --scale N [--seed S]`: a synthetic organisation shaped like
the reference deck, N times over, for load tests and demos at size.

Per unit of scale it makes what the deck holds (5 outcomes, 13 metrics with 26 segments, 8
objectives with 20 key results, 4 drill-downs, 9 key deliverables), with monthly observations
from FY93-94 to the sessions' quarter (Q2 FY20-21), so that scale 1 is about the seed's
shape with ten thousand observations and scale 100 has 1,300 metrics, 2,000 key results and
a million observations. One priority holds everything, as in the deck: a session shows
every metric, the heavy case for its pages. Sessions: one per quarter from Q1 FY17-18.

Deterministic for a seed: the same (scale, seed) gives the same rows and values. Rows are
bulk inserted (observations through COPY on PostgreSQL), then the recompute runs once to
derive every status's value, YoY delta, arrow and attainment from the observations.
"""

from __future__ import annotations

import io
import random
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from metrics import models
from metrics.caching.versions import data_version_bump
from metrics.fiscal import FiscalQuarter, month_end
from metrics.services.recompute_runs import recompute_run

FIRST_FISCAL_YEAR = 1993
SESSION_FISCAL_YEAR = 2020
SESSION_QUARTER = 2
FIRST_SESSION = FiscalQuarter(2017, 1)
MARKERS = (("*", "Monthly average"), ("+", "Estimated"), ("†", "Unreliable estimate"),
           ("#", "Prior year not available"), ("¹", "Survey sample"))  # fmt: skip
ACRONYMS = (("GLAM", "Galleries, Libraries, Archives and Museums"), ("MTP", "Medium-term plan"),
            ("KR", "Key result"), ("YoY", "Year over year"), ("GM", "Gender minorities"),
            ("NA/EU", "North America and Europe"), ("OKR", "Objectives and key results"))  # fmt: skip


@dataclass(frozen=True)
class MetricShape:
    """One of the 13 metric kinds of a block, after the deck's S2-S6."""

    name: str
    cadence: str
    unit: str
    direction: str
    segments: tuple[str, ...]
    inline: bool = False
    goal_kind: str = models.GoalKind.YOY_CHANGE
    suffix: str = ""
    base: int = 1000
    state: str = models.MetricState.ACTIVE


MARKETS = ("Established markets", "Emerging markets")
GROUPS = ("Women", "Gender minorities", "Outside NA/EU")
SHAPES = (
    MetricShape("Monthly active editors", "monthly", "count", "increase", MARKETS,
                suffix="/mo", base=92000),
    MetricShape("New editor retention", "monthly", "percent", "increase", MARKETS,
                suffix="/mo", base=7),
    MetricShape("Monthly active newcomers", "monthly", "count", "increase", MARKETS, base=20000),
    MetricShape("Pageviews from emerging markets", "monthly", "count", "increase", MARKETS,
                base=900000),
    MetricShape("Active organizers", "monthly", "count", "increase", GROUPS, base=3000),
    MetricShape("Active admins", "monthly", "count", "increase", GROUPS, base=4000),
    MetricShape("Grant funds distributed", "monthly", "count", "increase", ("Rapid", "Project"),
                base=500000),
    MetricShape("Reverted edits by newcomers", "monthly", "percent", "decrease", MARKETS, base=25),
    MetricShape("Mobile editors", "monthly", "count", "increase", MARKETS, base=15000),
    MetricShape("Community health index", "quarterly", "index", "increase", MARKETS, base=3),
    MetricShape("Reported threats to safety", "annual", "percent", "decrease",
                ("Unsafe", "Harassed"), inline=True, goal_kind=models.GoalKind.TARGET, base=37),
    MetricShape("Feel supported", "annual", "index", "increase", GROUPS, inline=True, base=4),
    MetricShape("Documentation in 10 languages", "monthly", "count", "increase", (),
                goal_kind=models.GoalKind.ESTABLISH, state=models.MetricState.PAUSED, base=1),
)  # fmt: skip
OUTCOMES = (
    "We will welcome and support newcomers.",
    "We will grow movement leadership.",
    "We will fund and support communities.",
    "We will have safe and secure spaces.",
    "We will document and share knowledge.",
)
# Which outcome (index) each of the 13 shapes sits under.
SHAPE_OUTCOME = (0, 0, 0, 0, 1, 1, 2, 2, 0, 3, 3, 1, 4)
OBJECTIVES_PER_BLOCK = 8
KEY_RESULTS_PER_OBJECTIVE = (3, 3, 2, 3, 2, 3, 2, 2)  # 20, as in the deck
DRILLDOWNS_PER_BLOCK = 4
DELIVERABLES_PER_BLOCK = 9


NULL = "\\N"  # COPY's null


def _months(first: date, last: date):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


class Generator:
    def __init__(self, *, scale: int, seed: int, stdout=None):
        self.scale = scale
        self.rng = random.Random(seed)
        self.stdout = stdout
        self.counts: dict[str, int] = {}

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    def run(self) -> dict[str, int]:
        with transaction.atomic():
            self._organisation()
            self._metrics()
            self._observations()
            self._objectives()
            self._sessions()
        started = time.monotonic()
        result = recompute_run(task_name="manage.py generate_demo_data", metric_ids=None)
        self.log(f"Recompute: {result.rows_changed} statuses in {time.monotonic() - started:.1f} s")
        self.counts["quarterly statuses"] = models.QuarterlyStatus.objects.count()
        return self.counts

    def _organisation(self) -> None:
        departments = max(5, 5 * round(self.scale**0.5))
        names = ("Product", "Technology", "Legal", "Advancement", "Communications")
        self.departments = models.Department.objects.bulk_create(
            models.Department(
                name=names[i % 5] + ("" if i < 5 else f" {i // 5 + 1}"),
                slug=names[i % 5].lower() + ("" if i < 5 else f"-{i // 5 + 1}"),
            )
            for i in range(departments)
        )
        self.priority = models.Priority.objects.create(
            name="Thriving Movement", slug="thriving-movement"
        )
        self.outcomes = models.Outcome.objects.bulk_create(
            models.Outcome(
                priority=self.priority,
                statement=statement if block == 0 else f"{statement[:-1]} ({block + 1}).",
                order=block * len(OUTCOMES) + index,
            )
            for block in range(self.scale)
            for index, statement in enumerate(OUTCOMES)
        )
        quarters = [
            models.Quarter(fiscal_year=year, number=number)
            for year in range(FIRST_FISCAL_YEAR, SESSION_FISCAL_YEAR + 1)
            for number in (1, 2, 3, 4)
        ]
        for quarter in quarters:  # bulk_create skips save(), which derives the dates
            quarter.start_date = quarter.fiscal.start_date
            quarter.end_date = quarter.fiscal.end_date
        self.quarters = models.Quarter.objects.bulk_create(quarters)
        self.counts.update(departments=len(self.departments), outcomes=len(self.outcomes))

    def _metrics(self) -> None:
        metrics = []
        for block in range(self.scale):
            for index, shape in enumerate(SHAPES):
                suffix = "" if block == 0 else f" {block + 1}"
                slug_suffix = "" if block == 0 else f"-{block + 1}"
                metrics.append(
                    models.Metric(
                        outcome=self.outcomes[block * len(OUTCOMES) + SHAPE_OUTCOME[index]],
                        department=self.rng.choice(self.departments),
                        name=f"{shape.name}{suffix}",
                        slug=f"{shape.name.lower().replace(' ', '-')}{slug_suffix}"[:100],
                        chart_title=f"{shape.name}{suffix}" if index % 3 == 0 else "",
                        unit=shape.unit,
                        unit_suffix=shape.suffix,
                        direction=shape.direction,
                        cadence=shape.cadence,
                        measured_in_quarter=2 if shape.cadence == "annual" else None,
                        aggregation=models.Aggregation.MEAN,
                        state=shape.state,
                        segments_inline=shape.inline,
                        baseline_value=Decimal(shape.base),
                        baseline_text=f"{shape.base:,} ({FIRST_FISCAL_YEAR + 24})",
                        goal_kind=shape.goal_kind,
                        goal_value=Decimal(5) if shape.goal_kind == "yoy_change" else None,
                        goal_text="+5% YoY" if shape.goal_kind == "yoy_change" else "",
                        order=block * len(SHAPES) + index,
                    )
                )
        self.metrics = models.Metric.objects.bulk_create(metrics, batch_size=2000)
        self.shape_of = {m.id: SHAPES[i % len(SHAPES)] for i, m in enumerate(self.metrics)}
        self.segments = models.Segment.objects.bulk_create(
            (
                models.Segment(
                    metric=metric,
                    name=name,
                    slug=name.lower().replace(" ", "-").replace("/", "-"),
                    short_label=name.split()[0] if self.shape_of[metric.id].inline else "",
                    baseline_value=Decimal(self.shape_of[metric.id].base) / 2,
                    order=order,
                )
                for metric in self.metrics
                for order, name in enumerate(self.shape_of[metric.id].segments)
            ),
            batch_size=2000,
        )
        self.counts.update(metrics=len(self.metrics), segments=len(self.segments))

    def _series(self):
        """(metric, segment or None, shape) for every time series."""
        for metric in self.metrics:
            yield metric, None, self.shape_of[metric.id]
        for segment in self.segments:
            yield segment.metric, segment, self.shape_of[segment.metric_id]

    def _observations(self) -> None:
        first = FiscalQuarter(FIRST_FISCAL_YEAR, 1).start_date
        last = FiscalQuarter(SESSION_FISCAL_YEAR, SESSION_QUARTER).end_date
        months = list(_months(first, last))
        quarters = [q for q in self.quarters if q.end_date <= last]
        rows = []
        for metric, segment, shape in self._series():
            if shape.state == models.MetricState.PAUSED:
                continue
            level = shape.base * (0.5 if segment else 1.0) * self.rng.uniform(0.8, 1.2)
            growth = self.rng.uniform(-0.02, 0.08)  # a year
            if shape.cadence == "monthly":
                periods = [(m, month_end(m)) for m in months]
            elif shape.cadence == "quarterly":
                periods = [(q.start_date, q.end_date) for q in quarters]
            else:  # measured once a year, in Q2
                periods = [(q.start_date, q.end_date) for q in quarters if q.number == 2]
            span = len(periods)
            per_period = {"monthly": 12, "quarterly": 4}.get(shape.cadence, 1)
            for index, (start, end) in enumerate(periods):
                years_back = (span - 1 - index) / per_period
                value = level / (1 + growth) ** years_back * self.rng.uniform(0.97, 1.03)
                decimals = 0 if shape.unit == "count" else 2
                rows.append(
                    (metric.id, segment.id if segment else None, start, end, round(value, decimals))
                )
        self._insert_observations(rows)
        self.counts["observations"] = len(rows)

    def _insert_observations(self, rows) -> None:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for metric_id, segment_id, start, end, value in rows:
                segment = segment_id if segment_id else NULL
                buffer.write(f"{metric_id}\t{segment}\t{start}\t{end}\t{value}\n")
            buffer.seek(0)
            with connection.cursor() as cursor:
                # COPY fills the defaults the ORM would (timestamps, version) from the table's
                # column defaults, which Django does not set: give them in a staging table.
                cursor.execute(
                    "CREATE TEMP TABLE demo_observations (metric_id bigint, segment_id bigint, "
                    "period_start date, period_end date, value numeric) ON COMMIT DROP"
                )
                cursor.cursor.copy_expert("COPY demo_observations FROM STDIN", buffer)
                cursor.execute(
                    "INSERT INTO metrics_observation (created_at, updated_at, version, "
                    "metric_id, segment_id, period_start, period_end, value, is_derived, source) "
                    "SELECT now(), now(), 1, metric_id, segment_id, period_start, period_end, "
                    "value, false, 'demo' FROM demo_observations"
                )
            return
        models.Observation.objects.bulk_create(
            (
                models.Observation(
                    metric_id=metric_id,
                    segment_id=segment_id,
                    period_start=start,
                    period_end=end,
                    value=Decimal(str(value)),
                    source="demo",
                )
                for metric_id, segment_id, start, end, value in rows
            ),
            batch_size=5000,
        )

    def _objectives(self) -> None:
        fiscal_years = range(FIRST_SESSION.fiscal_year, SESSION_FISCAL_YEAR + 1)
        objectives = [
            models.Objective(
                priority=self.priority,
                department=self.rng.choice(self.departments),
                fiscal_year=year,
                short_name=f"Objective {block * OBJECTIVES_PER_BLOCK + index + 1}",
                slug=f"objective-{year}-{block * OBJECTIVES_PER_BLOCK + index + 1}",
                title=f"Objective {block * OBJECTIVES_PER_BLOCK + index + 1} of FY{year % 100:02d}",
                statement="Build useful, delightful features for **newcomers**.",
                narrative="Teams are *continuing* their work.\n\n- Reply tools\n- Talk pages",
                target_quarter_text="EOY",
                order=block * OBJECTIVES_PER_BLOCK + index,
            )
            for year in fiscal_years
            for block in range(self.scale)
            for index in range(OBJECTIVES_PER_BLOCK)
        ]
        self.objectives = models.Objective.objects.bulk_create(objectives, batch_size=2000)
        self._key_results()
        statuses = self._key_result_statuses()
        self.counts.update(
            objectives=len(self.objectives),
            **{"key results": len(self.key_results), "key result statuses": statuses},
        )

    def _key_results(self) -> None:
        """Each objective's key results; every other objective's first tracks a metric."""
        key_results = []
        for number, objective in enumerate(self.objectives):
            for k in range(KEY_RESULTS_PER_OBJECTIVE[number % OBJECTIVES_PER_BLOCK]):
                tracked = k == 0 and number % 2 == 0
                key_results.append(
                    models.KeyResult(
                        objective=objective,
                        code=f"KR{k + 1}",
                        description=f"Key result {k + 1} of {objective.short_name}",
                        baseline_text="None yet" if k else "",
                        goal_text=["4 milestones", "75 teachers", "+5% YoY"][k % 3],
                        metric=self.rng.choice(self.metrics) if tracked else None,
                        milestone_total=4 if k % 3 == 0 and not tracked else None,
                        order=k,
                    )
                )
        self.key_results = models.KeyResult.objects.bulk_create(key_results, batch_size=2000)

    def _key_result_statuses(self) -> int:
        """The untracked key results' statuses, each quarter of their fiscal year up to the
        session's; returns how many."""
        by_year = {q.fiscal_year: [] for q in self.quarters}
        for quarter in self.quarters:
            by_year[quarter.fiscal_year].append(quarter)
        objective_year = {o.id: o.fiscal_year for o in self.objectives}
        statuses = []
        for kr in self.key_results:
            if kr.metric_id:
                continue
            for quarter in by_year[objective_year[kr.objective_id]]:
                if (quarter.fiscal_year, quarter.number) > (SESSION_FISCAL_YEAR, SESSION_QUARTER):
                    break
                roll = self.rng.random()
                statuses.append(
                    models.KeyResultStatus(
                        key_result=kr,
                        quarter=quarter,
                        state="not_available" if roll < 0.05 else "reported",
                        milestones_done=quarter.number if kr.milestone_total else None,
                        text="" if kr.milestone_total else f"{int(roll * 600)} teachers",
                        is_done=roll > 0.9,
                    )
                )
        models.KeyResultStatus.objects.bulk_create(statuses, batch_size=5000)
        return len(statuses)

    def _sessions(self) -> None:
        session_quarters = []
        quarter = FIRST_SESSION
        while (quarter.fiscal_year, quarter.number) <= (SESSION_FISCAL_YEAR, SESSION_QUARTER):
            session_quarters.append(quarter)
            quarter = quarter.shifted(1)
        quarter_ids = {(q.fiscal_year, q.number): q.id for q in self.quarters}
        sessions = models.TuningSession.objects.bulk_create(
            models.TuningSession(
                priority=self.priority,
                quarter_id=quarter_ids[(q.fiscal_year, q.number)],
                title=f"Thriving Movement Tuning Session {q.label}",
                overview="The task force **continued** to increase impact.",
                progress_challenges="Growth in **newcomer empowerment**; fewer reverts.",
                actions="- Review the retention drop\n- Engage the tools team",
            )
            for q in session_quarters
        )
        definitions, drilldowns = self._session_rows(sessions, session_quarters)
        self._drilldown_tables(drilldowns)
        self._submissions(quarter_ids[(SESSION_FISCAL_YEAR, SESSION_QUARTER)])
        self.counts.update(
            sessions=len(sessions),
            **{"metric definitions": definitions, "drill-downs": len(drilldowns)},
        )

    def _session_rows(self, sessions, session_quarters) -> tuple[int, list]:
        """Each session's metric rows, footnotes, acronyms, deliverables and drill-downs (of
        its fiscal year's objectives); returns how many metric rows, and the drill-downs."""
        definitions, footnotes, acronyms, deliverables, drilldowns = [], [], [], [], []
        objectives_by_year: dict[int, list] = {}
        for objective in self.objectives:
            objectives_by_year.setdefault(objective.fiscal_year, []).append(objective)
        for session, q in zip(sessions, session_quarters, strict=True):
            definitions += [
                models.MetricDefinition(
                    session=session,
                    metric=m,
                    outcome_id=m.outcome_id,
                    name=m.name,
                    baseline_text=m.baseline_text,
                    goal_text=m.goal_text,
                    order=m.order,
                )
                for m in self.metrics
            ]
            footnotes += [
                models.Footnote(session=session, marker=marker, meaning=meaning)
                for marker, meaning in MARKERS
            ]
            acronyms += [
                models.Acronym(
                    session=session,
                    term=term if block == 0 else f"{term}{block + 1}",
                    meaning=meaning,
                )
                for block in range(self.scale)
                for term, meaning in ACRONYMS
            ]
            year_objectives = objectives_by_year.get(q.fiscal_year, [])
            deliverables += [
                models.KeyDeliverable(
                    session=session, title=o.short_name, objective=o, order=o.order
                )
                for o in year_objectives[: DELIVERABLES_PER_BLOCK * self.scale]
            ]
            drilldowns += [
                models.Drilldown(
                    objective=o,
                    session=session,
                    title=f"Drill down: {o.short_name}",
                    situation="The impact had **not** been articulated.",
                    impact="Leadership understood.",
                    recommendation="Review current data.",
                    next_steps="- Report in Q3",
                    order=o.order,
                )
                for o in year_objectives[:: max(1, OBJECTIVES_PER_BLOCK // DRILLDOWNS_PER_BLOCK)]
            ]
        models.MetricDefinition.objects.bulk_create(definitions, batch_size=5000)
        models.Footnote.objects.bulk_create(footnotes)
        models.Acronym.objects.bulk_create(acronyms, batch_size=5000)
        models.KeyDeliverable.objects.bulk_create(deliverables, batch_size=5000)
        drilldowns = models.Drilldown.objects.bulk_create(drilldowns, batch_size=5000)
        return len(definitions), drilldowns

    def _drilldown_tables(self, drilldowns) -> None:
        tables = models.DrilldownTable.objects.bulk_create(
            (
                models.DrilldownTable(
                    drilldown=d, title="Grants", columns=["FY19/20", "FY20/21", "Q1-Q2"]
                )
                for d in drilldowns
            ),
            batch_size=5000,
        )
        models.DrilldownRow.objects.bulk_create(
            (
                models.DrilldownRow(
                    table=t,
                    label=label,
                    is_group_heading=heading,
                    cells=[] if heading else ["64%", "66%", "82%"],
                    order=order,
                )
                for t in tables
                for order, (label, heading) in enumerate(
                    (("We will have strong communities.", True), ("KR1: grantees", False))
                )
            ),
            batch_size=5000,
        )

    def _submissions(self, quarter_id: int) -> None:
        """The session quarter's check-ins, in random states."""
        submissions = [
            models.Submission(
                department=d,
                quarter_id=quarter_id,
                state=self.rng.choice(("draft", "submitted", "locked")),
            )
            for d in self.departments
        ]
        models.Submission.objects.bulk_create(submissions)


def demo_data_generate(*, scale: int, seed: int = 1, stdout=None) -> dict[str, int]:
    """Fills an empty database with the synthetic organisation; returns the row counts."""
    if scale < 1:
        raise CommandError("--scale must be 1 or more.")
    if models.TuningSession.objects.exists() or models.Metric.objects.exists():
        raise CommandError(
            "The database already holds metrics or sessions: generate into an empty one."
        )
    counts = Generator(scale=scale, seed=seed, stdout=stdout).run()
    # Loaded in bulk, without the services: every cached page goes stale.
    data_version_bump()
    return counts


class Command(BaseCommand):
    help = "Fills an empty database with a synthetic organisation N times the reference deck."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="1: about the seed deck's size.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")

    def handle(self, *args, scale, seed, **options):
        started = time.monotonic()
        counts = demo_data_generate(scale=scale, seed=seed, stdout=self.stdout)
        for name, count in counts.items():
            self.stdout.write(f"{name:>22}: {count:,}")
        self.stdout.write(
            f"Generated scale {scale} (seed {seed}) in {time.monotonic() - started:.1f} s"
        )
