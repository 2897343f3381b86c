"""Writing what one cell of the deck says: a metric's (or segment's) status for a quarter."""

from django.core.exceptions import ValidationError
from django.db import transaction

from metrics.models import Cadence, Metric, QuarterlyStatus, Segment, StatusState
from metrics.services.submissions import submission_ensure_unlocked
from metrics.services.validation import (
    parse_number,
    quarter_resolve,
    validate_segment,
    validate_source,
    validate_value_for_unit,
)
from metrics.services.versioned import versioned_row_save

STATUS_EDITABLE_FIELDS = (
    "state",
    "value",
    "value_is_manual",
    "footnote_markers",
    "state_markers",
    "comment",
)
_MARKER_MAX = 20


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

    Fields: state, value (a number as typed: 92000, "7.6"), value_is_manual, footnote_markers,
    state_markers, comment. A value entered or changed here is manual (the recompute keeps it)
    unless value_is_manual says otherwise; clearing it hands the cell back to the recompute.

    Raises ValidationError (field dict) on bad values, LockedError when the department's
    quarter is locked, ConflictError when `expected_version` is stale."""
    validate_source(source)
    quarter = quarter_resolve(quarter)
    values = _clean(metric=metric, segment=segment, quarter=quarter, fields=fields)
    with transaction.atomic():
        submission_ensure_unlocked(department_id=metric.department_id, quarter=quarter)
        existing_value = (
            QuarterlyStatus.objects.filter(metric=metric, segment=segment, quarter=quarter)
            .values_list("value", flat=True)
            .first()
        )
        if "value" in values and "value_is_manual" not in fields:
            if values["value"] is None:
                values["value_is_manual"] = False
            elif existing_value is None or existing_value != values["value"]:
                values["value_is_manual"] = True
        status, changed = versioned_row_save(
            model=QuarterlyStatus,
            lookup={"metric": metric, "segment": segment, "quarter": quarter},
            values=values,
            expected_version=expected_version,
            actor=actor,
            source=source,
        )
        if changed:
            from metrics.services.recompute_requests import recompute_request

            recompute_request(
                metric_ids=[metric.pk], reason=f"status {quarter.label} saved ({source})"
            )
    return status


def _clean(*, metric, segment, quarter, fields: dict) -> dict:
    unknown = set(fields) - set(STATUS_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set here."))
    validate_segment(metric, segment)
    values = dict(fields)
    errors = {}
    if "state" in values and values["state"] not in StatusState.values:
        errors["state"] = f"Choose one of: {', '.join(StatusState.labels)}."
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
    if "value_is_manual" in values:
        values["value_is_manual"] = bool(values["value_is_manual"])
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
