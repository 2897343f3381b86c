"""Writing what the figures are of: metrics, segments, departments, priorities, outcomes and
quarters. None of these rows is versioned (editors change them rarely, and only admins), so
a save writes only the fields the caller changed, which leaves another admin's concurrent
edit of other fields in place. Every save and deletion is kept in the history; a change
that moves a figure (a goal, a baseline, a direction...) records a recompute request in the
same transaction, so attainment follows without waiting for the nightly run.

A department's locked quarter keeps its cells: a metric or segment whose cells lie in one
cannot be deleted or moved to another department (the recompute leaves locked cells alone,
so a new goal never changes a figure that was presented)."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from metrics.caching.versions import data_write
from metrics.models import (
    Department,
    DrilldownRow,
    DrilldownTable,
    Metric,
    Observation,
    Outcome,
    Priority,
    Quarter,
    QuarterlyStatus,
    Segment,
    Submission,
    SubmissionState,
)
from metrics.services.errors import LockedError
from metrics.services.history import changes_between, history_record, history_record_created
from metrics.services.recompute_requests import recompute_request
from metrics.services.validation import validate_known_fields, validate_source

# Fields whose change moves a figure the recompute derives (value, YoY, arrow, attainment).
METRIC_FIGURE_FIELDS = frozenset(
    {
        "baseline_value",
        "goal_kind",
        "goal_value",
        "direction",
        "cadence",
        "measured_in_quarter",
        "aggregation",
        "state",
        "unit",
        "department",
    }
)
SEGMENT_FIGURE_FIELDS = frozenset({"baseline_value", "goal_kind", "goal_value"})
# What a deleted row's history entry says it was.
DELETED_FIELDS = {
    Metric: ("name", "slug", "department", "outcome", "baseline_text", "goal_text", "state"),
    Segment: ("name", "slug", "metric", "baseline_text", "goal_text"),
    Department: ("name", "slug"),
    Priority: ("name", "slug"),
    Outcome: ("statement", "priority"),
    Quarter: ("fiscal_year", "number", "status_deadline"),
    DrilldownTable: ("drilldown", "title", "columns"),
    DrilldownRow: ("table", "label", "is_group_heading", "cells"),
}


# --- metrics and segments ---------------------------------------------------------------


def metric_save(*, metric: Metric | None = None, actor, source: str, **fields) -> Metric:
    """Create a metric (`metric` None) or change the given fields of one. Raises
    ValidationError (field dict) on invalid values, LockedError when a metric with cells in
    a locked quarter would change department."""
    with data_write():
        if metric is not None and "department" in fields:
            current = Metric.objects.select_for_update().get(pk=metric.pk)
            if _pk(fields["department"]) != current.department_id:
                _ensure_no_locked_cells(
                    metric_ids=[current.pk],
                    department_ids=[current.department_id, _pk(fields["department"])],
                    doing=pgettext("locked metric", "moved to another department"),
                )
        saved, changes = catalog_row_save(
            model=Metric, instance=metric, values=fields, actor=actor, source=source
        )
        if metric is not None and METRIC_FIGURE_FIELDS & changes.keys():
            recompute_request(
                metric_ids=[saved.pk],
                reason=f"metric {', '.join(sorted(changes))} changed ({source})",
            )
    return saved


def metric_delete(*, metric: Metric, actor, source: str) -> None:
    """Delete a metric with its segments, observations and statuses. Refused (LockedError,
    nothing deleted) when any of its cells lies in a locked quarter."""
    with data_write():
        _ensure_no_locked_cells(
            metric_ids=[metric.pk],
            department_ids=[metric.department_id],
            doing=pgettext("locked metric", "deleted"),
        )
        catalog_row_delete(instance=metric, actor=actor, source=source, cascade=_cascade(metric))


def segment_save(*, segment: Segment | None = None, actor, source: str, **fields) -> Segment:
    """Create a segment (`segment` None; `metric` among the fields) or change the given fields
    of one. A segment stays with its metric: its figures are the metric's breakdown."""
    with data_write():
        if segment is not None:
            segment = Segment.objects.select_for_update().get(pk=segment.pk)
        if (
            segment is not None
            and "metric" in fields
            and _pk(fields["metric"]) != segment.metric_id
        ):
            raise ValidationError(
                {"metric": _("A segment cannot move to another metric: add a new one instead.")}
            )
        saved, changes = catalog_row_save(
            model=Segment, instance=segment, values=fields, actor=actor, source=source
        )
        if segment is not None and SEGMENT_FIGURE_FIELDS & changes.keys():
            recompute_request(
                metric_ids=[saved.metric_id],
                reason=f"segment {saved.slug} {', '.join(sorted(changes))} changed ({source})",
            )
    return saved


def segment_delete(*, segment: Segment, actor, source: str) -> None:
    """Delete a segment with its observations and statuses (refused in a locked quarter), and
    recompute its metric."""
    with data_write():
        metric = segment.metric
        _ensure_no_locked_cells(
            metric_ids=[metric.pk],
            department_ids=[metric.department_id],
            doing=pgettext("locked metric", "changed (a segment deleted)"),
            segment_id=segment.pk,
        )
        catalog_row_delete(instance=segment, actor=actor, source=source, cascade=_cascade(segment))
        recompute_request(metric_ids=[metric.pk], reason=f"segment deleted ({source})")


# --- departments, priorities, outcomes, quarters ------------------------------------------


def department_save(
    *, department: Department | None = None, actor, source: str, **fields
) -> Department:
    """Create or change a department. `leads` (users) replaces its leads; who may edit a
    department's figures is kept in the history like any other change."""
    leads = fields.pop("leads", None)
    with data_write():
        saved, _changes = catalog_row_save(
            model=Department, instance=department, values=fields, actor=actor, source=source
        )
        if leads is not None:
            _leads_set(department=saved, leads=leads, actor=actor, source=source)
    return saved


def department_delete(*, department: Department, actor, source: str) -> None:
    """Refused (LockedError) while the department has a locked quarter: deleting it would
    delete the locked submission with it."""
    with data_write():
        if Submission.objects.filter(department=department, state=SubmissionState.LOCKED).exists():
            raise LockedError(
                _("%(department)s has locked quarters; reopen them before deleting the department.")
                % {"department": department}
            )
        catalog_row_delete(instance=department, actor=actor, source=source)


def priority_save(*, priority: Priority | None = None, actor, source: str, **fields) -> Priority:
    return _plain_row_save(Priority, priority, fields, actor=actor, source=source)


def priority_delete(*, priority: Priority, actor, source: str) -> None:
    with data_write():
        for outcome in priority.outcomes.all():
            catalog_row_delete(instance=outcome, actor=actor, source=source)
        catalog_row_delete(instance=priority, actor=actor, source=source)


def outcome_save(*, outcome: Outcome | None = None, actor, source: str, **fields) -> Outcome:
    return _plain_row_save(Outcome, outcome, fields, actor=actor, source=source)


def _plain_row_save(model, instance, fields, *, actor, source):
    """A row with no rule of its own beyond its model's validation."""
    with data_write():
        saved, _changes = catalog_row_save(
            model=model, instance=instance, values=fields, actor=actor, source=source
        )
    return saved


def outcome_delete(*, outcome: Outcome, actor, source: str) -> None:
    with data_write():
        catalog_row_delete(instance=outcome, actor=actor, source=source)


def quarter_save(*, quarter: Quarter | None = None, actor, source: str, **fields) -> Quarter:
    """Create a quarter or change its status deadline. An existing quarter keeps its fiscal
    year and number: every status, submission and session of it would move with them."""
    with data_write():
        if quarter is not None:
            quarter = Quarter.objects.select_for_update().get(pk=quarter.pk)
            moved = [
                name
                for name in ("fiscal_year", "number")
                if name in fields and fields[name] != getattr(quarter, name)
            ]
            if moved:
                raise ValidationError(
                    dict.fromkeys(
                        moved, "A quarter keeps its fiscal year and number; add a new one."
                    )
                )
        saved, _changes = catalog_row_save(
            model=Quarter, instance=quarter, values=fields, actor=actor, source=source
        )
    return saved


def quarter_delete(*, quarter: Quarter, actor, source: str) -> None:
    with data_write():
        catalog_row_delete(instance=quarter, actor=actor, source=source)


# --- the shared core -----------------------------------------------------------------------


def catalog_row_save(
    *,
    model: type[models.Model],
    instance: models.Model | None,
    values: Mapping[str, Any],
    actor,
    source: str,
) -> tuple[models.Model, dict]:
    """Create a `model` row from `values`, or write `values` over `instance` where they
    differ from the stored row (read under a row lock). Validates the whole row
    (`full_clean`) and records each changed field. Returns the row and {field: (old, new)}."""
    validate_source(source)
    _ensure_known_fields(model, values)
    if instance is None:
        row = model(**values)
        row.full_clean(exclude=_not_editable(model))
        row.save()
        fields = [field.name for field in model._meta.concrete_fields if not field.primary_key]
        history_record_created(instance=row, fields=fields, actor=actor, source=source)
        return row, {}
    row = model.objects.select_for_update().get(pk=instance.pk)
    changes = changes_between(row, values)
    if not changes:
        return row, {}
    for name, (_old, new) in changes.items():
        setattr(row, name, new)
    row.full_clean(exclude=_not_editable(model))
    update_fields = [model._meta.get_field(name).name for name in changes]
    if any(field.name == "updated_at" for field in model._meta.concrete_fields):
        update_fields.append("updated_at")
    row.save(update_fields=update_fields)
    history_record(instance=row, changes=changes, actor=actor, source=source)
    return row, changes


def catalog_row_delete(*, instance: models.Model, actor, source: str, cascade: str = "") -> None:
    """Delete one row, its history saying what it was (and what went with it)."""
    validate_source(source)
    fields = DELETED_FIELDS[type(instance)]
    changes = {name: (getattr(instance, name), None) for name in fields}
    if cascade:
        changes["deleted_with_it"] = (cascade, None)
    history_record(instance=instance, changes=changes, actor=actor, source=source)
    try:
        instance.delete()
    except models.ProtectedError as error:
        # Raised while collecting, before any row is deleted.
        kept = sorted({str(row) for row in error.protected_objects})[:5]
        raise ValidationError(
            _("%(row)s is still used by %(others)s; delete or move those first.")
            % {"row": instance, "others": ", ".join(kept)}
        ) from error


def _not_editable(model) -> list[str]:
    # Derived on save (a quarter's dates), so not checked before it.
    return [field.name for field in model._meta.concrete_fields if not field.editable]


def _ensure_known_fields(model, values: Mapping[str, Any]) -> None:
    names = {
        field.name
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key
    } - {"created_at", "updated_at"}
    validate_known_fields(values, names)


def _leads_set(*, department: Department, leads: Iterable, actor, source: str) -> None:
    new_ids = sorted({_pk(user) for user in leads})
    old_ids = sorted(department.leads.values_list("pk", flat=True))
    if new_ids == old_ids:
        return
    department.leads.set(new_ids)
    history_record(
        instance=department,
        changes={"leads": (_id_list(old_ids), _id_list(new_ids))},
        actor=actor,
        source=source,
    )


def _id_list(ids: list[int]) -> str:
    return ",".join(map(str, ids))


def _pk(value) -> int | None:
    return getattr(value, "pk", value)


def _ensure_no_locked_cells(
    *,
    metric_ids: list[int],
    department_ids: Iterable[int | None],
    doing: str,
    segment_id: int | None = None,
) -> None:
    """LockedError when a status or observation of the metrics (or of one segment) lies in a
    quarter locked for any of the departments."""
    locked = list(
        Submission.objects.filter(
            department_id__in=set(department_ids) - {None}, state=SubmissionState.LOCKED
        ).select_related("quarter")
    )
    if not locked:
        return
    quarter_ids = {submission.quarter_id for submission in locked}
    statuses = QuarterlyStatus.objects.filter(metric_id__in=metric_ids, quarter_id__in=quarter_ids)
    observations = Observation.objects.filter(metric_id__in=metric_ids)
    if segment_id is not None:
        statuses = statuses.filter(segment_id=segment_id)
        observations = observations.filter(segment_id=segment_id)
    in_quarters = Q()
    for submission in locked:
        in_quarters |= Q(
            period_start__gte=submission.quarter.start_date,
            period_start__lte=submission.quarter.end_date,
        )
    if statuses.exists() or observations.filter(in_quarters).exists():
        labels = ", ".join(sorted({submission.quarter.label for submission in locked}))
        raise LockedError(
            _(
                "This metric has figures in a locked quarter (%(quarters)s); it cannot be "
                "%(doing)s. Reopen the quarter first."
            )
            % {"quarters": labels, "doing": doing}
        )


def _cascade(row: Metric | Segment) -> str:
    """What a deletion takes with it, in words, for the history."""
    parts = []
    if isinstance(row, Metric):
        parts.append(f"{row.segments.count()} segment(s)")
    parts.append(f"{row.observations.count()} observation(s)")
    parts.append(f"{row.statuses.count()} status(es)")
    return ", ".join(parts)
