"""The admin's writes of the deck's authored rows (objectives, key results, drill-downs, a
session's metric rows, key deliverables, footnotes, acronyms, content blocks), each through the
public service that owns the row's rules where there is one:

- key results: `key_result_add` / `key_result_update` of the session presenting the objective
  (its cleaning, the draft-session and presented-objective checks);
- objectives' and drill-downs' texts: `objective_update` / `drilldown_update`;
- a session's metric rows: `definition_add` / `definition_update`;
- key deliverables: `deliverable_add` / `deliverable_update` / `deliverable_remove`;

and the fields no such service covers (an order, a linked metric, a footnote's marker) by one
plain save here, with the same held-session rule and history. Every write carries its source
("admin"), deletions included."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from metrics.caching.versions import data_write
from metrics.models import (
    Drilldown,
    KeyDeliverable,
    KeyResult,
    MetricDefinition,
    Objective,
    SessionObjective,
    TuningSession,
)
from metrics.services import narratives, sessions
from metrics.services.history import changes_between, history_record, history_record_created
from metrics.services.validation import validate_source
from metrics.services.versioned import versioned_instance_update

# The fields each model's own service writes; the rest of the row goes through _plain_update.
_KEY_RESULT_SERVICE_FIELDS = frozenset({*sessions.KEY_RESULT_FIELDS, "is_retired", "objective"})
_DEFINITION_SERVICE_FIELDS = frozenset({*sessions.DEFINITION_FIELDS, "is_retired"})
_DELIVERABLE_SERVICE_FIELDS = frozenset({"title", "objective"})


def session_row_save(
    *, model: type[models.Model], row: models.Model | None = None, actor, source: str, **fields
) -> models.Model:
    """Create a `model` row from `fields` (row None), or write `fields` over `row`."""
    validate_source(source)
    save = _SAVES.get(model, _plain_save)
    with data_write():
        return save(model=model, row=row, actor=actor, source=source, fields=dict(fields))


def session_row_delete(*, row: models.Model, actor, source: str) -> None:
    """Delete one row (refused while its session is held), its history saying what it was."""
    validate_source(source)
    with data_write():
        if isinstance(row, KeyDeliverable):
            sessions.deliverable_remove(deliverable=row, actor=actor, source=source)
            return
        _ensure_draft(_session_of(row))
        history_record(
            instance=row, changes={"deleted": (str(row), None)}, actor=actor, source=source
        )
        try:
            row.delete()
        except models.ProtectedError as error:
            kept = sorted({str(other) for other in error.protected_objects})[:5]
            raise ValidationError(
                _("%(row)s is still used by %(others)s; delete or move those first.")
                % {"row": row, "others": ", ".join(kept)}
            ) from error


# --- per model ---------------------------------------------------------------------------------


def _key_result_save(*, model, row, actor, source, fields):
    own = {name: fields.pop(name) for name in list(fields) if name in _KEY_RESULT_SERVICE_FIELDS}
    objective = own.get("objective") or (row.objective if row is not None else None)
    session = _presenting_session(objective)
    if row is None:
        own.pop("objective", None)
        row = sessions.key_result_add(
            session=session, objective=objective, actor=actor, source=source, **own
        )
    elif own:
        row = sessions.key_result_update(
            session=session, key_result=row, actor=actor, source=source, **own
        )
    return _plain_update(row, fields, actor=actor, source=source, session=session)


def _definition_save(*, model, row, actor, source, fields):
    own = {name: fields.pop(name) for name in list(fields) if name in _DEFINITION_SERVICE_FIELDS}
    if row is None:
        row = sessions.definition_add(
            session=fields.pop("session"), metric=fields.pop("metric"), actor=actor, source=source
        )
    if own:
        row = sessions.definition_update(definition=row, actor=actor, source=source, **own)
    return _plain_update(row, fields, actor=actor, source=source, session=row.session)


def _deliverable_save(*, model, row, actor, source, fields):
    own = {name: fields.pop(name) for name in list(fields) if name in _DELIVERABLE_SERVICE_FIELDS}
    if row is None:
        row = sessions.deliverable_add(
            session=fields.pop("session"),
            title=own.pop("title", ""),
            objective=own.pop("objective", None),
            actor=actor,
            source=source,
        )
    if own:
        row = sessions.deliverable_update(deliverable=row, actor=actor, source=source, **own)
    return _plain_update(row, fields, actor=actor, source=source, session=row.session)


def _texts_then_rest(update, key: str, text_fields):
    """Saves through `update` (objective_update, drilldown_update) the text fields it owns."""

    def save(*, model, row, actor, source, fields):
        if row is None:
            return _plain_save(model=model, row=None, actor=actor, source=source, fields=fields)
        texts = {name: fields.pop(name) for name in list(fields) if name in text_fields}
        if texts:
            row = update(**{key: row}, actor=actor, source=source, **texts)
        return _plain_update(row, fields, actor=actor, source=source, session=_session_of(row))

    return save


def _plain_save(*, model, row, actor, source, fields):
    if row is not None:
        return _plain_update(row, fields, actor=actor, source=source, session=_session_of(row))
    created = model(**fields)
    _ensure_draft(_session_of(created))
    created.full_clean()
    created.save()
    history_record_created(instance=created, fields=list(fields), actor=actor, source=source)
    return created


def _plain_update(row, fields: dict, *, actor, source, session) -> models.Model:
    """`fields` over `row`, refused while `session` is held: the version-checked update for
    a versioned row, else a save of what changed; both kept in the history."""
    if not fields:
        return row
    _ensure_draft(session)
    if hasattr(row, "version"):
        updated, _changed = versioned_instance_update(
            instance=row, values=fields, expected_version=None, actor=actor, source=source
        )
        return updated
    current = type(row).objects.select_for_update().get(pk=row.pk)
    changes = changes_between(current, fields)
    if changes:
        for name, (_old, new) in changes.items():
            setattr(current, name, new)
        current.full_clean()
        current.save(update_fields=list(changes))
        history_record(instance=current, changes=changes, actor=actor, source=source)
    return current


_SAVES = {
    KeyResult: _key_result_save,
    MetricDefinition: _definition_save,
    KeyDeliverable: _deliverable_save,
    Objective: _texts_then_rest(
        narratives.objective_update, "objective", narratives.OBJECTIVE_EDITABLE_FIELDS
    ),
    Drilldown: _texts_then_rest(
        narratives.drilldown_update, "drilldown", narratives.DRILLDOWN_EDITABLE_FIELDS
    ),
}


# --- which session a row belongs to ------------------------------------------------------------


def _presenting_session(objective: Objective | None) -> TuningSession:
    """The latest session presenting the objective: key results are edited in it."""
    row = (
        SessionObjective.objects.filter(objective=objective)
        .select_related("session__quarter")
        .order_by("-session__quarter__fiscal_year", "-session__quarter__number")
        .first()
        if objective is not None
        else None
    )
    if row is None:
        raise ValidationError(
            {"objective": _("No session presents this objective: add it to a session first.")}
        )
    return row.session


def _session_of(row) -> TuningSession | None:
    if isinstance(row, KeyResult):
        try:
            return _presenting_session(row.objective) if row.objective_id else None
        except ValidationError:
            return None  # presented by no session: nothing held to protect
    session_id = getattr(row, "session_id", None)
    return TuningSession.objects.get(pk=session_id) if session_id else None


def _ensure_draft(session: TuningSession | None) -> None:
    if session is not None:
        sessions.session_ensure_draft(session)
