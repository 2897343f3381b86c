"""Reads of the quarterly cycle: what opening the next session carries over (the preview), a
session's authoring page, and how far the departments' check-in has got. Bounded queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from metrics import models
from metrics.selectors.errors import NotFoundError
from metrics.selectors.session_rules import (
    SessionAlreadyOpenError,
    default_status_deadline,
    next_session_of,
    next_title,
    session_objectives_presented,
    session_open_next_validate,
)


@dataclass(frozen=True)
class CarryOver:
    source_id: int
    source_label: str
    quarter_label: str  # "" when the next session cannot be opened
    title: str
    status_deadline: date | None
    refused: str  # the reason, when opening is refused
    existing_id: int | None  # the next quarter's session, when it is open already
    metric_rows: tuple[str, ...]
    objectives: tuple[str, ...]
    key_result_count: int
    deliverables: tuple[str, ...]
    footnotes: tuple[str, ...]
    acronyms: tuple[str, ...]
    # Unmarked for carrying (docs/okrs.md): objectives, and key results of carried objectives.
    objectives_left: tuple[str, ...] = ()
    key_results_left: int = 0


def open_next_preview(source: models.TuningSession) -> CarryOver:
    """What `session_open_next(source=...)` would create (about eight queries)."""
    refused, existing_id, target = "", None, None
    try:
        target = session_open_next_validate(source=source)
    except SessionAlreadyOpenError as already:
        refused, existing_id = already.messages[0], already.session.pk
    except ValidationError as error:
        refused = " ".join(error.messages)
    presented = session_objectives_presented(source)
    objectives = [row for row in presented if row.carry_over]
    objective_ids = [row.objective_id for row in objectives]
    key_results = models.KeyResult.objects.filter(objective_id__in=objective_ids, is_retired=False)
    return CarryOver(
        source_id=source.pk,
        source_label=source.quarter.label,
        quarter_label=target.label if target else "",
        title=next_title(source, target) if target else "",
        status_deadline=default_status_deadline(target) if target else None,
        refused=refused,
        existing_id=existing_id,
        metric_rows=tuple(
            models.MetricDefinition.objects.filter(session=source, is_retired=False)
            .order_by("order", "id")
            .values_list("name", flat=True)
        ),
        objectives=tuple(row.objective.short_name for row in objectives),
        key_result_count=key_results.filter(carry_over=True).count(),
        objectives_left=tuple(row.objective.short_name for row in presented if not row.carry_over),
        key_results_left=key_results.filter(carry_over=False).count(),
        deliverables=tuple(
            models.KeyDeliverable.objects.filter(session=source)
            .order_by("order", "id")
            .values_list("title", flat=True)
        ),
        footnotes=tuple(
            models.Footnote.objects.filter(session=source).values_list("marker", flat=True)
        ),
        acronyms=tuple(
            models.Acronym.objects.filter(session=source).values_list("term", flat=True)
        ),
    )


@dataclass(frozen=True)
class SessionAuthoring:
    session: models.TuningSession
    deliverables: list
    definitions: list  # every metric row, retired ones too (they can come back)
    metrics_to_add: list
    objectives: list  # SessionObjective rows, retired ones too
    objective_choices: list  # objectives a deliverable can link to
    key_results: dict  # objective id -> its key results (retired ones too)
    departments: list
    # The next quarter's session when open (then it, not this one, takes duplicates and the
    # carry marks are spent), and whether this one is the latest (it can open the next).
    next_session: models.TuningSession | None = None
    is_latest: bool = False


def session_authoring(session_id: int) -> SessionAuthoring:
    """Everything the session's authoring page lists (eight queries)."""
    session = (
        models.TuningSession.objects.select_related("quarter", "priority", "held_by")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise NotFoundError(_("No such tuning session."))
    definitions = list(
        models.MetricDefinition.objects.filter(session=session)
        .select_related("metric", "outcome")
        .order_by("outcome__order", "order", "id")
    )
    used = {d.metric_id for d in definitions}
    objectives = list(
        models.SessionObjective.objects.filter(session=session)
        .select_related("objective__department")
        .order_by("order", "id")
    )
    key_results: dict[int, list] = {}
    for kr in models.KeyResult.objects.filter(
        objective_id__in=[row.objective_id for row in objectives]
    ).order_by("order", "id"):
        key_results.setdefault(kr.objective_id, []).append(kr)
    return SessionAuthoring(
        session=session,
        deliverables=list(
            models.KeyDeliverable.objects.filter(session=session)
            .select_related("objective")
            .order_by("order", "id")
        ),
        definitions=definitions,
        metrics_to_add=[
            m
            for m in models.Metric.objects.exclude(state=models.MetricState.RETIRED).order_by(
                "name"
            )
            if m.pk not in used
        ],
        objectives=objectives,
        objective_choices=[row.objective for row in objectives],
        key_results=key_results,
        departments=session_authoring_departments(),
        next_session=next_session_of(session),
        is_latest=latest_session_id_of(session) == session.pk,
    )


def session_authoring_departments() -> list:
    """The departments an objective can belong to, by name."""
    return list(models.Department.objects.order_by("name"))


def latest_session_id_of(session: models.TuningSession) -> int | None:
    """The latest session of the session's priority (the one the next is opened from)."""
    return (
        models.TuningSession.objects.filter(priority_id=session.priority_id)
        .order_by("-quarter__fiscal_year", "-quarter__number")
        .values_list("pk", flat=True)
        .first()
    )


# --- the rows an authoring action names by id (from a posted form); None when unknown ------


def session_for_action(session_id: int) -> models.TuningSession | None:
    return (
        models.TuningSession.objects.select_related("quarter", "priority")
        .filter(pk=session_id)
        .first()
    )


def session_row(model, *, session: models.TuningSession, pk: int):
    """A row of the session itself: a key deliverable, a metric row, a session objective."""
    return model.objects.filter(pk=pk, session=session).first()


def catalog_row(model, pk: int):
    """An objective, a metric or a department of the catalog, by id."""
    return model.objects.filter(pk=pk).first()


def session_objective(*, session: models.TuningSession, pk: int) -> models.Objective | None:
    """An objective the session shows."""
    return models.Objective.objects.filter(pk=pk, session_objectives__session=session).first()


def session_key_result(*, session: models.TuningSession, pk: int) -> models.KeyResult | None:
    """A key result of an objective the session shows."""
    return models.KeyResult.objects.filter(
        pk=pk, objective__session_objectives__session=session
    ).first()
