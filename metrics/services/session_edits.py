"""Corrections made in a session's editor: an objective's statement, target quarter and
department (a key result's texts and goal go through sessions.key_result_update), and the
marks of what the next quarter's session carries over.

Objectives and key results belong to a fiscal year and are shared by its sessions: a correction
shows on every page of the sessions still in preparation; a held session keeps the deck it
presented (its snapshot). Each correction checks the version its author read and is recorded
in history.

Carry marks (docs/okrs.md): every objective row and key result starts marked; unmarking one
leaves it behind when `session_open_next` opens the next quarter. The marks are about the next
session, not what this one presented, so they can be set on a held session too, until the next
quarter's session is open.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from metrics.caching.versions import data_write
from metrics.models import Department, KeyResult, Objective, SessionObjective, TuningSession
from metrics.selectors.session_rules import next_session_of
from metrics.services.sessions.common import locked_session, session_ensure_draft
from metrics.services.transactions import retried_when_transient
from metrics.services.validation import (
    validate_known_fields,
    validate_markdown_length,
    validate_source,
)
from metrics.services.versioned import versioned_instance_update

OBJECTIVE_REVISABLE_FIELDS = ("statement", "target_quarter_text", "department")


def _clean_objective_fields(fields: dict) -> dict:
    validate_known_fields(fields, OBJECTIVE_REVISABLE_FIELDS)
    values = dict(fields)
    errors = {}
    if "statement" in values:
        values["statement"] = (values["statement"] or "").replace("\r\n", "\n").strip()
        if not values["statement"]:
            errors["statement"] = _("An objective needs its statement.")
    if "target_quarter_text" in values:
        values["target_quarter_text"] = (values["target_quarter_text"] or "").strip()
        if len(values["target_quarter_text"]) > 50:
            errors["target_quarter_text"] = _("At most 50 characters.")
    if "department" in values and not (
        values["department"] is None or isinstance(values["department"], Department)
    ):
        errors["department"] = _("Choose a department.")
    if errors:
        raise ValidationError(errors)
    validate_markdown_length({"statement": values.get("statement")})
    return values


@retried_when_transient
def session_objective_revise(
    *,
    session: TuningSession,
    objective: Objective,
    actor,
    source: str = "form",
    expected_version: int | None = None,
    **fields,
) -> Objective:
    """Corrects an objective the session (in preparation) presents: its statement, target
    quarter text and department. ConflictError when the objective moved since
    `expected_version`; SessionHeldError for a held session."""
    validate_source(source)
    values = _clean_objective_fields(fields)
    with data_write():
        session = locked_session(session)
        session_ensure_draft(session)
        if not SessionObjective.objects.filter(session=session, objective=objective).exists():
            raise ValidationError({"objective": _("This objective is not part of the session.")})
        updated, _changed = versioned_instance_update(
            instance=objective,
            values=values,
            expected_version=expected_version,
            actor=actor,
            source=source,
        )
    return updated


def _ensure_marks_open(session: TuningSession) -> None:
    opened = next_session_of(session)
    if opened is not None:
        raise ValidationError(
            _(
                "%(quarter)s is open already: what it carried over is decided. Edit it in "
                "its own editor."
            )
            % {"quarter": opened.quarter.label}
        )


@retried_when_transient
def carry_over_mark(
    *,
    session: TuningSession,
    actor,
    carry: bool,
    row: SessionObjective | None = None,
    key_result: KeyResult | None = None,
    source: str = "form",
) -> None:
    """Marks (carry=True) or unmarks an objective row of the session or a key result of an
    objective it presents, for the next quarter's session. Refused once that session is open."""
    validate_source(source)
    if (row is None) == (key_result is None):
        raise ValueError("Mark either an objective row or a key result.")
    with data_write():
        session = locked_session(session)
        _ensure_marks_open(session)
        if row is not None:
            if row.session_id != session.pk:
                raise ValidationError(
                    {"objective": _("This objective is not part of the session.")}
                )
            instance = row
        else:
            if not SessionObjective.objects.filter(
                session=session, objective_id=key_result.objective_id
            ).exists():
                raise ValidationError(
                    {"key_result": _("This key result is not part of the session.")}
                )
            instance = key_result
        versioned_instance_update(
            instance=instance,
            values={"carry_over": bool(carry)},
            expected_version=None,
            actor=actor,
            source=source,
        )
