"""What a session hands on to the next quarter's: opening the next session copies the metric
rows, the objectives and key results marked for carrying (into a new fiscal year, as copies),
the deliverables, footnotes and acronyms (docs/okrs.md); and one objective duplicated into the
next quarter's session, which is open already."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.caching.versions import data_write
from metrics.models import (
    Acronym,
    Footnote,
    KeyDeliverable,
    KeyResult,
    MetricDefinition,
    Objective,
    SessionObjective,
    TuningSession,
)
from metrics.selectors.session_rules import (
    next_quarter_of,
    next_session_of,
    session_objectives_presented,
)
from metrics.services.history import history_record_created
from metrics.services.sessions.common import (
    locked_session,
    session_ensure_draft,
    unique_objective_slug,
)
from metrics.services.validation import validate_source
from metrics.services.versioned import actor_or_none, versioned_instance_update


def session_carry_over(
    *, source: TuningSession, session: TuningSession, new_year: int, actor, change_source: str
) -> None:
    # Copied in SQL, in the order the rows are read (no object per row: at scale 100 the
    # thousands of rows copied were half of opening the next session).
    _rows_copy(
        MetricDefinition,
        source=source,
        session=session,
        fields=("metric", "outcome", "name", "baseline_text", "goal_text", "order"),
        where="is_retired = %s",
        where_params=[False],
        order=("order", "id"),
    )
    objective_map, session_objectives, staying = {}, [], []
    for row in session_objectives_presented(source):
        objective = row.objective
        if not row.carry_over:
            # Left behind (docs/okrs.md): in the same fiscal year the new session lists it as
            # retired, so its editor can bring it back; a new fiscal year does not copy it.
            if objective.fiscal_year == new_year:
                SessionObjective.objects.create(
                    session=session,
                    objective=objective,
                    narrative=row.narrative,
                    order=row.order,
                    is_retired=True,
                )
            continue
        if objective.fiscal_year != new_year:
            objective = _objective_copy(objective=objective, fiscal_year=new_year)
        else:
            staying.append(objective.pk)
        objective_map[row.objective_id] = objective
        session_objectives.append(
            # By id: assigning the related objects costs more than building the rows.
            SessionObjective(
                session_id=session.pk,
                objective_id=objective.pk,
                narrative=row.narrative,
                order=row.order,
            )
        )
    _key_results_left_behind(objective_ids=staying, actor=actor, source=change_source)
    # In one statement: a create each (and its data version bump) was most of opening the next
    # session at scale 100 (800 objectives). The session's own creation bumped the version.
    SessionObjective.objects.bulk_create(session_objectives)
    KeyDeliverable.objects.bulk_create(
        [
            KeyDeliverable(
                session_id=session.pk,
                title=title,
                objective_id=getattr(objective_map.get(objective_id), "pk", None),
                order=order,
            )
            for title, objective_id, order in KeyDeliverable.objects.filter(
                session=source
            ).values_list("title", "objective_id", "order")
        ]
    )
    _rows_copy(
        Footnote,
        source=source,
        session=session,
        fields=("marker", "meaning"),
        order=("marker", "id"),
    )
    _rows_copy(
        Acronym, source=source, session=session, fields=("term", "meaning"), order=("term", "id")
    )


def _rows_copy(model, *, source, session, fields, order, where: str = "", where_params=()) -> None:
    """INSERT ... SELECT of the source session's rows of `model` (those `where` keeps) for
    `session`: `fields` copied, a new row's defaults set (a versioned row's version 1, its
    timestamps now), the new ids given in `order` (the order bulk_create gave them)."""
    meta, quote = model._meta, connection.ops.quote_name
    columns = [quote(meta.get_field(name).column) for name in fields]
    values, params = ["%s"], [session.pk]
    targets = [quote(meta.get_field("session").column)]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for name, value in (("version", 1), ("created_at", now), ("updated_at", now)):
        if any(field.name == name for field in meta.concrete_fields):
            targets.append(quote(meta.get_field(name).column))
            values.append("%s")
            params.append(value)
    if any(field.name == "is_retired" for field in meta.concrete_fields):
        targets.append(quote("is_retired"))
        values.append("%s")
        params.append(False)
    condition = f" AND {where}" if where else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(targets + columns)}) "  # noqa: S608
            f"SELECT {', '.join(values + columns)} FROM {quote(meta.db_table)} "
            f"WHERE {quote(meta.get_field('session').column)} = %s{condition} "
            f"ORDER BY {', '.join(quote(meta.get_field(name).column) for name in order)}",
            [*params, source.pk, *where_params],
        )


def _key_results_left_behind(*, objective_ids: list[int], actor, source: str) -> None:
    """The objectives' active key results unmarked for carrying retire as the next session of
    the same fiscal year opens (key results are shared by the year's sessions; a held session
    keeps what it presented). The mark is reset, so restoring one carries it again. One
    query finds them for every objective (one per objective was most of opening the next
    session at scale 100: 800 objectives, few such key results), in the objectives' order."""
    position = {objective_id: index for index, objective_id in enumerate(objective_ids)}
    found = KeyResult.objects.filter(
        objective_id__in=objective_ids, is_retired=False, carry_over=False
    )
    for key_result in sorted(found, key=lambda kr: position[kr.objective_id]):
        versioned_instance_update(
            instance=key_result,
            values={"is_retired": True, "carry_over": True},
            expected_version=None,
            actor=actor,
            source=source,
        )


def _objective_copy(*, objective: Objective, fiscal_year: int) -> Objective:
    """The objective (and its active key results, goals kept, no statuses) for another fiscal
    year; an existing copy is reused."""
    slug = f"{objective.slug}-fy{fiscal_year % 100:02d}"[:100]
    existing = Objective.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    copy = Objective.objects.create(
        priority_id=objective.priority_id,
        department_id=objective.department_id,
        fiscal_year=fiscal_year,
        short_name=objective.short_name,
        slug=slug,
        title=objective.title,
        statement=objective.statement,
        narrative=objective.narrative,
        target_quarter_text=objective.target_quarter_text,
        order=objective.order,
    )
    _key_results_copy(source=objective, to=copy)
    return copy


def _key_results_copy(*, source: Objective, to: Objective) -> None:
    """The source's active key results onto `to`: goals kept, no statuses."""
    KeyResult.objects.bulk_create(
        [
            KeyResult(
                objective=to,
                code=kr.code,
                description=kr.description,
                baseline_text=kr.baseline_text,
                goal_text=kr.goal_text,
                metric_id=kr.metric_id,
                milestone_total=kr.milestone_total,
                order=kr.order,
            )
            for kr in source.key_results.filter(is_retired=False, carry_over=True)
        ]
    )


def objective_duplicate_next_quarter(
    *, row: SessionObjective, actor, source: str = "form"
) -> SessionObjective:
    """A copy of the objective (its active key results, goals kept, no statuses) presented in
    the next quarter's session, which must be open and in preparation."""
    validate_source(source)
    current = row.session
    target_quarter = next_quarter_of(current.quarter)
    target = next_session_of(current)
    if target is None:
        raise ValidationError(
            _("Open the %(quarter)s session first.") % {"quarter": target_quarter.label}
        )
    with data_write():
        target = locked_session(target)
        session_ensure_draft(target)
        source_objective = row.objective
        copy = Objective.objects.create(
            priority_id=source_objective.priority_id,
            department_id=source_objective.department_id,
            fiscal_year=target_quarter.fiscal_year,
            short_name=source_objective.short_name,
            slug=unique_objective_slug(f"{source_objective.slug}-{target_quarter.label}"),
            title=source_objective.title,
            statement=source_objective.statement,
            narrative=row.narrative,
            target_quarter_text=source_objective.target_quarter_text,
            target_quarter_id=source_objective.target_quarter_id,
            order=source_objective.order,
            updated_by=actor_or_none(actor),
        )
        history_record_created(
            instance=copy,
            fields=("short_name", "title", "statement", "fiscal_year"),
            actor=actor,
            source=source,
        )
        _key_results_copy(source=source_objective, to=copy)
        order = (
            SessionObjective.objects.filter(session=target).aggregate(top=Max("order"))["top"] or 0
        )
        new_row = SessionObjective.objects.create(
            session=target, objective=copy, narrative=row.narrative, order=order + 1
        )
        history_record_created(
            instance=new_row, fields=("session", "objective"), actor=actor, source=source
        )
    return new_row
