"""Writing what one cell of the deck says: a metric's (or segment's) status for a quarter.

A quarter's value has one source of truth, the observations: a value entered for the quarter
(check-in, API, admin) is stored as the quarter's observation, a figure for the whole
quarter, which the recompute lets win over months beside it. The status keeps what only a
person says (the state chosen, the markers, the comment); its value is the recompute's."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.caching.versions import data_write
from metrics.models import (
    Cadence,
    Metric,
    Observation,
    QuarterlyStatus,
    Segment,
    StatusState,
)
from metrics.services.errors import ConflictError
from metrics.services.events import EventKind, event_publish
from metrics.services.history import history_record
from metrics.services.recompute_requests import recompute_request
from metrics.services.submissions import submission_ensure_unlocked
from metrics.services.transactions import retried_when_transient
from metrics.services.validation import (
    parse_number,
    quarter_resolve,
    validate_known_fields,
    validate_segment,
    validate_source,
    validate_value_for_unit,
)
from metrics.services.versioned import versioned_row_save

STATUS_EDITABLE_FIELDS = (
    "state",
    "value",
    "footnote_markers",
    "state_markers",
    "comment",
)
_MARKER_MAX = 20
# Of a status's own fields the recompute reads only these: its state (a paused cell stays
# paused; "reported" and "not available" follow the figures) and the value it overwrites from
# the observations. A save of markers or a comment alone asks for no recompute.
RECOMPUTE_INPUT_FIELDS = ("state", "value")
RECOMPUTE_INPUTS = frozenset(RECOMPUTE_INPUT_FIELDS)


def quarterly_status_save(
    *,
    metric: Metric,
    segment: Segment | None,
    quarter,
    actor,
    source: str,
    expected_version: int | None = None,
    **fields,
) -> QuarterlyStatus:
    """Create or update the status of `metric` (or its `segment`) for `quarter`.

    Fields: state, value (a number as typed: 92000, "7.6"; None removes the quarter's figure
    and hands the cell back to its months), footnote_markers, state_markers, comment. A value
    is stored as the quarter's whole-quarter observation and shown in the cell at once (it is
    what the recompute derives from it; the recompute then adds the YoY, arrow and state).

    Raises ValidationError (field dict) on bad values, LockedError when the department's
    quarter is locked, ConflictError when `expected_version` is stale. The row's `created`
    says whether this call inserted it."""
    validate_source(source)
    quarter = quarter_resolve(quarter)
    values = _clean(metric=metric, segment=segment, quarter=quarter, fields=fields)
    lookup = {"metric": metric, "segment": segment, "quarter": quarter}
    try:
        return _save_retrying(
            lookup, values, expected_version=expected_version, actor=actor, source=source
        )
    except ConflictError as conflict:
        # The recompute inserted this row between our read and our insert (the unique
        # constraint stopped ours): it holds nothing a person typed, so save over it.
        if expected_version != 0 or not _only_derived(conflict.current):
            raise
        return _save_retrying(
            lookup, values, expected_version=conflict.current.version, actor=actor, source=source
        )


def _save_retrying(lookup, values, **kwargs) -> QuarterlyStatus:
    """`_save`, run again when PostgreSQL rolled it back for a deadlock or a serialisation
    failure (metrics.services.transactions)."""
    return retried_when_transient(_save)(lookup, values, **kwargs)


def _save(lookup, values, *, expected_version, actor, source) -> QuarterlyStatus:
    metric, segment, quarter = lookup["metric"], lookup["segment"], lookup["quarter"]
    with data_write():
        submission_ensure_unlocked(department_id=metric.department_id, quarter=quarter, actor=actor)
        if expected_version == 0:
            current = QuarterlyStatus.objects.filter(**lookup).first()
            if current is not None and _only_derived(current):
                expected_version = current.version
        figure_changed = "value" in values and quarter_figure_save(
            metric=metric,
            segment=segment,
            quarter=quarter,
            value=values["value"],
            actor=actor,
            source=source,
        )
        before = _recompute_inputs(lookup) if RECOMPUTE_INPUTS & values.keys() else None
        status, changed = versioned_row_save(
            model=QuarterlyStatus,
            lookup=lookup,
            values=values,
            expected_version=expected_version,
            actor=actor,
            source=source,
        )
        if (
            figure_changed
            or status.created
            or (changed and before is not None and before != _recompute_inputs_of(status))
        ):
            recompute_request(
                metric_ids=[metric.pk], reason=f"status {quarter.label} saved ({source})"
            )
        if changed or figure_changed:
            event_publish(
                kind=EventKind.STATUS_SAVED,
                actor=actor,
                payload={
                    "kind": "metric",
                    "status_id": status.pk,
                    "metric_id": metric.pk,
                    "segment_id": getattr(segment, "pk", None),
                    "department_id": metric.department_id,
                    "fiscal_year": quarter.fiscal_year,
                    "quarter_number": quarter.number,
                    "source": source,
                },
            )
    return status


def quarter_figure_save(*, metric, segment, quarter, value, actor, source) -> bool:
    """Store `value` as the observation of the whole `quarter` (None: delete it); whether
    anything changed. Any cadence takes a figure for a whole quarter: it is what the deck
    prints in the cell."""
    lookup = {
        "metric": metric,
        "segment": segment,
        "period_start": quarter.start_date,
        "period_end": quarter.end_date,
    }
    if value is None:
        current = Observation.objects.select_for_update(of=("self",)).filter(**lookup).first()
        if current is not None:
            history_record(
                instance=current,
                changes={"value": (current.value, None)},
                actor=actor,
                source=source,
            )
            current.delete()
            return True
        return False
    if quarter.start_date > timezone.localdate():
        raise ValidationError(
            {"value": _("%(quarter)s has not started yet.") % {"quarter": quarter.label}}
        )
    _observation, changed = versioned_row_save(
        model=Observation,
        lookup=lookup,
        values={"value": value, "is_derived": False},
        expected_version=None,
        actor=actor,
        source=source,
    )
    return changed


def _recompute_inputs(lookup) -> tuple | None:
    """What the recompute reads of the stored status, before a save that sets it."""
    return QuarterlyStatus.objects.filter(**lookup).values_list(*RECOMPUTE_INPUT_FIELDS).first()


def _recompute_inputs_of(status: QuarterlyStatus) -> tuple:
    return tuple(getattr(status, name) for name in RECOMPUTE_INPUT_FIELDS)


def _only_derived(status: QuarterlyStatus) -> bool:
    """A row only the recompute has written (created from observations pushed by another
    path) holds nothing a person typed: a person who saw no row (version 0) saving over it is
    no conflict."""
    return (
        status.updated_by_id is None
        and status.computed_at is not None
        and not status.footnote_markers
        and not status.state_markers
        and not status.comment
        and status.state in (StatusState.REPORTED, StatusState.NOT_AVAILABLE)
    )


def _clean(*, metric, segment, quarter, fields: dict) -> dict:
    validate_known_fields(fields, STATUS_EDITABLE_FIELDS)
    validate_segment(metric, segment)
    values = dict(fields)
    errors = {}
    if "state" in values and values["state"] not in StatusState.values:
        errors["state"] = f"Choose one of: {', '.join(map(str, StatusState.labels))}."
    if "value" in values:
        try:
            values["value"] = parse_number(values["value"])
            validate_value_for_unit(values["value"], unit=metric.unit)
        except ValidationError as error:
            errors.update(error.message_dict)
    for name in ("footnote_markers", "state_markers"):
        if name in values:
            values[name] = (values[name] or "").strip()
            if len(values[name]) > _MARKER_MAX:
                errors[name] = f"At most {_MARKER_MAX} characters."
    if "comment" in values:
        values["comment"] = values["comment"] or ""
    state = values.get("state", StatusState.REPORTED)
    if (
        metric.cadence == Cadence.ANNUAL
        and metric.measured_in_quarter
        and quarter.number != metric.measured_in_quarter
        and state == StatusState.REPORTED
        and values.get("value") is not None
        and "value" not in errors
    ):
        errors["value"] = (
            f"{metric.name} is measured annually in Q{metric.measured_in_quarter}; "
            f"for {quarter.label} choose “Measured annually”."
        )
    if errors:
        raise ValidationError(errors)
    return values
