"""Writing the Markdown texts of objectives and drill-downs. The Markdown is stored as typed
and sanitised when rendered (metrics.markdown), so nothing a lead types can run as script."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from metrics.caching.versions import data_write
from metrics.models import Drilldown, Objective
from metrics.services.sessions import draft_narratives_follow, session_ensure_draft
from metrics.services.submissions import submission_ensure_unlocked
from metrics.services.transactions import retried_when_transient
from metrics.services.validation import (
    validate_known_fields,
    validate_markdown_length,
    validate_source,
)
from metrics.services.versioned import versioned_instance_update

OBJECTIVE_EDITABLE_FIELDS = ("narrative", "statement", "target_quarter_text")
DRILLDOWN_EDITABLE_FIELDS = ("title", "situation", "impact", "recommendation", "next_steps")


@retried_when_transient
def objective_update(
    *, objective: Objective, actor, source: str, expected_version: int | None = None, **fields
) -> Objective:
    validate_source(source)
    values = _clean(
        fields, allowed=OBJECTIVE_EDITABLE_FIELDS, max_lengths={"target_quarter_text": 50}
    )
    if "statement" in values and not values["statement"].strip():
        raise ValidationError({"statement": _("An objective needs its statement.")})
    with data_write():
        objective, changed = versioned_instance_update(
            instance=objective,
            values=values,
            expected_version=expected_version,
            actor=actor,
            source=source,
        )
        if changed and "narrative" in values:
            draft_narratives_follow(
                objective=objective, narrative=values["narrative"], actor=actor, source=source
            )
    return objective


@retried_when_transient
def drilldown_update(
    *, drilldown: Drilldown, actor, source: str, expected_version: int | None = None, **fields
) -> Drilldown:
    """Drill-downs belong to a session; a locked session quarter refuses edits."""
    validate_source(source)
    values = _clean(fields, allowed=DRILLDOWN_EDITABLE_FIELDS, max_lengths={"title": 200})
    with data_write():
        session_ensure_draft(drilldown.session)
        submission_ensure_unlocked(
            department_id=drilldown.objective.department_id, quarter=drilldown.session.quarter
        )
        drilldown, _changed = versioned_instance_update(
            instance=drilldown,
            values=values,
            expected_version=expected_version,
            actor=actor,
            source=source,
        )
    return drilldown


def _clean(fields: dict, *, allowed: tuple[str, ...], max_lengths: dict[str, int]) -> dict:
    validate_known_fields(fields, allowed)
    values = {name: (text or "").replace("\r\n", "\n") for name, text in fields.items()}
    errors = {
        name: f"At most {limit} characters."
        for name, limit in max_lengths.items()
        if len(values.get(name, "")) > limit
    }
    try:
        validate_markdown_length(values)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return values
