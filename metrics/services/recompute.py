"""Recomputing the derived figures of quarterly statuses from the observations.

For every metric and segment in scope and every quarter that has observations or a status:

1. the quarter's value, aggregated from the observations whose period lies inside the
   quarter (mean, last or sum as `Metric.aggregation` says; a value for the whole quarter,
   such as a figure typed in the check-in or printed in a deck, wins over months entered
   beside it, which would otherwise be averaged with it as if it were one month, and over a
   longer period; an observation longer than a quarter, such as an annual survey, of a
   metric measured in quarter N counts for quarter N of the fiscal year it ends in). The
   observations are the one source of truth: a status without observations has no value.
   Which observations the value comes from, and how many of the quarter's it leaves unused,
   is stored next to it (value_basis, unused_observations) for the pages to explain.
   Statuses are created for quarters that have measured observations; derived ones (worked
   back from a printed YoY) only serve as comparison;
2. the YoY delta: value / value of the same quarter a year earlier - 1 (relative for rates
   too); without a prior-year value it is NULL and a YoY-goal status says "not available",
   unless a person saved it as "reported": the lead's state is kept (the check-in names the
   months of last year that are missing);
3. the arrow against the previous measurement, or the baseline where there is none;
4. goal attainment against the (segment's or metric's) structured goal and direction.

Statuses in a department's locked quarter keep the figures they were locked with. A status
whose value or state changes gets a new `version`, so that a person who read the old one
and saves over it is told of the conflict instead of overwriting the recomputed figure.

Everything is set-based: a handful of statements over temporary tables, the same number
whatever the data size, portable between PostgreSQL and SQLite >= 3.39 (UPDATE ... FROM,
window functions, IS DISTINCT FROM). A rerun over unchanged data writes nothing: rows are
only touched where a figure IS DISTINCT FROM the stored one, and exactly those differences
are written to the history first. A scope is recomputed in one transaction, so a killed
worker leaves the old figures or the new ones, never a mix.
"""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, OperationalError, connection
from django.db.models import Q
from django.utils import timezone

from metrics.caching.versions import data_changed, data_write
from metrics.fiscal import QUARTERS_PER_YEAR, FiscalQuarter, quarter_index_sql
from metrics.formatting import plain_decimal_sql
from metrics.models import ChangeSource, Metric, Quarter, QuarterlyStatus, RecomputeRequest
from metrics.services.recompute_requests import QUEUED

logger = logging.getLogger(__name__)

# A "maintain" goal is at risk (not yet off track) while the value is at most this fraction
# of the baseline worse than the baseline.
MAINTAIN_TOLERANCE = "0.05"
# A pending request claimed longer ago than this belongs to a worker that died: reclaim it.
CLAIM_STALE_AFTER = timedelta(minutes=30)
RETRY_ATTEMPTS = 3

TEMP_TABLES = (
    "recompute_scope",
    "recompute_fingerprints",
    "recompute_requests_seen",
    "recompute_locked",
    "recompute_statuses",
    "recompute_observed",
    "recompute_figures",
    "recompute_changes",
)
# Up to this many metrics a run's temporary tables are not analysed (see `_analyze`).
SMALL_SCOPE = 10
# The fields the recompute owns, in the order they are recorded in the history.
DERIVED_FIELDS = ("value", "yoy_delta", "arrow", "attainment", "state")
# Also the recompute's, but bookkeeping for the pages' explanations: not in the history.
BASIS_FIELDS = ("value_basis", "unused_observations")
COMPARED_FIELDS = DERIVED_FIELDS + BASIS_FIELDS
# The fields a person edits too: a change to them bumps the status's version.
VERSIONED_FIELDS = ("value", "state")

# The arrow: the value against the previous measurement, or the baseline where there is none.
ARROW_SQL = """CASE WHEN value IS NULL OR reference_value IS NULL THEN ''
                        WHEN value > reference_value THEN 'up'
                        WHEN value < reference_value THEN 'down'
                        ELSE 'flat' END"""

# Goal attainment by goal kind and direction (see the module docstring).
ATTAINMENT_SQL = """CASE
                     WHEN metric_state = 'paused' OR old_state = 'paused' THEN 'paused'
                     WHEN value IS NULL THEN 'no_data'
                     WHEN goal_kind = 'establish' THEN 'on_track'
                     WHEN goal_kind = 'yoy_change' THEN CASE
                       WHEN yoy_delta IS NULL OR goal_value IS NULL THEN 'no_data'
                       WHEN direction = 'decrease' THEN CASE
                         WHEN yoy_delta * 100 <= -ABS(goal_value) THEN 'on_track'
                         WHEN yoy_delta < 0 THEN 'at_risk'
                         ELSE 'off_track' END
                       WHEN yoy_delta * 100 >= goal_value THEN 'on_track'
                       WHEN yoy_delta > 0 THEN 'at_risk'
                       ELSE 'off_track' END
                     WHEN goal_kind = 'target' THEN CASE
                       WHEN goal_value IS NULL THEN 'no_data'
                       WHEN direction = 'decrease' THEN CASE
                         WHEN value <= goal_value THEN 'on_track'
                         WHEN value < reference_value THEN 'at_risk'
                         ELSE 'off_track' END
                       WHEN value >= goal_value THEN 'on_track'
                       WHEN value > reference_value THEN 'at_risk'
                       ELSE 'off_track' END
                     WHEN goal_kind = 'maintain' THEN CASE
                       WHEN reference_value IS NULL THEN 'no_data'
                       WHEN direction = 'decrease' THEN CASE
                         WHEN value <= COALESCE(baseline_value, reference_value) THEN 'on_track'
                         WHEN value <= COALESCE(baseline_value, reference_value)
                                       + ABS(COALESCE(baseline_value, reference_value)) * %s
                           THEN 'at_risk'
                         ELSE 'off_track' END
                       WHEN value >= COALESCE(baseline_value, reference_value) THEN 'on_track'
                       WHEN value >= COALESCE(baseline_value, reference_value)
                                     - ABS(COALESCE(baseline_value, reference_value)) * %s
                         THEN 'at_risk'
                       ELSE 'off_track' END
                     ELSE 'no_data'
                   END"""


@dataclass(frozen=True)
class RecomputeResult:
    statuses_created: int
    statuses_updated: int
    history_entries: int
    changed_at: datetime

    @property
    def rows_changed(self) -> int:
        # A created status is always filled in by the update step (it has a measured value),
        # so the updated count already includes it.
        return max(self.statuses_updated, self.statuses_created)


# Part of every fingerprint: a change to the recompute's rules or the fiscal calendar makes
# every metric's figures stale.
RULES_VERSION = "2"


def metrics_recompute(
    *, metric_ids: Iterable[int] | None = None, only_changed: bool = False
) -> RecomputeResult:
    """Recompute every status of the given metrics (None: all metrics) in one transaction,
    and mark the recompute requests it has fulfilled as done.

    `only_changed` skips the metrics whose inputs have not changed since their last
    recompute (the same fingerprint, no pending request): the nightly run over everything
    costs next to nothing when nothing changed. A change that bypasses the services and
    `updated_at` (raw SQL) needs a run without it (`manage.py recompute`)."""
    ids = None if metric_ids is None else sorted({int(metric_id) for metric_id in metric_ids})
    for attempt in range(1, RETRY_ATTEMPTS + 1):
        try:
            with data_write():
                result = _Recompute(
                    connection.cursor(), metric_ids=ids, only_changed=only_changed
                ).run()
                if result.history_entries or result.statuses_created:
                    data_changed(department_ids=_departments_of(ids))
                return result
        except (IntegrityError, OperationalError) as error:
            # A status inserted by a concurrent save, a deadlock or a serialisation failure:
            # the transaction rolled back whole, so running it again is safe. Inside a
            # caller's transaction it cannot be retried here: the caller (a task) retries.
            if attempt == RETRY_ATTEMPTS or connection.in_atomic_block:
                raise
            logger.warning("Recompute attempt %s failed (%s); retrying.", attempt, error)
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


def _departments_of(metric_ids: list[int] | None) -> set[int] | None:
    """Whose figures a recompute of these metrics may have changed (None: every metric's,
    which changes as the structure does)."""
    if metric_ids is None:
        return None
    return set(Metric.objects.filter(pk__in=metric_ids).values_list("department_id", flat=True))


def recompute_pending_process() -> RecomputeResult | None:
    """Claim the recorded recompute requests and fulfil them: a full recompute if any asks
    for everything, else one over the requested metrics. None when nothing was pending."""
    token = uuid4().hex
    now = timezone.now()
    # The claim commits on its own, so a concurrent run skips these rows instead of redoing them.
    # Requests whose task is queued are taken too: it may never come (the broker refused it
    # or lost it); if it does, it finds them done.
    claimed = RecomputeRequest.objects.filter(
        Q(claim_token__in=("", QUEUED)) | Q(claimed_at__lt=now - CLAIM_STALE_AFTER)
    ).update(claim_token=token, claimed_at=now)
    if not claimed:
        return None
    requested = set(
        RecomputeRequest.objects.filter(claim_token=token).values_list("metric_id", flat=True)
    )
    try:
        result = metrics_recompute(metric_ids=None if None in requested else requested)
    except BaseException:
        RecomputeRequest.objects.filter(claim_token=token).update(claim_token="", claimed_at=None)
        raise
    RecomputeRequest.objects.filter(claim_token=token).delete()
    return result


class _Recompute:
    """One recompute run: the SQL steps in order, on one cursor, inside the caller's
    transaction. Dialect differences are confined to the small helpers at the bottom."""

    def __init__(self, cursor, *, metric_ids: list[int] | None, only_changed: bool = False):
        self.cursor = cursor
        self.metric_ids = metric_ids
        self.only_changed = only_changed
        # Whether the statements read whole tables (a full run) or only the scope's metrics,
        # named by their ids (literals: the planner then reads them through the indexes, so a
        # metric's run costs the same whatever the size of the database).
        self.whole_tables = metric_ids is None
        self.scope_ids = metric_ids
        # A run over some metrics on PostgreSQL keeps its temporary tables for the connection
        # (emptied at commit, refilled by the next run): creating and dropping ~10 tables per
        # run left tens of MB of dead catalog rows. A full run creates and drops its own.
        self.reuse_tables = connection.vendor == "postgresql" and metric_ids is not None
        self.now = timezone.now()
        self.postgres = connection.vendor == "postgresql"
        # Raw SQL parameters get no field conversion: store timestamps as the ORM does.
        self.now_db = connection.ops.adapt_datetimefield_value(self.now)

    def run(self) -> RecomputeResult:
        if not self.reuse_tables:
            self._drop_temp_tables()
        self._lock_scope()
        if self.only_changed:
            self._collect_fingerprints(scoped=self.metric_ids is not None)
        if self.only_changed and not self._keep_changed_metrics():
            self._mark_requests_done()
            self._temp_tables_done()
            logger.info("Recompute of changed metrics: nothing changed.")
            return RecomputeResult(0, 0, 0, self.now)
        self._collect_statuses()
        self._collect_observed_values()
        created = self._create_missing_statuses()
        self._collect_figures()
        self._compute_changes()
        history_entries = self._record_history()
        updated = self._update_statuses()
        self._record_fingerprints()
        self._mark_requests_done()
        self._temp_tables_done()
        logger.info(
            "Recompute of %s: %s statuses created, %s updated, %s history entries.",
            "all metrics" if self.metric_ids is None else f"metrics {self.metric_ids}",
            created,
            updated,
            history_entries,
        )
        return RecomputeResult(
            statuses_created=created,
            statuses_updated=updated,
            history_entries=history_entries,
            changed_at=self.now,
        )

    def execute(self, sql: str, params: Iterable = ()) -> int:
        # Always pass a parameter list, so that "%%" means "%" on both backends.
        self.cursor.execute(sql, list(params))
        return max(self.cursor.rowcount, 0)

    # --- steps ---------------------------------------------------------------------------

    def _lock_scope(self) -> None:
        if self.postgres:
            # In one round trip:
            # - not waiting for the WAL flush at commit: a crash right after could lose this
            #   run, but all of it (its fulfilled requests too), so the next run redoes it;
            # - bulk joins of whole temporary tables: hashing beats the merge joins the
            #   planner picks to reuse a window's sort order (they then filter millions of
            #   pairs);
            # - temp_buffers can only change before the session's first temporary table;
            #   later it is refused, which is harmless: the setting is a speed-up.
            self.execute(
                "SET LOCAL work_mem = '128MB'; SET LOCAL synchronous_commit = off; "
                "SET LOCAL enable_mergejoin = off; "
                "DO $$ BEGIN PERFORM set_config('temp_buffers', '256MB', true); "
                "EXCEPTION WHEN OTHERS THEN NULL; END $$"
            )
        if self.metric_ids is None:
            scope_sql, scope_params = "SELECT id FROM metrics_metric", []
        else:
            placeholders = ", ".join(["%s"] * len(self.metric_ids)) or "NULL"
            scope_sql = f"SELECT id FROM metrics_metric WHERE id IN ({placeholders})"
            scope_params = self.metric_ids
        if self.postgres:
            # Two recomputes of the same metric queue up behind each other instead of
            # writing the same rows concurrently; locking in id order cannot deadlock.
            # (SQLite transactions begin IMMEDIATE, holding the database's write lock: see
            # the settings.)
            # NO KEY UPDATE, not UPDATE: a save inserting a row that references the metric
            # (an observation, a status, a recompute request) takes KEY SHARE on it, which
            # UPDATE would make wait for this whole run; NO KEY UPDATE still queues a second
            # recompute of the metric.
            self.execute(f"{scope_sql} ORDER BY id FOR NO KEY UPDATE", scope_params)
        self._temp_table("recompute_scope", scope_sql, scope_params)
        requests_in_scope = (
            "" if self.metric_ids is None else f"WHERE {self._in_scope('metric_id')}"
        )
        self._temp_table(
            "recompute_requests_seen",
            f"SELECT id FROM metrics_recomputerequest {requests_in_scope}",
        )
        self._temp_table(
            "recompute_locked",
            "SELECT department_id, quarter_id FROM metrics_submission WHERE state = 'locked'",
        )
        self.cursor.execute("SELECT EXISTS (SELECT 1 FROM recompute_locked)", [])
        # Without locked quarters the statements below need no lock condition at all.
        self.locked_quarters = bool(self.cursor.fetchone()[0])

    def _collect_fingerprints(self, *, scoped: bool) -> None:
        """recompute_fingerprints: per metric in scope, what its figures are computed from:
        the count and latest change of its observations and statuses, its segments, its
        definition, the locked quarters and the rules. Every write service bumps updated_at."""
        in_scope = self._in_scope("metric_id") if scoped else "1 = 1"
        scope = f"WHERE {self._in_scope('m.id')}" if scoped else ""
        self._temp_table(
            "recompute_fingerprints",
            f"""
            SELECT m.id AS metric_id,
                   %s || '|' || CAST(m.updated_at AS TEXT)
                   || '|' || m.aggregation || m.state || m.goal_kind || m.direction
                   || '|' || COALESCE(CAST(o.n AS TEXT), '0') || '/'
                   || COALESCE(CAST(o.latest AS TEXT), '')
                   || '|' || COALESCE(CAST(st.n AS TEXT), '0') || '/'
                   || COALESCE(CAST(st.latest AS TEXT), '')
                   || '|' || COALESCE(CAST(sg.n AS TEXT), '0') || '/'
                   || COALESCE(CAST(sg.ids AS TEXT), '')
                   || '|' || locked.summary AS fingerprint
            FROM metrics_metric m
            LEFT JOIN (SELECT metric_id, COUNT(*) AS n, MAX(updated_at) AS latest
                       FROM metrics_observation WHERE {in_scope} GROUP BY metric_id) o
                   ON o.metric_id = m.id
            LEFT JOIN (SELECT metric_id, COUNT(*) AS n, MAX(updated_at) AS latest
                       FROM metrics_quarterlystatus WHERE {in_scope} GROUP BY metric_id) st
                   ON st.metric_id = m.id
            LEFT JOIN (SELECT metric_id, COUNT(*) AS n, SUM(id) AS ids
                       FROM metrics_segment WHERE {in_scope} GROUP BY metric_id) sg
                   ON sg.metric_id = m.id
            CROSS JOIN (SELECT CAST(COUNT(*) AS TEXT) || '/'
                               || CAST(COALESCE(SUM(department_id * 100003 + quarter_id), 0)
                                       AS TEXT) AS summary
                        FROM metrics_submission WHERE state = 'locked') locked
            {scope}
            """,
            [f"{RULES_VERSION}:{settings.FISCAL_YEAR_START_MONTH}"],
        )

    def _keep_changed_metrics(self) -> bool:
        """Narrow the scope to the metrics whose fingerprint changed or that have a pending
        request. Whether any is left."""
        self.execute(
            """
            DELETE FROM recompute_scope WHERE id IN (
                SELECT f.metric_id FROM recompute_fingerprints f
                JOIN metrics_metricfingerprint stored
                  ON stored.metric_id = f.metric_id AND stored.fingerprint = f.fingerprint)
              AND id NOT IN (
                SELECT r.metric_id FROM metrics_recomputerequest r
                WHERE r.id IN (SELECT id FROM recompute_requests_seen)
                  AND r.metric_id IS NOT NULL)
              AND NOT EXISTS (
                SELECT 1 FROM metrics_recomputerequest r
                WHERE r.id IN (SELECT id FROM recompute_requests_seen) AND r.metric_id IS NULL)
            """
        )
        self.cursor.execute("SELECT id FROM recompute_scope ORDER BY id", [])
        self.scope_ids = [metric_id for (metric_id,) in self.cursor.fetchall()]
        if self.scope_ids:
            self.whole_tables = False
            self._analyze("recompute_scope")
        return bool(self.scope_ids)

    def _record_fingerprints(self) -> None:
        """The fingerprints of the recomputed metrics, taken after this run's own writes."""
        if not self.reuse_tables:
            self.execute("DROP TABLE IF EXISTS recompute_fingerprints")
        self._collect_fingerprints(scoped=not self.whole_tables)
        self.execute(
            "DELETE FROM metrics_metricfingerprint "
            "WHERE metric_id IN (SELECT metric_id FROM recompute_fingerprints)"
        )
        self.execute(
            """
            INSERT INTO metrics_metricfingerprint (metric_id, fingerprint, recorded_at)
            SELECT metric_id, fingerprint, %s FROM recompute_fingerprints
            """,
            [self.now_db],
        )

    def _collect_statuses(self, *, newer_than: int | None = None) -> None:
        """recompute_statuses: every status in scope, its quarter as the index
        fiscal_year * 4 + number - 1, and its current figures. Called again with
        `newer_than` to add the statuses this run has just created."""
        columns = f"""
            SELECT s.id AS status_id, s.metric_id, s.segment_id, s.quarter_id,
                   COALESCE(s.segment_id, 0) AS segment_key,
                   q.fiscal_year * 4 + q.number - 1 AS qi,
                   s.value, s.yoy_delta, s.arrow, s.attainment, s.state, s.value_basis,
                   s.unused_observations, s.updated_by_id AS set_by
            FROM metrics_quarterlystatus s
            JOIN metrics_quarter q ON q.id = s.quarter_id
            WHERE {self._in_scope("s.metric_id")}"""
        if newer_than is None:
            self._temp_table("recompute_statuses", columns)
        else:
            self.execute(f"INSERT INTO recompute_statuses {columns} AND s.id > %s", [newer_than])
        self._analyze("recompute_statuses")

    def _placed_observations(self, *, aggregation_filter: str) -> str:
        """SQL: the observations in scope with the fiscal quarter each counts for: the one
        its period ends in, or, for a period longer than a quarter (an annual survey) of a
        metric measured in quarter N, quarter N of the fiscal year it ends in."""
        quarter_of_end = self._quarter_index("o.period_end")
        return f"""
            SELECT o.metric_id, COALESCE(o.segment_id, 0) AS segment_key, o.segment_id,
                   o.value, o.is_derived, o.period_start, o.period_end,
                   CASE WHEN {self._days_between("o.period_start", "o.period_end")} > 92
                        THEN 1
                        WHEN {self._days_between("o.period_start", "o.period_end")} >= 80
                        THEN 2 ELSE 0 END AS priority,
                   CASE WHEN m.measured_in_quarter IS NOT NULL
                             AND {self._days_between("o.period_start", "o.period_end")} > 92
                        THEN ({quarter_of_end} / 4) * 4 + m.measured_in_quarter - 1
                        ELSE {quarter_of_end} END AS qi
            FROM metrics_observation o
            JOIN metrics_metric m ON m.id = o.metric_id
            WHERE {self._in_scope("o.metric_id")} AND {aggregation_filter}"""

    def _collect_observed_values(self) -> None:
        """recompute_observed: one row per metric, segment and fiscal quarter with the
        aggregated value of its observations, what it is based on, and whether any of them
        was measured rather than derived. Only the observations of the highest priority
        count (a whole quarter 2, a longer period 1, months 0): a figure for the whole
        quarter wins over the months beside it. Only the observations of "last" metrics are
        ranked."""
        everything = self._placed_observations(aggregation_filter="1 = 1")
        last_only = self._placed_observations(aggregation_filter="m.aggregation = 'last'")
        by_priority = ",\n".join(
            f"SUM(CASE WHEN priority = {rank} THEN value END) AS total_{rank}, "
            f"AVG(CASE WHEN priority = {rank} THEN value END) AS mean_{rank}, "
            f"SUM(CASE WHEN priority = {rank} THEN 1 ELSE 0 END) AS count_{rank}"
            for rank in (0, 1, 2)
        )

        def of_top(kind: str) -> str:
            return (
                f"CASE grouped.top WHEN 2 THEN grouped.{kind}_2 WHEN 1 THEN grouped.{kind}_1 "
                f"ELSE grouped.{kind}_0 END"
            )

        self._temp_table(
            "recompute_observed",
            f"""
            SELECT grouped.metric_id, grouped.segment_key, grouped.segment_id, grouped.qi,
                   ROUND(CASE m.aggregation WHEN 'last' THEN latest.value
                                            WHEN 'sum' THEN {of_top("total")}
                                            ELSE {of_top("mean")}
                                            END, 6) AS value,
                   CASE grouped.top WHEN 2 THEN 'quarter' WHEN 1 THEN 'period'
                        ELSE 'months' END AS value_basis,
                   grouped.count_0 + grouped.count_1 + grouped.count_2
                     - {of_top("count")} AS unused_observations,
                   grouped.measured
            FROM (
                SELECT metric_id, segment_key, MAX(segment_id) AS segment_id, qi,
                       MAX(priority) AS top,
                       {by_priority},
                       MAX(CASE WHEN is_derived THEN 0 ELSE 1 END) AS measured
                FROM ({everything}) placed
                GROUP BY metric_id, segment_key, qi
            ) grouped
            JOIN metrics_metric m ON m.id = grouped.metric_id
            LEFT JOIN (
                SELECT metric_id, segment_key, qi, value FROM (
                    SELECT metric_id, segment_key, qi, value,
                           ROW_NUMBER() OVER (
                               PARTITION BY metric_id, segment_key, qi
                               ORDER BY priority DESC, period_end DESC, period_start DESC
                           ) AS recency
                    FROM ({last_only}) placed_last
                ) ranked
                WHERE recency = 1
            ) latest
              ON latest.metric_id = grouped.metric_id
             AND latest.segment_key = grouped.segment_key
             AND latest.qi = grouped.qi
            """,
        )
        self._analyze("recompute_observed")

    def _create_missing_statuses(self) -> int:
        """A status for every quarter with a measured (not only derived) observation. Values
        worked back from a printed YoY only serve as the comparison base."""
        missing = """
            FROM recompute_observed o
            WHERE o.measured = 1 AND NOT EXISTS (
                SELECT 1 FROM recompute_statuses st
                WHERE st.metric_id = o.metric_id AND st.segment_key = o.segment_key
                  AND st.qi = o.qi)"""
        self.cursor.execute(
            f"""
            SELECT DISTINCT o.qi {missing} AND NOT EXISTS (
                SELECT 1 FROM metrics_quarter q
                WHERE q.fiscal_year = o.qi / 4 AND q.number = o.qi %% 4 + 1)
            """,
            [],
        )
        missing_quarters = [
            FiscalQuarter(index // 4, index % 4 + 1) for (index,) in self.cursor.fetchall()
        ]
        if missing_quarters:
            # bulk_create skips Quarter.save(), so the dates it derives are set here.
            Quarter.objects.bulk_create(
                [
                    Quarter(
                        fiscal_year=quarter.fiscal_year,
                        number=quarter.number,
                        start_date=quarter.start_date,
                        end_date=quarter.end_date,
                    )
                    for quarter in missing_quarters
                ],
                ignore_conflicts=True,
            )
        self.cursor.execute("SELECT COALESCE(MAX(id), 0) FROM metrics_quarterlystatus", [])
        (last_id,) = self.cursor.fetchone()
        created = self.execute(
            f"""
            INSERT INTO metrics_quarterlystatus (
                created_at, updated_at, version, updated_by_id, metric_id, segment_id,
                quarter_id, state, value, value_basis, unused_observations, yoy_delta, arrow,
                attainment, footnote_markers, state_markers, comment, computed_at)
            SELECT %s, %s, 1, NULL, o.metric_id, o.segment_id, q.id, 'reported', NULL, '', 0,
                   NULL, '', 'no_data', '', '', '', NULL
            {missing.replace("FROM recompute_observed o", "FROM recompute_observed o JOIN metrics_quarter q ON q.fiscal_year = o.qi / 4 AND q.number = o.qi %% 4 + 1 JOIN metrics_metric qm ON qm.id = o.metric_id")}
              AND NOT {self._locked("qm.department_id", "q.id")}
            ON CONFLICT DO NOTHING
            """,
            [self.now_db, self.now_db],
        )
        if created:
            self._collect_statuses(newer_than=last_id)
        return created

    def _collect_figures(self) -> None:
        """recompute_figures: the value of every status in scope, from its observations only
        (none: no value), plus the quarters that only have derived observations, which serve
        as prior-year and previous values."""
        self._temp_table(
            "recompute_figures",
            """
            SELECT st.status_id, st.metric_id, st.segment_key, st.qi, o.value,
                   COALESCE(o.value_basis, '') AS value_basis,
                   COALESCE(o.unused_observations, 0) AS unused_observations
            FROM recompute_statuses st
            LEFT JOIN recompute_observed o
                   ON o.metric_id = st.metric_id AND o.segment_key = st.segment_key
                  AND o.qi = st.qi
            UNION ALL
            SELECT NULL, o.metric_id, o.segment_key, o.qi, o.value, o.value_basis,
                   o.unused_observations
            FROM recompute_observed o
            WHERE NOT EXISTS (
                SELECT 1 FROM recompute_statuses st
                WHERE st.metric_id = o.metric_id AND st.segment_key = o.segment_key
                  AND st.qi = o.qi)
            """,
        )
        self._analyze("recompute_figures")

    def _compute_changes(self) -> None:
        """recompute_changes: the new derived fields of every status in scope whose figures
        differ from the stored ones, next to the stored ones."""
        differs = " OR ".join(f"old_{field} IS DISTINCT FROM {field}" for field in COMPARED_FIELDS)
        self._temp_table(
            "recompute_changes",
            f"""
            WITH series AS (
                SELECT status_id, metric_id, segment_key, qi, value, value_basis,
                       unused_observations,
                       MAX(value) OVER (
                           PARTITION BY metric_id, segment_key ORDER BY qi
                           RANGE BETWEEN {QUARTERS_PER_YEAR} PRECEDING
                                 AND {QUARTERS_PER_YEAR} PRECEDING) AS prior_year_value,
                       MAX(CASE WHEN value IS NOT NULL THEN qi END) OVER (
                           PARTITION BY metric_id, segment_key ORDER BY qi
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_qi
                FROM recompute_figures
            ),
            compared AS (
                SELECT f.status_id, f.value, st.value AS old_value, f.value_basis,
                       st.value_basis AS old_value_basis, f.unused_observations,
                       st.unused_observations AS old_unused_observations,
                       st.yoy_delta AS old_yoy_delta, st.arrow AS old_arrow,
                       st.attainment AS old_attainment, st.state AS old_state, st.set_by,
                       m.direction,
                       m.state AS metric_state, f.prior_year_value,
                       COALESCE(NULLIF(sg.goal_kind, 'none'), m.goal_kind) AS goal_kind,
                       CASE WHEN sg.goal_kind IS NOT NULL AND sg.goal_kind <> 'none'
                            THEN sg.goal_value ELSE m.goal_value END AS goal_value,
                       CASE WHEN st.segment_id IS NULL THEN m.baseline_value
                            ELSE sg.baseline_value END AS baseline_value,
                       COALESCE(previous.value,
                                CASE WHEN st.segment_id IS NULL THEN m.baseline_value
                                     ELSE sg.baseline_value END) AS reference_value
                FROM series f
                JOIN recompute_statuses st ON st.status_id = f.status_id
                JOIN metrics_metric m ON m.id = f.metric_id
                LEFT JOIN metrics_segment sg ON sg.id = st.segment_id
                LEFT JOIN recompute_figures previous
                       ON previous.metric_id = f.metric_id
                      AND previous.segment_key = f.segment_key
                      AND previous.qi = f.previous_qi
                WHERE f.status_id IS NOT NULL AND NOT {self._locked("m.department_id", "st.quarter_id")}
            ),
            with_yoy AS MATERIALIZED (
                SELECT compared.*,
                       CASE WHEN value IS NULL OR prior_year_value IS NULL
                                 OR prior_year_value = 0
                                 OR ABS(value) >= 10000000 * ABS(prior_year_value)
                            THEN NULL
                            ELSE ROUND(1.0 * value / prior_year_value - 1, 6) END AS yoy_delta
                FROM compared
            ),
            results AS (
                SELECT status_id, value, yoy_delta, old_value, old_yoy_delta, old_arrow,
                       old_attainment, old_state, value_basis, old_value_basis,
                       unused_observations, old_unused_observations,
                       {ARROW_SQL} AS arrow,
                       {ATTAINMENT_SQL} AS attainment,
                       CASE WHEN old_state = 'reported' AND set_by IS NOT NULL
                            THEN 'reported'
                            WHEN old_state IN ('reported', 'not_available') AND value IS NOT NULL
                            THEN CASE WHEN goal_kind = 'yoy_change' AND yoy_delta IS NULL
                                      THEN 'not_available' ELSE 'reported' END
                            ELSE old_state END AS state
                FROM with_yoy
            )
            SELECT * FROM results WHERE {differs}
            """,
            [MAINTAIN_TOLERANCE, MAINTAIN_TOLERANCE],
        )
        self._analyze("recompute_changes")

    def _record_history(self) -> int:
        """One HistoryEntry per changed field, from the same comparison as the update."""
        selects = []
        for field in DERIVED_FIELDS:
            old, new = f"old_{field}", field
            if field in ("value", "yoy_delta"):
                old, new = self._decimal_text(old), self._decimal_text(new)
            selects.append(
                f"SELECT status_id AS object_id, '{field}' AS field, {old} AS old_value, "
                f"{new} AS new_value FROM recompute_changes "
                f"WHERE old_{field} IS DISTINCT FROM {field}"
            )
        content_type = ContentType.objects.get_for_model(QuarterlyStatus)
        return self.execute(
            f"""
            INSERT INTO metrics_historyentry (
                content_type_id, object_id, field, old_value, new_value, actor_id, source,
                changed_at)
            SELECT %s, changed.object_id, changed.field, changed.old_value, changed.new_value,
                   NULL, %s, %s
            FROM ({" UNION ALL ".join(selects)}) changed
            """,
            [content_type.id, ChangeSource.RECOMPUTE, self.now_db],
        )

    def _update_statuses(self) -> int:
        # The live row is compared too: the recompute never rewrites a row to what it holds.
        def differs(fields) -> str:
            return " OR ".join(
                f"metrics_quarterlystatus.{field} IS DISTINCT FROM c.{field}" for field in fields
            )

        return self.execute(
            f"""
            UPDATE metrics_quarterlystatus
            SET value = c.value, yoy_delta = c.yoy_delta, arrow = c.arrow,
                attainment = c.attainment, state = c.state, value_basis = c.value_basis,
                unused_observations = c.unused_observations,
                version = metrics_quarterlystatus.version
                          + CASE WHEN {differs(VERSIONED_FIELDS)} THEN 1 ELSE 0 END,
                computed_at = %s, updated_at = %s
            FROM recompute_changes c
            WHERE metrics_quarterlystatus.id = c.status_id AND ({differs(COMPARED_FIELDS)})
            """,
            [self.now_db, self.now_db],
        )

    def _mark_requests_done(self) -> None:
        # Only the requests visible when the run started: one recorded while it ran may
        # describe data this run did not see, so it stays for the next run.
        self.execute(
            "DELETE FROM metrics_recomputerequest "
            "WHERE id IN (SELECT id FROM recompute_requests_seen)"
        )

    # --- dialect helpers -----------------------------------------------------------------

    def _locked(self, department_column: str, quarter_column: str) -> str:
        """SQL: the department's quarter is locked. Its cells keep the figures they were
        locked with (they still serve as prior-year and previous values of other cells)."""
        if not self.locked_quarters:
            return "1 = 0"
        return f"""EXISTS (
            SELECT 1 FROM recompute_locked locked
            WHERE locked.department_id = {department_column}
              AND locked.quarter_id = {quarter_column})"""

    def _in_scope(self, column: str) -> str:
        # A full run reads whole tables: no filter, which also leaves PostgreSQL free to scan
        # and aggregate them with parallel workers (a temporary table in a query forbids it).
        if self.whole_tables:
            return "1 = 1"
        ids = ", ".join(str(int(metric_id)) for metric_id in self.scope_ids) or "NULL"
        return f"{column} IN ({ids})"

    def _temp_table(self, table: str, select_sql: str, params: Iterable = ()) -> None:
        """Fill temporary table `table` with the rows of `select_sql`: created for this run, or
        (reused tables) created once per connection, emptied and refilled."""
        if not self.reuse_tables:
            self.execute(f"CREATE TEMPORARY TABLE {table} AS {select_sql}", params)
            return
        # Emptied at commit; a second run in the same transaction (tests) empties it here.
        # One round trip for both statements.
        self.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ON COMMIT DELETE ROWS AS "
            f"{select_sql} WITH NO DATA; DELETE FROM {table}",
            params,
        )
        self.execute(f"INSERT INTO {table} {select_sql}", params)

    def _temp_tables_done(self) -> None:
        if not self.reuse_tables:
            self._drop_temp_tables()

    def _drop_temp_tables(self) -> None:
        for table in TEMP_TABLES:
            self.execute(f"DROP TABLE IF EXISTS {table}")

    def _analyze(self, table: str) -> None:
        # PostgreSQL never auto-analyzes temporary tables; without statistics it plans the
        # joins over them as if they held a handful of rows. A run over a few metrics holds
        # a few hundred rows, which the planner's default guesses serve as well, and each
        # ANALYZE rewrites catalog rows (pg_statistic).
        if self.postgres and (self.whole_tables or len(self.scope_ids) > SMALL_SCOPE):
            self.execute(f"ANALYZE {table}")

    def _quarter_index(self, column: str) -> str:
        """SQL for the fiscal quarter of a date column, as fiscal_year * 4 + number - 1."""
        return quarter_index_sql(column, vendor=connection.vendor)

    def _days_between(self, start: str, end: str) -> str:
        if self.postgres:
            return f"({end} - {start})"
        return f"(julianday({end}) - julianday({start}))"

    def _decimal_text(self, expression: str) -> str:
        """A decimal as history keeps it: formatting.plain_decimal in SQL."""
        return plain_decimal_sql(expression, vendor=connection.vendor)
