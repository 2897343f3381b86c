"""Writing a key result's status for a quarter: text, a number, milestones, a tick."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from metrics.caching.versions import data_write
from metrics.models import (
    CONFIDENCE_SCORE_MAX,
    CONFIDENCE_SCORE_MIN,
    Confidence,
    KeyResult,
    KeyResultStatus,
    StatusState,
)
from metrics.services.events import EventKind, event_publish
from metrics.services.submissions import submission_ensure_unlocked
from metrics.services.transactions import retried_when_transient
from metrics.services.validation import (
    parse_number,
    quarter_resolve,
    validate_known_fields,
    validate_markdown_length,
    validate_source,
)
from metrics.services.versioned import versioned_row_save

KEY_RESULT_EDITABLE_FIELDS = (
    "state",
    "text",
    "number",
    "milestones_done",
    "is_done",
    "comment",
    "confidence",
    "confidence_score",
)


@retried_when_transient
def key_result_status_save(
    *,
    key_result: KeyResult,
    quarter,
    actor,
    source: str,
    expected_version: int | None = None,
    **fields,
) -> KeyResultStatus:
    """Create or update the key result's status for `quarter`. Fields: state, text (Markdown),
    number, milestones_done (at most the key result's milestone_total), is_done, comment,
    confidence (on track / at risk / off track, "" for none) and confidence_score (1-10).
    Raises ValidationError, LockedError or ConflictError like quarterly_status_save. The row's
    `created` says whether this call inserted it."""
    validate_source(source)
    quarter = quarter_resolve(quarter)
    values = _clean(key_result=key_result, fields=fields)
    with data_write():
        submission_ensure_unlocked(
            department_id=key_result.objective.department_id, quarter=quarter, actor=actor
        )
        status, changed = versioned_row_save(
            model=KeyResultStatus,
            lookup={"key_result": key_result, "quarter": quarter},
            values=values,
            expected_version=expected_version,
            actor=actor,
            source=source,
        )
        # No recompute: a key result's status (its text, number, milestones, confidence) is
        # no input of the recompute, which derives only quarterly statuses' figures.
        if changed:
            event_publish(
                kind=EventKind.STATUS_SAVED,
                actor=actor,
                payload={
                    "kind": "key_result",
                    "status_id": status.pk,
                    "key_result_id": key_result.pk,
                    "objective_id": key_result.objective_id,
                    "department_id": key_result.objective.department_id,
                    "fiscal_year": quarter.fiscal_year,
                    "quarter_number": quarter.number,
                    "source": source,
                },
            )
    return status


def _clean(*, key_result: KeyResult, fields: dict) -> dict:
    validate_known_fields(fields, KEY_RESULT_EDITABLE_FIELDS)
    values = dict(fields)
    errors = {}
    if "state" in values and values["state"] not in StatusState.values:
        errors["state"] = f"Choose one of: {', '.join(map(str, StatusState.labels))}."
    errors.update(_clean_number(values))
    errors.update(_clean_milestones(values, key_result=key_result))
    for name in ("text", "comment"):
        if name in values:
            values[name] = values[name] or ""
    if "is_done" in values:
        values["is_done"] = bool(values["is_done"])
    errors.update(_clean_confidence(values))
    try:
        validate_markdown_length({"text": values.get("text"), "comment": values.get("comment")})
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return values


def _clean_number(values: dict) -> dict:
    """Cleans number in place; returns the errors by field."""
    errors = {}
    if "number" in values:
        try:
            values["number"] = parse_number(values["number"], field="number")
            if values["number"] is not None and values["number"] < 0:
                errors["number"] = "A count cannot be negative."
        except ValidationError as error:
            errors.update(error.message_dict)
    return errors


def _clean_milestones(values: dict, *, key_result: KeyResult) -> dict:
    """Cleans milestones_done in place (a whole number up to the key result's total);
    returns the errors by field."""
    if "milestones_done" not in values:
        return {}
    try:
        done = parse_number(values["milestones_done"], field="milestones_done")
    except ValidationError as error:
        return error.message_dict
    if done is not None and (done != done.to_integral() or done < 0):
        return {"milestones_done": "Enter a whole number of milestones, 0 or more."}
    if done is not None and key_result.milestone_total and done > key_result.milestone_total:
        return {"milestones_done": f"This key result has {key_result.milestone_total} milestones."}
    values["milestones_done"] = None if done is None else int(done)
    return {}


def _clean_confidence(values: dict) -> dict:
    """Cleans confidence and confidence_score in place; returns the errors by field."""
    errors = {}
    if "confidence" in values:
        values["confidence"] = values["confidence"] or ""
        if values["confidence"] not in ("", *Confidence.values):
            errors["confidence"] = _("Choose one of: %(choices)s.") % {
                "choices": ", ".join(str(label) for label in Confidence.labels)
            }
    if "confidence_score" in values:
        try:
            score = parse_number(values["confidence_score"], field="confidence_score")
        except ValidationError as error:
            errors.update(error.message_dict)
        else:
            if score is not None and (
                score != score.to_integral()
                or not CONFIDENCE_SCORE_MIN <= score <= CONFIDENCE_SCORE_MAX
            ):
                errors["confidence_score"] = _("Enter a whole number from %(low)d to %(high)d.") % {
                    "low": CONFIDENCE_SCORE_MIN,
                    "high": CONFIDENCE_SCORE_MAX,
                }
            else:
                values["confidence_score"] = None if score is None else int(score)
    return errors
