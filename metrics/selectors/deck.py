"""One tuning session's deck: the single place the deck's structure is built.

    session_deck(session_id) -> Deck   (the dataclasses: metrics.selectors.deck_types)

A deck is built in two steps: the loader here reads the session's rows (a fixed number of
queries whatever the amount of data, see DECK_QUERIES), and the pure builders of
metrics.selectors.deck_build turn them into the deck's frozen dataclasses, which the HTML
pages and the API's deck endpoint (dataclasses.asdict) read alike. The deck's classes are
named here too (`from metrics.selectors.deck import Deck, MetricRow`).

A held session's deck is not built: it is the snapshot stored when it was held
(metrics.selectors.snapshots, read back by metrics.selectors.held_decks), so its pages stay
as presented whatever is edited later.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q

from metrics import models
from metrics.selectors.deck_build import (
    ATTAINMENT_SEVERITY,
    _key_result_cell,
    _metric_row,
    _with_segment_markers,
    metric_attainment,
)
from metrics.selectors.deck_types import (
    QUARTERS,
    WHOLE_DECK,
    AcronymItem,
    Cell,
    ContentBlockItem,
    Deck,
    DeckWindow,
    DeliverableItem,
    DrilldownBlock,
    DrilldownTableBlock,
    DrilldownTableRow,
    FootnoteItem,
    InlineCell,
    KeyResultCell,
    KeyResultRow,
    MetricRow,
    ObjectiveBlock,
    OutcomeGroup,
    SegmentRow,
    used_markers,
)
from metrics.selectors.errors import NotFoundError
from metrics.selectors.held_decks import held_deck

__all__ = [
    "ATTAINMENT_SEVERITY",
    "DECK_QUERIES",
    "QUARTERS",
    "WHOLE_DECK",
    "AcronymItem",
    "Cell",
    "ContentBlockItem",
    "Deck",
    "DeckWindow",
    "DeliverableItem",
    "DrilldownBlock",
    "DrilldownTableBlock",
    "DrilldownTableRow",
    "FootnoteItem",
    "InlineCell",
    "KeyResultCell",
    "KeyResultRow",
    "MetricRow",
    "ObjectiveBlock",
    "OutcomeGroup",
    "SegmentRow",
    "build_live_deck",
    "metric_attainment",
    "session_deck",
]

# Queries session_deck runs, whatever the size of the data; tests hold it to this.
DECK_QUERIES = 15


def session_deck(session_id: int, window: DeckWindow = WHOLE_DECK) -> Deck:
    """The deck of one tuning session (as presented, for a held session), whole or the part
    `window` names. Raises NotFoundError for an unknown session."""
    return _session_deck(session_id, presented=True, window=window)


def build_live_deck(session_id: int) -> Deck:
    """The deck from the current figures, even for a held session (what holding stores)."""
    return _session_deck(session_id, presented=False)


def _session_deck(session_id: int, *, presented: bool, window: DeckWindow = WHOLE_DECK) -> Deck:
    # The stored snapshot stays in the database (it runs to megabytes): a held session's deck
    # is read out of it alone, and only the window's part of it turned into objects.
    session = (
        models.TuningSession.objects.select_related("priority", "quarter")
        .annotate(is_presented=ExpressionWrapper(Q(snapshot__isnull=False), BooleanField()))
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise NotFoundError("No such tuning session.")
    if presented and session.is_presented:
        deck = held_deck(session.id, window)
        if deck is not None:
            return deck
    quarter = session.quarter
    fiscal_year = quarter.fiscal_year

    # Read into dicts by quarter: no order needed (the models' default one joins and sorts).
    kr_statuses = (
        models.KeyResultStatus.objects.filter(
            quarter__fiscal_year=fiscal_year, quarter__number__lte=quarter.number
        )
        .select_related("quarter")
        .order_by()
    )
    objectives = models.Objective.objects.filter(priority=session.priority, fiscal_year=fiscal_year)
    if window.objective_ids is not None:
        objectives = objectives.filter(pk__in=window.objective_ids)
    objectives = list(
        objectives.select_related("department")
        .prefetch_related(
            Prefetch(
                "key_results",
                queryset=models.KeyResult.objects.filter(is_retired=False)
                .select_related("metric__department")
                .order_by("order", "id"),
            ),
            Prefetch("key_results__statuses", queryset=kr_statuses),
            Prefetch(
                "content_blocks", queryset=models.ContentBlock.objects.order_by("order", "id")
            ),
            Prefetch(
                "session_objectives",
                queryset=models.SessionObjective.objects.filter(session=session),
                to_attr="presented",
            ),
        )
        .order_by("order", "id")
    )
    objectives, narratives = _presented_objectives(objectives)
    definitions = models.MetricDefinition.objects.filter(session=session, is_retired=False)
    if window.metric_ids is not None:
        # The part's rows, and the definitions of its key results' metrics (which name them).
        key_result_metrics = {
            kr.metric_id for o in objectives for kr in o.key_results.all() if kr.metric_id
        }
        definitions = definitions.filter(metric_id__in=window.metric_ids | key_result_metrics)
    definitions = list(
        definitions.select_related("metric__department", "outcome").order_by("order", "id")
    )
    metrics_by_id = {d.metric_id: d.metric for d in definitions}
    for objective in objectives:
        for kr in objective.key_results.all():
            if kr.metric_id and kr.metric_id not in metrics_by_id:
                metrics_by_id[kr.metric_id] = kr.metric

    segments_by_metric = defaultdict(list)
    for segment in models.Segment.objects.filter(metric_id__in=metrics_by_id).order_by(
        "metric_id", "order", "id"
    ):
        segments_by_metric[segment.metric_id].append(segment)

    statuses_by_metric = defaultdict(dict)
    for status in (
        models.QuarterlyStatus.objects.filter(
            metric_id__in=metrics_by_id,
            quarter__fiscal_year=fiscal_year,
            quarter__number__lte=quarter.number,
        )
        .select_related("quarter")
        .order_by()
    ):
        statuses_by_metric[status.metric_id][(status.segment_id, status.quarter.number)] = status

    def row_for(metric, definition=None) -> MetricRow:
        return _metric_row(
            metric,
            definition,
            segments_by_metric[metric.id],
            statuses_by_metric[metric.id],
            quarter.number,
        )

    groups: dict[int, list[MetricRow]] = {}
    outcome_of: dict[int, models.Outcome] = {}
    rows_by_metric: dict[int, MetricRow] = {}
    for definition in definitions:
        row = row_for(definition.metric, definition)
        rows_by_metric[definition.metric_id] = row
        if not window.shows_metric(definition.metric_id):
            continue  # only named by a key result of the part
        groups.setdefault(definition.outcome_id, []).append(row)
        outcome_of[definition.outcome_id] = definition.outcome

    drilldowns_by_objective = defaultdict(list)
    drilldowns = models.Drilldown.objects.filter(session=session)
    if window.objective_ids is not None:
        drilldowns = drilldowns.filter(objective_id__in=window.objective_ids)
    for drilldown in drilldowns.prefetch_related(
        Prefetch("tables", queryset=models.DrilldownTable.objects.order_by("order", "id")),
        Prefetch("tables__rows", queryset=models.DrilldownRow.objects.order_by("order", "id")),
    ).order_by("order", "id"):
        drilldowns_by_objective[drilldown.objective_id].append(
            DrilldownBlock(
                drilldown_id=drilldown.id,
                title=drilldown.title,
                situation=drilldown.situation,
                impact=drilldown.impact,
                recommendation=drilldown.recommendation,
                next_steps=drilldown.next_steps,
                tables=tuple(
                    DrilldownTableBlock(
                        title=table.title,
                        columns=tuple(str(c) for c in table.columns),
                        rows=tuple(
                            DrilldownTableRow(
                                label=r.label,
                                is_group_heading=r.is_group_heading,
                                cells=tuple(str(c) for c in r.cells),
                            )
                            for r in table.rows.all()
                        ),
                    )
                    for table in drilldown.tables.all()
                ),
            )
        )

    footnote_rows = list(models.Footnote.objects.filter(session=session).order_by("id"))

    def footnotes_for(metric_rows, kr_rows=()) -> tuple[FootnoteItem, ...]:
        used = used_markers(metric_rows, kr_rows)
        return tuple(
            FootnoteItem(marker=f.marker, meaning=f.meaning)
            for f in footnote_rows
            if f.marker in used
        )

    if window.metric_ids is not None:
        # The deck's order of outcomes is that of their first rows among all the session's.
        order = {}
        for outcome_id in (
            models.MetricDefinition.objects.filter(session=session, is_retired=False)
            .order_by("order", "id")
            .values_list("outcome_id", flat=True)
        ):
            order.setdefault(outcome_id, len(order))
        groups = dict(sorted(groups.items(), key=lambda item: order[item[0]]))
    outcomes = tuple(
        OutcomeGroup(
            outcome_id=oid,
            statement=outcome_of[oid].statement,
            metrics=tuple(rows),
            footnotes=footnotes_for(rows),
        )
        for oid, rows in groups.items()
    )

    objective_blocks = []
    all_kr_rows = []
    for objective in objectives:
        kr_rows = []
        for kr in objective.key_results.all():
            by_quarter = {s.quarter.number: s for s in kr.statuses.all()}
            cells = tuple(
                _key_result_cell(q, by_quarter.get(q), kr.milestone_total) for q in QUARTERS
            )
            reported = [c for c in cells if c.state]
            latest = reported[-1] if reported else None
            milestones = [c.milestones_done for c in reported if c.milestones_done is not None]
            metric_row = None
            if kr.metric_id:
                metric_row = _with_segment_markers(
                    rows_by_metric.get(kr.metric_id) or row_for(kr.metric),
                    kr.segment_markers or {},
                )
            kr_row = KeyResultRow(
                key_result_id=kr.id,
                code=kr.code,
                description=kr.description,
                baseline_text=kr.baseline_text,
                goal_text=kr.goal_text,
                milestone_total=kr.milestone_total,
                milestones_done=milestones[-1] if milestones else None,
                latest_status=latest.display if latest else "",
                cells=cells,
                metric_row=metric_row,
                attainment=metric_row.attainment if metric_row else "",
                segment_markers=dict(kr.segment_markers or {}),
            )
            kr_rows.append(kr_row)
            all_kr_rows.append(kr_row)
        department = objective.department
        objective_blocks.append(
            ObjectiveBlock(
                objective_id=objective.id,
                slug=objective.slug,
                short_name=objective.short_name,
                title=objective.title,
                statement=objective.statement,
                narrative=narratives[objective.id],
                target_quarter_text=objective.target_quarter_text,
                department=department.name if department else "",
                department_slug=department.slug if department else "",
                key_results=tuple(kr_rows),
                drilldowns=tuple(drilldowns_by_objective[objective.id]),
                footnotes=footnotes_for((), kr_rows),
                content_blocks=tuple(
                    ContentBlockItem(
                        kind=block.kind,
                        title=block.title,
                        body=block.body,
                        attribution=tuple(
                            line.strip() for line in block.attribution.splitlines() if line.strip()
                        ),
                    )
                    for block in objective.content_blocks.all()
                ),
            )
        )

    footnotes = footnotes_for([row for group in outcomes for row in group.metrics], all_kr_rows)
    acronyms = deliverables = ()
    if window.extras:
        acronyms = tuple(
            AcronymItem(term=term, meaning=meaning)
            for term, meaning in models.Acronym.objects.filter(session=session)
            .order_by("term")
            .values_list("term", "meaning")
        )
        deliverables = tuple(
            DeliverableItem(title=title, objective_slug=slug or "")
            for title, slug in models.KeyDeliverable.objects.filter(session=session)
            .order_by("order", "id")
            .values_list("title", "objective__slug")
        )

    return Deck(
        session_id=session.id,
        title=session.title,
        priority=session.priority.name,
        quarter_id=quarter.id,
        quarter_number=quarter.number,
        quarter_label=quarter.label,
        quarter_end_date=quarter.end_date,
        fiscal_year=fiscal_year,
        overview=session.overview,
        progress_challenges=session.progress_challenges,
        actions=session.actions,
        key_deliverables=deliverables,
        outcomes=outcomes,
        objectives=tuple(objective_blocks),
        footnotes=footnotes,
        acronyms=acronyms,
        session_state=session.state,
    )


def _presented_objectives(objectives):
    """The objectives a session presents, in its order, with its narratives (SessionObjective);
    a session without such rows presents its fiscal year's objectives as they are now."""
    rows = {o.id: o.presented[0] for o in objectives if o.presented}
    if not rows:
        return objectives, {o.id: o.narrative for o in objectives}
    shown = sorted(
        (o for o in objectives if o.id in rows and not rows[o.id].is_retired),
        key=lambda o: (rows[o.id].order, o.id),
    )
    return shown, {o.id: rows[o.id].narrative for o in shown}
