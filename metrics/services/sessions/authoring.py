"""Authoring a session in preparation: its title and texts, key deliverables, metric rows,
the objectives it presents (their narrative and order, new ones) and their key results.
Every edit refuses a held session; edits of its rows move the session's version on."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from metrics.caching.versions import data_write
from metrics.models import (
    Department,
    KeyDeliverable,
    KeyResult,
    MetricDefinition,
    Objective,
    Quarter,
    SessionObjective,
    SessionState,
    TuningSession,
)
from metrics.selectors.session_rules import entered_status_count
from metrics.services.history import changes_between, history_record, history_record_created
from metrics.services.sessions.common import (
    SessionHeldError,
    draft_session_of,
    locked_session,
    rows_move,
    session_bump,
    session_ensure_draft,
    unique_objective_slug,
)
from metrics.services.transactions import retried_when_transient
from metrics.services.validation import (
    validate_known_fields,
    validate_markdown_length,
    validate_source,
)
from metrics.services.versioned import actor_or_none, versioned_instance_update

# The fields the edits below may set.
SESSION_TEXT_FIELDS = ("title", "overview", "progress_challenges", "actions")
DEFINITION_FIELDS = ("name", "baseline_text", "goal_text")
KEY_RESULT_FIELDS = ("code", "description", "baseline_text", "goal_text", "milestone_total")


# --- the session's own texts and quarter -----------------------------------------------------


def session_texts_clean(fields: dict) -> dict:
    """A session's texts as stored: known fields only, one kind of line break, a title that
    is there and fits. ValidationError naming the field otherwise."""
    validate_known_fields(fields, SESSION_TEXT_FIELDS)
    values = {name: (text or "").replace("\r\n", "\n") for name, text in fields.items()}
    if "title" in values:
        values["title"] = values["title"].strip()
        if not values["title"]:
            raise ValidationError({"title": _("A session needs a title.")})
        if len(values["title"]) > 300:
            raise ValidationError({"title": _("At most %(limit)s characters.") % {"limit": 300}})
    validate_markdown_length(values)
    return values


def session_update(
    *,
    session: TuningSession,
    actor,
    source: str = "form",
    expected_version: int | None = None,
    quarter: Quarter | None = None,
    **fields,
) -> TuningSession:
    """The session's title and texts (Markdown, sanitised when rendered) and, while it is in
    preparation and unused, its quarter."""
    validate_source(source)
    values = session_texts_clean(fields)
    with data_write():
        current = locked_session(session)
        if current.state == SessionState.HELD:
            if quarter is not None and quarter.pk != current.quarter_id:
                raise SessionHeldError(
                    _("The %(quarter)s session was held: its quarter cannot change.")
                    % {"quarter": current.quarter.label}
                )
            session_ensure_draft(current)
        if quarter is not None and quarter.pk != current.quarter_id:
            if TuningSession.objects.filter(
                priority_id=current.priority_id, quarter=quarter
            ).exists():
                raise ValidationError(
                    {
                        "quarter": _("%(quarter)s has a session already.")
                        % {"quarter": quarter.label}
                    }
                )
            if entered_status_count(current):
                raise ValidationError(
                    {"quarter": _("The session's quarter has entered statuses; it cannot move.")}
                )
            values["quarter"] = quarter
        updated, _changed = versioned_instance_update(
            instance=current,
            values=values,
            expected_version=expected_version,
            actor=actor,
            source=source,
        )
    return updated


# --- key deliverables ----------------------------------------------------------------------


def _deliverable_title(title: str | None) -> str:
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationError(
            {"title": _("A deliverable needs a title of at most 200 characters.")}
        )
    return title


def deliverable_add(
    *,
    session: TuningSession,
    actor,
    title: str,
    objective: Objective | None = None,
    source: str = "form",
    expected_version: int | None = None,
) -> KeyDeliverable:
    validate_source(source)
    title = _deliverable_title(title)
    with data_write():
        session = locked_session(session)
        session_ensure_draft(session)
        session_bump(session, expected_version=expected_version, actor=actor)
        order = (
            KeyDeliverable.objects.filter(session=session).aggregate(top=Max("order"))["top"] or 0
        )
        deliverable = KeyDeliverable.objects.create(
            session=session, title=title, objective=objective, order=order + 1
        )
        history_record_created(
            instance=deliverable,
            fields=("session", "title", "objective", "order"),
            actor=actor,
            source=source,
        )
    return deliverable


def deliverable_update(
    *,
    deliverable: KeyDeliverable,
    actor,
    source: str = "form",
    expected_version: int | None = None,
    **fields,
) -> KeyDeliverable:
    """Title and linked objective."""
    validate_source(source)
    validate_known_fields(fields, {"title", "objective"})
    if "title" in fields:
        fields["title"] = _deliverable_title(fields["title"])
    with data_write():
        session = draft_session_of(deliverable)
        changes = changes_between(deliverable, fields)
        if changes:
            session_bump(session, expected_version=expected_version, actor=actor)
            for name, (_old, new) in changes.items():
                setattr(deliverable, name, new)
            deliverable.save()
            history_record(instance=deliverable, changes=changes, actor=actor, source=source)
    return deliverable


def deliverable_remove(
    *,
    deliverable: KeyDeliverable,
    actor,
    source: str = "form",
    expected_version: int | None = None,
) -> None:
    validate_source(source)
    with data_write():
        session = draft_session_of(deliverable)
        session_bump(session, expected_version=expected_version, actor=actor)
        history_record(
            instance=deliverable,
            changes={"deleted": (deliverable.title, None)},
            actor=actor,
            source=source,
        )
        deliverable.delete()


def deliverable_move(
    *,
    deliverable: KeyDeliverable,
    actor,
    step: int,
    source: str = "form",
    expected_version: int | None = None,
) -> None:
    validate_source(source)
    with data_write():
        session = draft_session_of(deliverable)
        session_bump(session, expected_version=expected_version, actor=actor)
        rows = list(KeyDeliverable.objects.filter(session=session).order_by("order", "id"))
        rows_move(rows, deliverable, step, actor=actor, source=source)


# --- metric rows ----------------------------------------------------------------------------


def definition_update(
    *,
    definition: MetricDefinition,
    actor,
    source: str = "form",
    expected_version: int | None = None,
    **fields,
) -> MetricDefinition:
    """A metric row as this session prints it: its name, baseline and goal text; retiring
    (is_retired) takes it out of this session's tables and of the sessions opened after."""
    validate_source(source)
    validate_known_fields(fields, {*DEFINITION_FIELDS, "is_retired"})
    for name in DEFINITION_FIELDS:
        if name in fields:
            fields[name] = (fields[name] or "").strip()
            limit = 300 if name == "name" else 500
            if len(fields[name]) > limit:
                raise ValidationError({name: _("At most %(limit)s characters.") % {"limit": limit}})
    if "name" in fields and not fields["name"]:
        raise ValidationError({"name": _("A metric row needs a name.")})
    with data_write():
        draft_session_of(definition)
        updated, _changed = versioned_instance_update(
            instance=definition,
            values=fields,
            expected_version=expected_version,
            actor=actor,
            source=source,
        )
    return updated


def definition_add(
    *, session: TuningSession, actor, metric, source: str = "form"
) -> MetricDefinition:
    """Adds a metric row (the metric's current definition) at the end of its outcome's rows;
    a retired row of the same metric comes back instead."""
    validate_source(source)
    with data_write():
        session = locked_session(session)
        session_ensure_draft(session)
        existing = MetricDefinition.objects.filter(session=session, metric=metric).first()
        if existing is not None:
            if not existing.is_retired:
                raise ValidationError(
                    {"metric": _("%(metric)s is already a row.") % {"metric": metric.name}}
                )
            return definition_update(
                definition=existing, actor=actor, source=source, is_retired=False
            )
        order = (
            MetricDefinition.objects.filter(session=session).aggregate(top=Max("order"))["top"] or 0
        )
        definition = MetricDefinition.objects.create(
            session=session,
            metric=metric,
            outcome_id=metric.outcome_id,
            name=metric.name,
            baseline_text=metric.baseline_text,
            goal_text=metric.goal_text,
            order=order + 1,
            updated_by=actor_or_none(actor),
        )
        history_record_created(
            instance=definition,
            fields=("session", "metric", "name", "baseline_text", "goal_text", "order"),
            actor=actor,
            source=source,
        )
    return definition


def definition_move(
    *, definition: MetricDefinition, actor, step: int, source: str = "form"
) -> None:
    validate_source(source)
    with data_write():
        session = draft_session_of(definition)
        rows = list(
            MetricDefinition.objects.filter(
                session=session, outcome_id=definition.outcome_id
            ).order_by("order", "id")
        )
        rows_move(rows, definition, step, actor=actor, source=source)


# --- the objectives it presents ---------------------------------------------------------------


@retried_when_transient
def session_objective_update(
    *,
    row: SessionObjective,
    actor,
    source: str = "form",
    expected_version: int | None = None,
    **fields,
) -> SessionObjective:
    """An objective as this session presents it: its narrative (Markdown) and whether it is
    still presented (is_retired)."""
    validate_source(source)
    validate_known_fields(fields, {"narrative", "is_retired"})
    if "narrative" in fields:
        fields["narrative"] = (fields["narrative"] or "").replace("\r\n", "\n")
        validate_markdown_length({"narrative": fields["narrative"]})
    with data_write():
        draft_session_of(row)
        updated, _changed = versioned_instance_update(
            instance=row,
            values=fields,
            expected_version=expected_version,
            actor=actor,
            source=source,
        )
    return updated


def session_objective_move(*, row: SessionObjective, actor, step: int, source: str = "form"):
    validate_source(source)
    with data_write():
        session = draft_session_of(row)
        rows = list(SessionObjective.objects.filter(session=session).order_by("order", "id"))
        rows_move(rows, row, step, actor=actor, source=source)


def draft_narratives_follow(*, objective: Objective, narrative: str, actor, source: str) -> None:
    """An objective's narrative edited outside a session goes to the sessions still in
    preparation that present it; held sessions keep the narrative they presented."""
    for row in SessionObjective.objects.filter(
        objective=objective, session__state=SessionState.DRAFT
    ).select_for_update(of=("self",)):
        versioned_instance_update(
            instance=row,
            values={"narrative": narrative},
            expected_version=None,
            actor=actor,
            source=source,
        )


# --- objectives and key results, authored in a session ------------------------------------------


def objective_add(
    *,
    session: TuningSession,
    actor,
    short_name: str,
    title: str,
    statement: str,
    department: Department | None = None,
    source: str = "form",
) -> SessionObjective:
    """A new objective of the session's fiscal year, presented at the end of the session."""
    validate_source(source)
    short_name, title, statement = (
        (short_name or "").strip(),
        (title or "").strip(),
        (statement or "").strip(),
    )
    errors = {}
    if not short_name or len(short_name) > 100:
        errors["short_name"] = "A short name of at most 100 characters."
    if len(title) > 300:
        errors["title"] = "At most 300 characters."
    if not statement:
        errors["statement"] = "An objective needs its statement."
    if errors:
        raise ValidationError(errors)
    with data_write():
        session = locked_session(session)
        session_ensure_draft(session)
        session_bump(session, expected_version=None, actor=actor)
        objective = Objective.objects.create(
            priority_id=session.priority_id,
            department=department,
            fiscal_year=session.quarter.fiscal_year,
            short_name=short_name,
            slug=unique_objective_slug(short_name),
            title=title or short_name,
            statement=statement,
            updated_by=actor_or_none(actor),
        )
        history_record_created(
            instance=objective,
            fields=("short_name", "title", "statement", "department", "fiscal_year"),
            actor=actor,
            source=source,
        )
        order = (
            SessionObjective.objects.filter(session=session).aggregate(top=Max("order"))["top"] or 0
        )
        row = SessionObjective.objects.create(
            session=session, objective=objective, order=order + 1, updated_by=actor_or_none(actor)
        )
        history_record_created(
            instance=row, fields=("session", "objective", "order"), actor=actor, source=source
        )
    return row


def _clean_key_result_fields(fields: dict) -> dict:
    validate_known_fields(fields, {*KEY_RESULT_FIELDS, "is_retired", "objective"})
    values = dict(fields)
    for name in ("code", "description", "baseline_text", "goal_text"):
        if name in values:
            values[name] = (values[name] or "").replace("\r\n", "\n").strip()
    if "description" in values and not values["description"]:
        raise ValidationError({"description": _("A key result needs its description.")})
    if len(values.get("code", "")) > 20:
        raise ValidationError({"code": _("At most %(limit)s characters.") % {"limit": 20}})
    if len(values.get("baseline_text", "")) > 500:
        raise ValidationError(
            {"baseline_text": _("At most %(limit)s characters.") % {"limit": 500}}
        )
    validate_markdown_length({k: v for k, v in values.items() if k in ("description", "goal_text")})
    return values


def _ensure_presented(session: TuningSession, objective_id: int) -> None:
    if not SessionObjective.objects.filter(session=session, objective_id=objective_id).exists():
        raise ValidationError({"objective": _("This objective is not part of the session.")})


def key_result_add(
    *, session: TuningSession, objective: Objective, actor, source: str = "form", **fields
) -> KeyResult:
    validate_source(source)
    values = _clean_key_result_fields(fields)
    if not values.get("description"):
        raise ValidationError({"description": _("A key result needs its description.")})
    with data_write():
        session = locked_session(session)
        session_ensure_draft(session)
        _ensure_presented(session, objective.pk)
        order = objective.key_results.aggregate(top=Max("order"))["top"] or 0
        key_result = KeyResult.objects.create(
            objective=objective, order=order + 1, updated_by=actor_or_none(actor), **values
        )
        history_record_created(
            instance=key_result, fields=(*values, "objective", "order"), actor=actor, source=source
        )
    return key_result


def key_result_update(
    *,
    session: TuningSession,
    key_result: KeyResult,
    actor,
    source: str = "form",
    expected_version: int | None = None,
    **fields,
) -> KeyResult:
    """Its texts and goal, retiring it (is_retired: not presented nor carried over), or moving
    it to another objective of the session (objective)."""
    validate_source(source)
    values = _clean_key_result_fields(fields)
    with data_write():
        session = locked_session(session)
        session_ensure_draft(session)
        _ensure_presented(session, key_result.objective_id)
        if "objective" in values:
            _ensure_presented(session, values["objective"].pk)
            if values["objective"].pk != key_result.objective_id:
                top = values["objective"].key_results.aggregate(top=Max("order"))["top"] or 0
                values["order"] = top + 1
        updated, _changed = versioned_instance_update(
            instance=key_result,
            values=values,
            expected_version=expected_version,
            actor=actor,
            source=source,
        )
    return updated


def key_result_move(
    *, session: TuningSession, key_result: KeyResult, actor, step: int, source: str = "form"
) -> None:
    validate_source(source)
    with data_write():
        session = locked_session(session)
        session_ensure_draft(session)
        _ensure_presented(session, key_result.objective_id)
        rows = list(KeyResult.objects.filter(objective_id=key_result.objective_id))
        rows.sort(key=lambda kr: (kr.order, kr.pk))
        rows_move(rows, key_result, step, actor=actor, source=source)
