"""The pure builders of a session's deck: rows read by metrics.selectors.deck (model rows,
their relations prefetched) turned into the deck's dataclasses (metrics.selectors.deck_types).
Nothing here runs a query. The session's pages (metrics.selectors.session_pages) build their
rows with the same functions, so a page shows exactly what the whole deck shows for it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from metrics import models
from metrics.formatting import (
    NO_STATUS,
    CellParts,
    arrow_tone,
    cell_parts,
    key_result_display,
    parts_with_markers,
)
from metrics.selectors.deck_types import (
    QUARTERS,
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

ATTAINMENT_SEVERITY = {"off_track": 4, "at_risk": 3, "on_track": 2, "no_data": 1, "paused": 0}


# --- cells and metric rows ----------------------------------------------------------------


def _empty_cell(quarter: int) -> Cell:
    return Cell(
        quarter=quarter,
        state="",
        value=None,
        yoy_delta=None,
        arrow="",
        arrow_symbol="",
        arrow_tone="",
        footnote_markers="",
        state_markers="",
        attainment="",
        comment="",
        parts=CellParts(),
        inline=(),
        display=NO_STATUS,
    )


def _status_cell(quarter: int, status, metric, segment=None) -> Cell:
    if status is None:
        return _empty_cell(quarter)
    parts = cell_parts(status, metric=metric, segment=segment)
    return Cell(
        quarter=quarter,
        state=status.state,
        value=status.value,
        yoy_delta=status.yoy_delta,
        arrow=status.arrow,
        arrow_symbol=parts.arrow_symbol,
        arrow_tone=arrow_tone(status.arrow, metric.direction) if parts.arrow else "",
        footnote_markers=status.footnote_markers,
        state_markers=status.state_markers,
        attainment=status.attainment,
        comment=status.comment,
        parts=parts,
        inline=(),
        display=parts.text,
        basis_label=status.basis_label,
        basis_note=status.basis_note,
        status_id=status.pk,
    )


def _inline_cell(quarter: int, own_status, segment_statuses, metric, segments) -> Cell:
    """A survey metric's cell: its own figure (if any) then each segment's, grouped
    ("Organizers 29% Women (↑) 5.4% GM (↑) ... Admins 12% Women (↑) ...")."""
    own = _status_cell(quarter, own_status, metric)
    present = [(s, segment_statuses.get(s.id)) for s in segments]
    present = [(s, st) for s, st in present if st is not None]
    form = _inline_collapses(own_status, [st for _, st in present])
    if form == "one":
        # Every segment says the same thing ("Measured annually Q2"): the deck prints it once.
        return _status_cell(quarter, present[0][1], metric, present[0][0])
    if form == "own":
        return own
    inline = []
    pieces = [own.display] if own_status is not None else []
    current_group = None
    for segment, status in present:
        parts = cell_parts(status, metric=metric, segment=segment)
        prefix = "" if segment.short_label else segment.name
        text = " ".join(p for p in (prefix, parts.text) if p)
        if segment.group and segment.group != current_group:
            pieces.append(segment.group)
            current_group = segment.group
        pieces.append(text)
        inline.append(
            InlineCell(
                segment_slug=segment.slug,
                group=segment.group,
                prefix=prefix,
                parts=parts,
                arrow_tone=arrow_tone(status.arrow, metric.direction) if parts.arrow else "",
                display=text,
            )
        )
    return Cell(
        quarter=quarter,
        state="reported",
        value=own.value,
        yoy_delta=own.yoy_delta,
        arrow=own.arrow,
        arrow_symbol=own.arrow_symbol,
        arrow_tone=own.arrow_tone,
        footnote_markers=own.footnote_markers,
        state_markers=own.state_markers,
        attainment=_inline_attainment(own_status, [st for _, st in present]),
        comment=own.comment,
        parts=own.parts,
        inline=tuple(inline),
        display=" ".join(pieces),
        status_id=own.status_id,
    )


def _inline_attainment(own_status, segment_statuses) -> str:
    """A survey metric's cell attainment when it prints its segments: the worst of them."""
    attainments = [st.attainment for st in segment_statuses]
    if own_status is not None:
        attainments.append(own_status.attainment)
    return max(attainments, key=lambda a: ATTAINMENT_SEVERITY.get(a, 0))


def _inline_collapses(own_status, present_statuses) -> str:
    """How a survey metric's cell prints: "one" when every segment says the same non-reported
    thing (the deck prints it once, from the first), "own" when the metric's own status
    stands alone (it is not "reported", or no segment has a status), else "inline"."""
    states = {st.state for st in present_statuses}
    collapsed = own_status is not None and own_status.state != "reported"
    if present_statuses and not collapsed and len(states) == 1 and states != {"reported"}:
        return "one"
    if collapsed or not present_statuses:
        return "own"
    return "inline"


def metric_attainment(*, paused: bool, segments_inline: bool, own_status, segment_statuses):
    """A metric row's goal attainment in the session's quarter, from that quarter's statuses
    (anything with .state and .attainment: model rows or plain rows), the same rule
    _metric_row applies: the overview's tally reads it without building rows."""
    if paused:
        return "paused"
    if segments_inline:
        form = _inline_collapses(own_status, segment_statuses)
        if form == "one":
            current = segment_statuses[0].attainment
        elif form == "own":
            current = own_status.attainment if own_status is not None else ""
        else:
            current = _inline_attainment(own_status, segment_statuses)
        return current or "no_data"
    if own_status is not None and own_status.attainment:
        return own_status.attainment
    return _worst_attainment(st.attainment for st in segment_statuses)


def _worst_attainment(values) -> str:
    values = [v for v in values if v]
    return max(values, key=lambda a: ATTAINMENT_SEVERITY.get(a, 0)) if values else "no_data"


def _metric_row(metric, definition, segments, statuses, session_quarter: int) -> MetricRow:
    """`statuses` maps (segment_id or None, quarter number) to the QuarterlyStatus."""
    if metric.segments_inline:
        cells = _inline_cells(metric, segments, statuses, session_quarter)
        segment_rows = ()
    else:
        cells = _status_cells(metric, None, statuses, session_quarter)
        segment_rows = tuple(
            _segment_row(metric, segment, statuses, session_quarter) for segment in segments
        )
    named = definition or metric  # the session's definition names it, if it has one
    department = metric.department
    return MetricRow(
        metric_id=metric.id,
        slug=metric.slug,
        name=named.name,
        baseline_text=named.baseline_text,
        goal_text=named.goal_text,
        chart_title=metric.chart_title,
        unit=metric.unit,
        unit_suffix=metric.unit_suffix,
        direction=metric.direction,
        cadence=metric.cadence,
        state=metric.state,
        department=department.name if department else "",
        department_slug=department.slug if department else "",
        segments_inline=metric.segments_inline,
        cells=cells,
        segments=segment_rows,
        attainment=_row_attainment(metric, cells, segment_rows, session_quarter),
    )


def _status_cells(metric, segment, statuses, session_quarter: int) -> tuple[Cell, ...]:
    """The metric's (or the segment's) Q1..Q4 cells: "-" after the session's quarter."""
    segment_id = segment.id if segment is not None else None
    return tuple(
        _status_cell(q, statuses.get((segment_id, q)), metric, segment)
        if q <= session_quarter
        else _empty_cell(q)
        for q in QUARTERS
    )


def _inline_cells(metric, segments, statuses, session_quarter: int) -> tuple[Cell, ...]:
    """A survey metric's Q1..Q4 cells, its segments' figures inside them."""
    return tuple(
        _inline_cell(
            q,
            statuses.get((None, q)),
            {s.id: statuses.get((s.id, q)) for s in segments},
            metric,
            segments,
        )
        if q <= session_quarter
        else _empty_cell(q)
        for q in QUARTERS
    )


def _segment_row(metric, segment, statuses, session_quarter: int) -> SegmentRow:
    return SegmentRow(
        segment_id=segment.id,
        slug=segment.slug,
        name=segment.name,
        group=segment.group,
        footnote_markers=segment.footnote_markers,
        baseline_text=segment.baseline_text,
        goal_text=segment.goal_text or metric.goal_text,
        cells=_status_cells(metric, segment, statuses, session_quarter),
    )


def _row_attainment(metric, cells, segment_rows, session_quarter: int) -> str:
    """The row's attainment in the session's quarter: paused, its own cell's, else the worst
    of its segments' (see metric_attainment, the same rule on statuses)."""
    if metric.state == models.MetricState.PAUSED:
        return "paused"
    current = cells[session_quarter - 1]
    if current.attainment:
        return current.attainment
    return _worst_attainment(row.cells[session_quarter - 1].attainment for row in segment_rows)


def _key_result_cell(quarter: int, status, milestone_total) -> KeyResultCell:
    if status is None:
        return KeyResultCell(quarter, "", "", None, None, False, NO_STATUS)
    return KeyResultCell(
        quarter=quarter,
        state=status.state,
        text=status.text,
        number=status.number,
        milestones_done=status.milestones_done,
        # A tick means done only where the cell reports; a state ("not available") wins.
        is_done=status.is_done and status.state == models.StatusState.REPORTED,
        display=key_result_display(status, milestone_total),
        status_id=status.pk,
        confidence=status.confidence,
        confidence_score=status.confidence_score,
    )


def _with_segment_markers(row: MetricRow, segment_markers: dict) -> MetricRow:
    """A metric row as one key-result table prints it: its segments' cells with the markers
    the deck prints there (KeyResult.segment_markers). The metrics table's row is unchanged."""
    if not segment_markers:
        return row

    def marked(cell: Cell, markers: str) -> Cell:
        if cell.is_empty:
            return cell
        parts = parts_with_markers(cell.parts, markers)
        return replace(
            cell, parts=parts, display=parts.text, footnote_markers=markers, state_markers=""
        )

    segments = tuple(
        replace(
            segment, cells=tuple(marked(c, segment_markers[segment.slug]) for c in segment.cells)
        )
        if segment.slug in segment_markers
        else segment
        for segment in row.segments
    )
    return replace(row, segments=segments)


# --- the deck from its rows -----------------------------------------------------------------


@dataclass(frozen=True)
class DeckRows:
    """What a deck is built from, as metrics.selectors.deck.deck_rows reads it: model rows
    with every relation the builders follow already read (select_related, prefetched), so
    building from them runs no query."""

    session: models.TuningSession  # with .priority and .quarter
    # The objectives the session presents, in its order: .department, .key_results (each
    # with .metric and its department, .statuses up to the session's quarter), .content_blocks
    objectives: list
    narratives: dict[int, str]  # {objective id: the narrative the session presents}
    definitions: list  # MetricDefinition rows in deck order, with .metric.department, .outcome
    segments: dict[int, list]  # {metric id: Segment rows in order}
    statuses: dict[int, dict]  # {metric id: {(segment id or None, quarter): QuarterlyStatus}}
    drilldowns: dict[int, list]  # {objective id: Drilldown rows, .tables and their .rows}
    footnotes: list  # the session's Footnote rows, in order
    # {outcome id: its place among the whole deck's}, for a part of the metrics tables (its
    # outcomes print in the deck's order); None for all of them (already in that order).
    outcome_order: dict[int, int] | None
    acronyms: list  # (term, meaning)
    deliverables: list  # (title, objective slug or None)


def deck_from_rows(rows: DeckRows, window: DeckWindow) -> Deck:
    """The deck (the part `window` names) of the rows deck_rows read for that window."""
    session, quarter = rows.session, rows.session.quarter
    by_metric, outcomes = _outcome_groups(rows, window)
    objectives = tuple(
        _objective_block(rows, objective, by_metric) for objective in rows.objectives
    )
    return Deck(
        session_id=session.id,
        title=session.title,
        priority=session.priority.name,
        quarter_id=quarter.id,
        quarter_number=quarter.number,
        quarter_label=quarter.label,
        quarter_end_date=quarter.end_date,
        fiscal_year=quarter.fiscal_year,
        overview=session.overview,
        progress_challenges=session.progress_challenges,
        actions=session.actions,
        key_deliverables=tuple(
            DeliverableItem(title=title, objective_slug=slug or "")
            for title, slug in rows.deliverables
        ),
        outcomes=outcomes,
        objectives=objectives,
        footnotes=_footnotes(
            rows,
            [row for group in outcomes for row in group.metrics],
            [kr for block in objectives for kr in block.key_results],
        ),
        acronyms=tuple(AcronymItem(term=term, meaning=meaning) for term, meaning in rows.acronyms),
        session_state=session.state,
    )


def _row_of(rows: DeckRows, metric, definition=None) -> MetricRow:
    """The metric's row as the session shows it (named as `definition` names it)."""
    return _metric_row(
        metric,
        definition,
        rows.segments.get(metric.id, []),
        rows.statuses.get(metric.id, {}),
        rows.session.quarter.number,
    )


def _outcome_groups(
    rows: DeckRows, window: DeckWindow
) -> tuple[dict[int, MetricRow], tuple[OutcomeGroup, ...]]:
    """The row of every definition read, by metric id (a key result's metric row is its
    definition's), and the window's rows grouped by outcome in the deck's order."""
    by_metric: dict[int, MetricRow] = {}
    groups: dict[int, list[MetricRow]] = {}
    outcome_of: dict[int, models.Outcome] = {}
    for definition in rows.definitions:
        row = _row_of(rows, definition.metric, definition)
        by_metric[definition.metric_id] = row
        if not window.shows_metric(definition.metric_id):
            continue  # only named by a key result of the part
        groups.setdefault(definition.outcome_id, []).append(row)
        outcome_of[definition.outcome_id] = definition.outcome
    if rows.outcome_order is not None:
        groups = dict(sorted(groups.items(), key=lambda item: rows.outcome_order[item[0]]))
    outcomes = tuple(
        OutcomeGroup(
            outcome_id=outcome_id,
            statement=outcome_of[outcome_id].statement,
            metrics=tuple(metric_rows),
            footnotes=_footnotes(rows, metric_rows),
        )
        for outcome_id, metric_rows in groups.items()
    )
    return by_metric, outcomes


def _footnotes(rows: DeckRows, metric_rows, key_result_rows=()) -> tuple[FootnoteItem, ...]:
    """The session's footnotes these rows use, in the session's order."""
    used = used_markers(metric_rows, key_result_rows)
    return tuple(
        FootnoteItem(marker=f.marker, meaning=f.meaning) for f in rows.footnotes if f.marker in used
    )


def _objective_block(rows: DeckRows, objective, by_metric: dict[int, MetricRow]) -> ObjectiveBlock:
    key_results = tuple(_key_result_row(rows, kr, by_metric) for kr in objective.key_results.all())
    department = objective.department
    return ObjectiveBlock(
        objective_id=objective.id,
        slug=objective.slug,
        short_name=objective.short_name,
        title=objective.title,
        statement=objective.statement,
        narrative=rows.narratives[objective.id],
        target_quarter_text=objective.target_quarter_text,
        department=department.name if department else "",
        department_slug=department.slug if department else "",
        key_results=key_results,
        drilldowns=tuple(_drilldown_block(d) for d in rows.drilldowns.get(objective.id, ())),
        footnotes=_footnotes(rows, (), key_results),
        content_blocks=tuple(_content_block(block) for block in objective.content_blocks.all()),
    )


def _key_result_row(rows: DeckRows, kr, by_metric: dict[int, MetricRow]) -> KeyResultRow:
    by_quarter = {s.quarter.number: s for s in kr.statuses.all()}
    cells = tuple(_key_result_cell(q, by_quarter.get(q), kr.milestone_total) for q in QUARTERS)
    reported = [c for c in cells if c.state]
    latest = reported[-1] if reported else None
    milestones = [c.milestones_done for c in reported if c.milestones_done is not None]
    metric_row = None
    if kr.metric_id:
        metric_row = _with_segment_markers(
            by_metric.get(kr.metric_id) or _row_of(rows, kr.metric), kr.segment_markers or {}
        )
    return KeyResultRow(
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


def _drilldown_block(drilldown) -> DrilldownBlock:
    return DrilldownBlock(
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


def _content_block(block) -> ContentBlockItem:
    return ContentBlockItem(
        kind=block.kind,
        title=block.title,
        body=block.body,
        # A quote's speaker, one line each.
        attribution=tuple(line.strip() for line in block.attribution.splitlines() if line.strip()),
    )
