"""Writing observations: one value of a metric (or segment) for one period. Single saves from
forms and the API, and bulk upserts (backfill pastes, CSV imports, API batches) keyed by
(metric, segment, period), idempotent and reported row by row. A period is its start and its
end: a figure for a whole quarter and the quarter's first month are two observations."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.caching.versions import data_changed, data_write
from metrics.fiscal import quarter_of
from metrics.models import HistoryEntry, Metric, Observation, Segment
from metrics.services.history import changes_between, history_entries, history_value
from metrics.services.recompute_requests import recompute_request
from metrics.services.submissions import submission_closed_quarters, submission_ensure_unlocked
from metrics.services.transactions import retried_when_transient
from metrics.services.validation import (
    ascii_int,
    parse_date,
    parse_number,
    period_for_metric,
    validate_segment,
    validate_source,
    validate_value_for_unit,
)
from metrics.services.versioned import actor_or_none, is_stale, version_bump, versioned_row_save

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"
UPSERT_ATTEMPTS = 4
# The first key of the advisory locks the upserts take (the second is the metric id).
WRITERS_LOCK_CLASS = 7301

logger = logging.getLogger(__name__)


@retried_when_transient
def observation_save(
    *,
    metric: Metric,
    segment: Segment | None,
    period_start,
    period_end=None,
    value,
    actor,
    source: str,
    expected_version: int | None = None,
    is_derived: bool = False,
    provenance: str | None = None,
) -> Observation:
    """Create or update the observation of `metric` (or `segment`) for the period starting
    `period_start`. The period must fit the metric's cadence; period_end is derived from it
    when not given. `provenance` (kept when None) says where the figure comes from: the
    observation's `source` text, not the change source. Raises ValidationError, LockedError
    or ConflictError. The row's `created` says whether this call inserted it."""
    validate_source(source)
    values, period_start = _clean(
        metric=metric,
        segment=segment,
        period_start=period_start,
        period_end=period_end,
        value=value,
        is_derived=is_derived,
    )
    with data_write():
        submission_ensure_unlocked(
            department_id=metric.department_id, quarter=quarter_of(period_start), actor=actor
        )
        observation, changed = versioned_row_save(
            model=Observation,
            lookup={
                "metric": metric,
                "segment": segment,
                "period_start": period_start,
                "period_end": values["period_end"],
            },
            values={
                **{name: value for name, value in values.items() if name != "period_end"},
                **({} if provenance is None else {"source": provenance[:200]}),
            },
            expected_version=expected_version,
            actor=actor,
            source=source,
        )
        if changed:
            recompute_request(
                metric_ids=[metric.pk], reason=f"observation {period_start} saved ({source})"
            )
    return observation


def _clean(*, metric, segment, period_start, period_end, value, is_derived):
    errors = {}
    try:
        validate_segment(metric, segment)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        number = parse_number(value)
        if number is None:
            raise ValidationError({"value": _("Enter a value.")})
        validate_value_for_unit(number, unit=metric.unit)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        start = parse_date(period_start, field="period_start")
        end = None if period_end in (None, "") else parse_date(period_end, field="period_end")
        end = period_for_metric(metric, start, end)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return {"period_end": end, "value": number, "is_derived": bool(is_derived)}, start


@dataclass
class RowResult:
    index: int
    status: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    observation: Observation | None = None
    metric: Metric | None = None
    segment: Segment | None = None
    period_start: date | None = None
    value: object = None
    old_value: object = None


@dataclass
class UpsertResult:
    rows: list[RowResult]
    dry_run: bool = False

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in (CREATED, UPDATED, UNCHANGED, REJECTED)}

    @property
    def rejected(self) -> list[RowResult]:
        return [row for row in self.rows if row.status == REJECTED]

    @property
    def touched_metric_ids(self) -> set[int]:
        return {row.metric.pk for row in self.rows if row.status in (CREATED, UPDATED)}


def observations_upsert(
    *,
    rows: list[dict],
    actor,
    source: str,
    dry_run: bool = False,
    metric_allowed: Callable[[Metric], bool] | None = None,
) -> UpsertResult:
    """Create or update many observations in a bounded number of queries.

    Each row is a dict with metric (Metric, pk or slug), segment (Segment, pk, slug or
    None), period_start, optional period_end, value, optional is_derived and optional
    expected_version. Valid rows are written, invalid ones reported as rejected with field
    errors; writing the same rows twice changes nothing the second time. `dry_run` reports
    what would happen without writing (the CSV import's preview). `metric_allowed` lets the
    caller reject rows of metrics the actor may not edit (a permission check done per row).

    Three steps, each a bounded number of queries whatever the batch's size, in one
    transaction: validate the rows (`_upsert_validate`), plan what each one does against the
    stored observations (`_upsert_plan`), apply the plan (`_upsert_apply`)."""
    validate_source(source)
    for attempt in range(1, UPSERT_ATTEMPTS + 1):
        try:
            with data_write():
                results, cleaned = _upsert_validate(
                    rows, metric_allowed=metric_allowed, actor=actor
                )
                plan = _upsert_plan(cleaned, actor=actor, lock=not dry_run)
                result = UpsertResult(rows=results, dry_run=dry_run)
                if not dry_run:
                    _upsert_apply(plan, result, actor=actor, source=source)
            return result
        except (IntegrityError, OperationalError) as error:
            # Another writer inserted one of these rows first (a single save, which takes no
            # writers' lock), a deadlock or a serialisation failure: all of this batch rolled
            # back, so it is read and written again, and the rows now there count as updated
            # or unchanged.
            if attempt == UPSERT_ATTEMPTS:
                raise
            logger.warning("Observation upsert attempt %s failed (%s); retrying.", attempt, error)
            time.sleep(0.02 * 2**attempt)
    raise AssertionError("unreachable")


def _writers_lock(metric_ids) -> None:
    """Serialise concurrent batches writing the same metrics' observations (PostgreSQL): each
    takes a transaction-scoped advisory lock per metric, in id order, so two pipelines pushing
    the same new rows queue up instead of both inserting them, and cannot deadlock. It does not
    wait for the recompute, which locks the metric rows themselves. (SQLite transactions begin
    IMMEDIATE: one writer at a time already.)"""
    if connection.vendor != "postgresql" or not metric_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, ordered.id) FROM ("
            "SELECT unnest(%s::integer[]) AS id ORDER BY 1) ordered",
            [WRITERS_LOCK_CLASS, sorted(metric_ids)],
        )


def _open_and_distinct(valid: list, *, actor) -> list:
    """The valid rows that may be written: not of a quarter closed to `actor` (locked, or
    under review for a lead), and not repeating an earlier row. The quarters are taken
    shared first (a hold of one waits for this batch, or refuses it)."""
    closed = submission_closed_quarters(
        department_ids={result.metric.department_id for result, *_ in valid},
        quarters={
            (fiscal.fiscal_year, fiscal.number)
            for fiscal in (quarter_of(start) for _, _, start, _ in valid)
        },
        actor=actor,
    )
    cleaned, seen = [], {}
    for result, values, start, expected_version in valid:
        fiscal = quarter_of(start)
        reason = closed.get((result.metric.department_id, fiscal.fiscal_year, fiscal.number))
        if reason:
            result.errors = {"period_start": [f"{fiscal.label} is {reason}."]}
            continue
        key = (
            result.metric.pk,
            result.segment.pk if result.segment else None,
            start,
            values["period_end"],
        )
        if key in seen:
            result.errors = {
                "period_start": [f"Same metric, segment and period as row {seen[key] + 1}."]
            }
            continue
        seen[key] = result.index
        cleaned.append((result, values, start, expected_version))
    return cleaned


@dataclass
class _UpsertPlan:
    """What a batch writes: new observations, and stored ones with their changes."""

    now: object
    to_create: list[Observation] = field(default_factory=list)
    to_update: list[tuple[Observation, dict]] = field(default_factory=list)


# --- the upsert's steps: validate, plan, apply -----------------------------------------------


def _upsert_validate(rows, *, metric_allowed, actor) -> tuple[list[RowResult], list[tuple]]:
    """Step 1: every row's result (rejected with field errors, or still to plan) and the valid
    rows that may be written as (result, values, period_start, expected_version): their
    metric and segment found, their fields clean, their quarter open to `actor`, no row
    repeating an earlier one."""
    metrics_by_key = _metrics_for(rows)
    segments_by_key = _segments_for(metrics_by_key.values())
    results: list[RowResult] = []
    valid: list[tuple[RowResult, dict, date, int | None]] = []
    for index, row in enumerate(rows):
        result = RowResult(index=index, status=REJECTED, value=row.get("value"))
        results.append(result)
        try:
            metric = _lookup_metric(row.get("metric"), metrics_by_key)
            if metric_allowed is not None and not metric_allowed(metric):
                raise ValidationError(
                    {"metric": _("You may only write your own department's metrics.")}
                )
            segment = _lookup_segment(row.get("segment"), metric, segments_by_key)
            result.metric, result.segment = metric, segment
            values, start = _clean(
                metric=metric,
                segment=segment,
                period_start=row.get("period_start"),
                period_end=row.get("period_end"),
                value=row.get("value"),
                is_derived=row.get("is_derived", False),
            )
        except ValidationError as error:
            result.errors = error.message_dict
            continue
        result.period_start, result.value = start, values["value"]
        valid.append((result, values, start, row.get("expected_version")))
    cleaned = _open_and_distinct(valid, actor=actor)
    return results, cleaned


def _upsert_plan(cleaned, *, actor, lock: bool) -> _UpsertPlan:
    """Step 2: decide each valid row against the stored observation of its key: created,
    unchanged, updated (the next version, in memory) or rejected as stale. With `lock` (a
    write, not a dry run) the metrics' writers' lock and the stored rows' locks are taken
    first, so the plan stays true until it is applied."""
    if lock:
        _writers_lock({result.metric.pk for result, *_ in cleaned})
    existing = _existing_observations(cleaned, lock=lock)
    plan = _UpsertPlan(now=timezone.now())
    for result, values, start, expected_version in cleaned:
        key = (
            result.metric.pk,
            result.segment.pk if result.segment else None,
            start,
            values["period_end"],
        )
        current = existing.get(key)
        if current is None:
            result.status = CREATED
            result.observation = Observation(
                metric=result.metric,
                segment=result.segment,
                period_start=start,
                updated_by=actor_or_none(actor),
                **values,
            )
            plan.to_create.append(result.observation)
            continue
        result.observation, result.old_value = current, current.value
        changes = changes_between(current, values)
        if not changes:
            result.status = UNCHANGED
            continue
        if is_stale(current, expected_version):
            result.errors = {
                "value": [
                    f"Changed by someone else since you read it (now {current.value}, "
                    f"version {current.version})."
                ]
            }
            continue
        result.status = UPDATED
        version_bump(current, changes, actor=actor, now=plan.now)
        plan.to_update.append((current, changes))
    return plan


def _upsert_apply(plan: _UpsertPlan, result: UpsertResult, *, actor, source) -> None:
    """Step 3: write the plan (the new rows, the changed ones, one history entry per changed
    field), then say whose figures changed and ask for the touched metrics' recompute."""
    _plan_write(plan, actor=actor, source=source)
    # The figures of the departments whose rows changed (explicit: a bulk write records its
    # history without history_record).
    data_changed(
        department_ids={
            row.metric.department_id for row in result.rows if row.status in (CREATED, UPDATED)
        }
    )
    if result.touched_metric_ids:
        recompute_request(
            metric_ids=result.touched_metric_ids,
            reason=f"{result.count(CREATED) + result.count(UPDATED)} observations ({source})",
        )


def _plan_write(plan: _UpsertPlan, *, actor, source) -> None:
    """The new rows, the changed ones, one history entry per changed field."""
    if plan.to_create:
        Observation.objects.bulk_create(plan.to_create)
    if plan.to_update:
        if connection.vendor == "postgresql":
            _update_set_based(plan)
        else:
            Observation.objects.bulk_update(
                [observation for observation, _ in plan.to_update],
                ["value", "is_derived", "version", "updated_by", "updated_at"],
            )
    changed = [
        (observation, {"value": (None, observation.value)}) for observation in plan.to_create
    ] + plan.to_update
    if connection.vendor == "postgresql":
        _history_insert_set_based(changed, actor=actor, source=source, now=plan.now)
        return
    history = []
    for observation, changes in changed:
        history += history_entries(
            instance=observation, changes=changes, actor=actor, source=source, changed_at=plan.now
        )
    HistoryEntry.objects.bulk_create(history)


def _update_set_based(plan: _UpsertPlan) -> None:
    """The changed rows in one UPDATE ... FROM unnest(...): one array per column, so the
    statement stays the same size whatever the batch (bulk_update writes a CASE branch per row
    and column, which PostgreSQL then evaluates row by row). The rows are locked already
    (`_existing_observations`), so their versions are the ones the plan bumped."""
    observations = [observation for observation, _ in plan.to_update]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE metrics_observation AS o
            SET value = changed.value, is_derived = changed.is_derived,
                version = changed.version, updated_by_id = changed.updated_by_id,
                updated_at = %s
            FROM unnest(%s::bigint[], %s::numeric[], %s::boolean[], %s::integer[],
                        %s::bigint[]) AS changed(id, value, is_derived, version, updated_by_id)
            WHERE o.id = changed.id
            """,
            [
                plan.now,
                [observation.pk for observation in observations],
                [observation.value for observation in observations],
                [observation.is_derived for observation in observations],
                [observation.version for observation in observations],
                [observation.updated_by_id for observation in observations],
            ],
        )


def _history_insert_set_based(changed, *, actor, source, now) -> None:
    """The history rows (as `history_entries` builds them, a row per changed field) in one
    INSERT ... SELECT FROM unnest(...), then the data version bump that HistoryEntry's
    bulk_create makes."""
    entries = [
        (observation.pk, name, history_value(old), history_value(new))
        for observation, changes in changed
        for name, (old, new) in changes.items()
    ]
    if not entries:
        return
    content_type = ContentType.objects.get_for_model(Observation)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO metrics_historyentry (
                content_type_id, object_id, field, old_value, new_value, actor_id, source,
                changed_at)
            SELECT %s, entry.object_id, entry.field, entry.old_value, entry.new_value, %s, %s, %s
            FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[])
                 AS entry(object_id, field, old_value, new_value)
            """,
            [
                content_type.pk,
                getattr(actor_or_none(actor), "pk", None),
                source,
                now,
                *([entry[column] for entry in entries] for column in range(4)),
            ],
        )


def _metrics_for(rows) -> dict:
    """Every metric the rows name, by instance key, pk and slug, in at most one query."""
    found: dict = {}
    ids, slugs = set(), set()
    for row in rows:
        metric = row.get("metric")
        if isinstance(metric, Metric):
            found[("pk", metric.pk)] = metric
        elif isinstance(metric, int) or ascii_int(metric) is not None:
            ids.add(metric if isinstance(metric, int) else ascii_int(metric))
        elif isinstance(metric, str) and metric.strip():
            slugs.add(metric.strip())
    if ids or slugs:
        for metric in Metric.objects.filter(Q(pk__in=ids) | Q(slug__in=slugs)):
            found[("pk", metric.pk)] = metric
            found[("slug", metric.slug)] = metric
    return found


def _segments_for(metrics) -> dict:
    metric_ids = {metric.pk for metric in metrics}
    if not metric_ids:
        return {}
    by_key = {}
    for segment in Segment.objects.filter(metric_id__in=metric_ids):
        by_key[(segment.metric_id, "pk", segment.pk)] = segment
        by_key[(segment.metric_id, "slug", segment.slug)] = segment
    return by_key


def _lookup_metric(raw, metrics_by_key) -> Metric:
    if isinstance(raw, Metric):
        return metrics_by_key[("pk", raw.pk)]
    text = str(raw if raw is not None else "").strip()
    key = ("pk", ascii_int(text)) if ascii_int(text) is not None else ("slug", text)
    try:
        return metrics_by_key[key]
    except KeyError:
        raise ValidationError(
            {"metric": _("No metric “%(name)s”.") % {"name": text[:60]}}
        ) from None


def _lookup_segment(raw, metric, segments_by_key) -> Segment | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, Segment):
        validate_segment(metric, raw)
        return raw
    text = str(raw).strip()
    number = ascii_int(text)
    key = (metric.pk, "pk", number) if number is not None else (metric.pk, "slug", text)
    try:
        return segments_by_key[key]
    except KeyError:
        raise ValidationError(
            {
                "segment": _("%(metric)s has no segment “%(name)s”.")
                % {"metric": metric.name, "name": text[:60]}
            }
        ) from None


def _existing_observations(cleaned, *, lock: bool) -> dict:
    if not cleaned:
        return {}
    if connection.vendor == "postgresql":
        queryset = _existing_by_keys(cleaned, lock=lock)
    else:
        metric_ids = {result.metric.pk for result, *_ in cleaned}
        starts = {start for _, _, start, _ in cleaned}
        queryset = Observation.objects.filter(metric_id__in=metric_ids, period_start__in=starts)
        if lock:
            # Row locks in one fixed order, so two batches never wait on each other in a cycle.
            queryset = queryset.select_for_update(of=("self",)).order_by("pk")
    return {
        (obs.metric_id, obs.segment_id, obs.period_start, obs.period_end): obs for obs in queryset
    }


def _existing_by_keys(cleaned, *, lock: bool):
    """The stored observations of the batch's keys, joined to them as arrays: the
    metrics-by-starts filter reads every start of every metric named, and its segments (three
    times the rows of a 5,000-row batch). Locked in id order, as above."""
    keys = [
        (
            result.metric.pk,
            result.segment.pk if result.segment else None,
            start,
            values["period_end"],
        )
        for result, values, start, _ in cleaned
    ]
    return Observation.objects.raw(
        f"""
        SELECT o.* FROM metrics_observation o
        JOIN unnest(%s::bigint[], %s::bigint[], %s::date[], %s::date[])
             AS wanted(metric_id, segment_id, period_start, period_end)
          ON o.metric_id = wanted.metric_id AND o.period_start = wanted.period_start
         AND o.segment_id IS NOT DISTINCT FROM wanted.segment_id
         AND o.period_end = wanted.period_end
        ORDER BY o.id {"FOR UPDATE OF o" if lock else ""}
        """,
        [[key[column] for key in keys] for column in range(4)],
    )
