"""The history of every cell: one HistoryEntry per changed field, written by the services."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from metrics.caching.versions import data_changed
from metrics.formatting import plain_decimal
from metrics.models import (
    ChangeSource,
    HistoryEntry,
    KeyResultStatus,
    Metric,
    Objective,
    Observation,
    QuarterlyStatus,
    Submission,
)


def history_value(value: Any) -> str | None:
    """The text a value is kept as in history: stable, readable and comparable."""
    if value is None:
        return None
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def changes_between(instance: models.Model, new_values: Mapping[str, Any]) -> dict:
    """The fields of `new_values` whose value differs from the instance's: {field: (old, new)}."""
    changes = {}
    for field, new in new_values.items():
        old = getattr(instance, field)
        if history_value(old) != history_value(new):
            changes[field] = (old, new)
    return changes


def history_entries(
    *,
    instance: models.Model,
    changes: Mapping[str, tuple[Any, Any]],
    actor=None,
    source: str = ChangeSource.FORM,
    changed_at: datetime | None = None,
) -> list[HistoryEntry]:
    """The history rows of one row's changes ({field: (old, new)}), not yet saved: bulk
    writers collect them over many rows and save them in one query."""
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    when = changed_at or timezone.now()
    return [
        HistoryEntry(
            content_type=content_type,
            object_id=instance.pk,
            field=field,
            old_value=history_value(old),
            new_value=history_value(new),
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            source=source,
            changed_at=when,
        )
        for field, (old, new) in changes.items()
    ]


def history_record(*, changes: Mapping[str, tuple[Any, Any]], **context) -> list[HistoryEntry]:
    """Save the history rows of one row's changes; `context` as for history_entries."""
    if not changes:
        return []
    data_changed(department_ids=figures_departments([context["instance"]]))
    return HistoryEntry.objects.bulk_create(history_entries(changes=changes, **context))


def figures_departments(instances: Iterable[models.Model]) -> set[int | None] | None:
    """Whose figures these rows are (metrics.caching.versions: a page showing only other
    departments' figures stays cached), or None when one of them is no figure (a change of
    structure, which every cached page follows). Reads a row's department from what the
    service already loaded, else in one small query."""
    departments: set[int | None] = set()
    for instance in instances:
        department = _figure_department(instance)
        if department is _NOT_A_FIGURE:
            return None
        departments.add(department)
    return departments


_NOT_A_FIGURE = object()


def _figure_department(instance):
    cache = instance._state.fields_cache
    if isinstance(instance, Submission):
        return instance.department_id
    if isinstance(instance, Observation | QuarterlyStatus):
        metric = cache.get("metric")
        if metric is not None:
            return metric.department_id
        rows = Metric.objects.filter(pk=instance.metric_id)
        return rows.values_list("department_id", flat=True).first()
    if isinstance(instance, KeyResultStatus):
        key_result = cache.get("key_result")
        objective = key_result and key_result._state.fields_cache.get("objective")
        if objective is not None:
            return objective.department_id
        rows = Objective.objects.filter(key_results__pk=instance.key_result_id)
        return rows.values_list("department_id", flat=True).first()
    return _NOT_A_FIGURE


def history_record_created(
    *, instance: models.Model, fields: Iterable[str], actor=None, source: str = ChangeSource.FORM
) -> list[HistoryEntry]:
    """A new row: its initial values, each as a change from nothing."""
    changes = {
        field: (None, getattr(instance, field))
        for field in fields
        if getattr(instance, field) not in (None, "")
    }
    return history_record(instance=instance, changes=changes, actor=actor, source=source)
