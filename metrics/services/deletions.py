"""Deleting the deck's data rows (statuses, observations, key-result statuses): refused in a
locked quarter, each deletion kept in the history, and the figures recomputed."""

from metrics.caching.versions import data_write
from metrics.fiscal import quarter_of
from metrics.models import KeyResultStatus, Observation, QuarterlyStatus
from metrics.services.history import history_record
from metrics.services.recompute_requests import recompute_request
from metrics.services.submissions import submission_ensure_unlocked
from metrics.services.validation import validate_source

# What a deleted row's history entry says it was, field by field.
DELETED_FIELDS = {
    QuarterlyStatus: ("state", "value", "footnote_markers", "state_markers", "comment"),
    Observation: ("period_start", "period_end", "value", "is_derived"),
    KeyResultStatus: ("state", "text", "number", "milestones_done", "is_done", "comment"),
}


def _department_and_quarter(row):
    if isinstance(row, Observation):
        return row.metric.department_id, quarter_of(row.period_start)
    if isinstance(row, KeyResultStatus):
        return row.key_result.objective.department_id, row.quarter
    return row.metric.department_id, row.quarter


def _metric_id(row) -> int | None:
    """The metric whose figures the row is an input of: none for a key result's status,
    which the recompute does not read (its key result's metric included)."""
    if isinstance(row, KeyResultStatus):
        return None
    return row.metric_id


def data_rows_delete(*, rows, actor, source: str) -> int:
    """Delete `rows` (statuses, observations or key-result statuses; a queryset or a list).
    Raises LockedError, deleting nothing, when any of them lies in a locked quarter."""
    validate_source(source)
    rows = list(rows)
    with data_write():
        for row in rows:
            department_id, quarter = _department_and_quarter(row)
            submission_ensure_unlocked(department_id=department_id, quarter=quarter)
        for row in rows:
            fields = DELETED_FIELDS[type(row)]
            history_record(
                instance=row,
                changes={field: (getattr(row, field), None) for field in fields},
                actor=actor,
                source=source,
            )
            row.delete()
        metric_ids = {_metric_id(row) for row in rows} - {None}
        if metric_ids:
            recompute_request(
                metric_ids=metric_ids, reason=f"{len(rows)} row(s) deleted ({source})"
            )
    return len(rows)
