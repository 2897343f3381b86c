"""One tuning session's deck as plain data: the single place the deck's structure is built.

    session_deck(session_id) -> Deck
      Deck
        .outcomes[]        OutcomeGroup: the metrics tables (S2-S6, S17)
          .metrics[]       MetricRow: the metric as this session defined it (MetricDefinition)
            .cells[4]      Cell: Q1..Q4 (quarters after the session's quarter print "-")
            .segments[]    SegmentRow (each with .cells[4]); empty when the metric prints its
                           segments inside its cells (survey metrics): then Cell.inline
        .objectives[]      ObjectiveBlock (S7-S15)
          .key_results[]   KeyResultRow: .cells[4] (KeyResultCell) or, for a key result that
                           is a metric, .metric_row (a MetricRow, with segment rows)
          .drilldowns[]    DrilldownBlock (+ tables like Grantmaking's)
        .footnotes[]       Footnote markers the session's cells use, with their meaning
        .acronyms[]        S16
        .key_deliverables[]

Everything is frozen dataclasses of str / int / Decimal / bool / None / tuples, so the HTML
pages and the API's deck endpoint (dataclasses.asdict) read the same structure. Building a
deck runs a fixed number of queries whatever the amount of data (see DECK_QUERIES).

A held session's deck is not built: it is the snapshot stored when it was held
(metrics.selectors.snapshots), so its pages stay as presented whatever is edited later.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q

from metrics import models
from metrics.formatting import (
    NO_STATUS,
    CellParts,
    arrow_tone,
    cell_parts,
    key_result_display,
    parts_with_markers,
)
from metrics.selectors.errors import NotFoundError
from metrics.selectors.threads import ThreadItem

QUARTERS = (1, 2, 3, 4)
# Queries session_deck runs, whatever the size of the data; tests hold it to this.
DECK_QUERIES = 15

ATTAINMENT_SEVERITY = {"off_track": 4, "at_risk": 3, "on_track": 2, "no_data": 1, "paused": 0}


@dataclass(frozen=True)
class FootnoteItem:
    marker: str
    meaning: str


@dataclass(frozen=True)
class InlineCell:
    """A segment's figure printed inside its metric's cell ("15.0% Women (↑)")."""

    segment_slug: str
    group: str
    prefix: str  # the segment's name when it has no short label ("Organizers 3.69 (↑)")
    parts: CellParts
    arrow_tone: str
    display: str


@dataclass(frozen=True)
class Cell:
    """One Q cell of a metric or segment row. `state` is a StatusState value, or "" when the
    cell has no status (printed "-")."""

    quarter: int
    state: str
    value: Decimal | None
    yoy_delta: Decimal | None
    arrow: str
    arrow_symbol: str
    arrow_tone: str  # "good" | "bad" | "neutral" | "" (whether the move suits the direction)
    footnote_markers: str
    state_markers: str
    attainment: str
    comment: str
    parts: CellParts
    inline: tuple[InlineCell, ...]
    display: str
    status_id: int | None = None  # the quarterly status shown, for its history
    basis_label: str = ""  # which observations the value uses, where there are two kinds
    basis_note: str = ""

    @property
    def is_empty(self) -> bool:
        return self.display == NO_STATUS


@dataclass(frozen=True)
class SegmentRow:
    segment_id: int
    slug: str
    name: str
    group: str
    footnote_markers: str
    baseline_text: str
    goal_text: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class MetricRow:
    metric_id: int
    slug: str
    name: str  # as this session's MetricDefinition names it
    baseline_text: str
    goal_text: str
    chart_title: str
    unit: str
    unit_suffix: str
    direction: str
    cadence: str
    state: str  # active | paused | retired
    department: str
    department_slug: str
    segments_inline: bool
    cells: tuple[Cell, ...]
    segments: tuple[SegmentRow, ...]
    attainment: str  # in the session's quarter

    @property
    def title(self) -> str:
        return self.chart_title or self.name


@dataclass(frozen=True)
class OutcomeGroup:
    outcome_id: int
    statement: str
    metrics: tuple[MetricRow, ...]
    footnotes: tuple[FootnoteItem, ...]  # the markers this group's cells use

    @property
    def row_count(self) -> int:
        return sum(1 + len(m.segments) for m in self.metrics)


@dataclass(frozen=True)
class KeyResultCell:
    quarter: int
    state: str  # StatusState value, "" without a status
    text: str  # markdown as the deck prints it
    number: Decimal | None
    milestones_done: int | None
    is_done: bool
    display: str  # plain text; "-" without a status
    status_id: int | None = None  # the key-result status shown, for its history
    # The lead's confidence this quarter (models.Confidence, "" when not given): shown beside
    # the printed cell, never in it.
    confidence: str = ""
    confidence_score: int | None = None


@dataclass(frozen=True)
class KeyResultRow:
    key_result_id: int
    code: str
    description: str  # markdown
    baseline_text: str
    goal_text: str  # markdown
    milestone_total: int | None
    milestones_done: int | None  # the latest count up to the session's quarter
    latest_status: str  # the latest cell's text up to the session's quarter
    cells: tuple[KeyResultCell, ...]
    metric_row: MetricRow | None  # set when the key result is a tracked metric
    attainment: str  # the metric's attainment; "" for a key result without a metric
    # Markers this key-result table prints after a segment's figure instead of the status's
    # ("+o" where the metrics table prints "+"), by segment slug.
    segment_markers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DrilldownTableRow:
    label: str
    is_group_heading: bool
    cells: tuple[str, ...]


@dataclass(frozen=True)
class DrilldownTableBlock:
    title: str
    columns: tuple[str, ...]
    rows: tuple[DrilldownTableRow, ...]


@dataclass(frozen=True)
class DrilldownBlock:
    drilldown_id: int
    title: str
    situation: str
    impact: str
    recommendation: str
    next_steps: str
    tables: tuple[DrilldownTableBlock, ...]


@dataclass(frozen=True)
class ObjectiveBlock:
    objective_id: int
    slug: str
    short_name: str
    title: str
    statement: str
    narrative: str  # markdown
    target_quarter_text: str
    department: str
    department_slug: str
    key_results: tuple[KeyResultRow, ...]
    drilldowns: tuple[DrilldownBlock, ...]
    footnotes: tuple[FootnoteItem, ...]  # the markers its key-result cells use
    content_blocks: tuple[ContentBlockItem, ...] = ()  # quotes and examples (S15)


@dataclass(frozen=True)
class ContentBlockItem:
    kind: str  # "text" | "quote"
    title: str
    body: str  # markdown
    attribution: tuple[str, ...]  # a quote's speaker, one line each


@dataclass(frozen=True)
class AcronymItem:
    term: str
    meaning: str


@dataclass(frozen=True)
class DeliverableItem:
    title: str
    objective_slug: str  # "" when the deliverable has no objective page


@dataclass(frozen=True)
class Deck:
    session_id: int
    title: str
    priority: str
    quarter_id: int
    quarter_number: int
    quarter_label: str
    quarter_end_date: date
    fiscal_year: int
    overview: str  # markdown
    progress_challenges: str  # markdown
    actions: str  # markdown
    key_deliverables: tuple[DeliverableItem, ...]
    outcomes: tuple[OutcomeGroup, ...]
    objectives: tuple[ObjectiveBlock, ...]
    footnotes: tuple[FootnoteItem, ...]  # only the markers the session's cells use
    acronyms: tuple[AcronymItem, ...]
    quarters: tuple[int, ...] = field(default=QUARTERS)
    session_state: str = "draft"  # "held": the deck as presented, read from the snapshot
    # The session's comment threads: filled for the deck API and the PowerPoint (live), and
    # stored with the deck at the hold (the record); empty in the pages' live decks.
    threads: tuple[ThreadItem, ...] = ()

    @property
    def metric_rows(self) -> list[MetricRow]:
        return [row for group in self.outcomes for row in group.metrics]

    def metric(self, slug: str) -> MetricRow | None:
        return next((row for row in self.metric_rows if row.slug == slug), None)

    def outcome_of(self, slug: str) -> OutcomeGroup | None:
        return next(
            (group for group in self.outcomes if any(m.slug == slug for m in group.metrics)),
            None,
        )

    def objective(self, slug: str) -> ObjectiveBlock | None:
        return next((block for block in self.objectives if block.slug == slug), None)


# --- building ----------------------------------------------------------------------------


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
    visible = [q for q in QUARTERS if q <= session_quarter]
    if metric.segments_inline:
        cells = tuple(
            _inline_cell(
                q,
                statuses.get((None, q)),
                {s.id: statuses.get((s.id, q)) for s in segments},
                metric,
                segments,
            )
            if q in visible
            else _empty_cell(q)
            for q in QUARTERS
        )
        segment_rows = ()
    else:
        cells = tuple(
            _status_cell(q, statuses.get((None, q)), metric) if q in visible else _empty_cell(q)
            for q in QUARTERS
        )
        segment_rows = tuple(
            SegmentRow(
                segment_id=s.id,
                slug=s.slug,
                name=s.name,
                group=s.group,
                footnote_markers=s.footnote_markers,
                baseline_text=s.baseline_text,
                goal_text=s.goal_text or metric.goal_text,
                cells=tuple(
                    _status_cell(q, statuses.get((s.id, q)), metric, s)
                    if q in visible
                    else _empty_cell(q)
                    for q in QUARTERS
                ),
            )
            for s in segments
        )
    current = cells[session_quarter - 1]
    if metric.state == models.MetricState.PAUSED:
        attainment = "paused"
    elif current.attainment:
        attainment = current.attainment
    else:
        attainment = _worst_attainment(
            row.cells[session_quarter - 1].attainment for row in segment_rows
        )
    department = metric.department
    return MetricRow(
        metric_id=metric.id,
        slug=metric.slug,
        name=definition.name if definition else metric.name,
        baseline_text=definition.baseline_text if definition else metric.baseline_text,
        goal_text=definition.goal_text if definition else metric.goal_text,
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
        attainment=attainment,
    )


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


def _footnote_chars(markers: str) -> set[str]:
    return {ch for ch in markers if not ch.isspace()}


def _used_markers(metric_rows, key_result_rows) -> set[str]:
    used: set[str] = set()

    def add_row(row: MetricRow):
        for cell in row.cells:
            used.update(_footnote_chars(cell.footnote_markers + cell.state_markers))
            for inline in cell.inline:
                used.update(
                    _footnote_chars(
                        inline.parts.lead_markers
                        + inline.parts.detail_markers
                        + inline.parts.state_markers
                    )
                )
        for segment in row.segments:
            used.update(_footnote_chars(segment.footnote_markers))
            for cell in segment.cells:
                used.update(_footnote_chars(cell.footnote_markers + cell.state_markers))

    for row in metric_rows:
        add_row(row)
    for kr in key_result_rows:
        if kr.metric_row:
            add_row(kr.metric_row)
        for markers in kr.segment_markers.values():
            used.update(_footnote_chars(markers))
    return used


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


@dataclass(frozen=True)
class DeckWindow:
    """A part of a deck to build: some rows of the metrics tables and some objectives (None:
    all of them). A page that shows a part builds only that part; the rest of the deck (its
    texts, acronyms, deliverables) is small and always there. An outcome keeps the part's
    rows (an outcome longer than a page is cut); the footnotes are those the part uses."""

    metric_ids: frozenset[int] | None = None
    objective_ids: frozenset[int] | None = None
    # The session's key deliverables and acronyms (S1, S16): hundreds of rows at scale,
    # left out of the parts of pages that do not print them.
    extras: bool = True

    def without_extras(self) -> DeckWindow:
        return replace(self, extras=False)

    def applied(self, deck: Deck) -> Deck:
        """The part of a whole deck (a held session's stored one) this window shows."""
        outcomes = tuple(
            replace(group, metrics=rows, footnotes=_group_footnotes(deck, rows))
            for group in deck.outcomes
            if (rows := tuple(m for m in group.metrics if self.shows_metric(m.metric_id)))
        )
        objectives = tuple(
            block
            for block in deck.objectives
            if self.objective_ids is None or block.objective_id in self.objective_ids
        )
        used = _used_markers(
            [row for group in outcomes for row in group.metrics],
            [kr for block in objectives for kr in block.key_results],
        )
        return replace(
            deck,
            outcomes=outcomes,
            objectives=objectives,
            footnotes=tuple(f for f in deck.footnotes if f.marker in used),
            key_deliverables=deck.key_deliverables if self.extras else (),
            acronyms=deck.acronyms if self.extras else (),
        )

    def shows_metric(self, metric_id: int) -> bool:
        return self.metric_ids is None or metric_id in self.metric_ids


def _group_footnotes(deck: Deck, rows) -> tuple[FootnoteItem, ...]:
    used = _used_markers(rows, ())
    return tuple(f for f in deck.footnotes if f.marker in used)


WHOLE_DECK = DeckWindow()


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
        from metrics.selectors.snapshots import held_deck

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
        used = _used_markers(metric_rows, kr_rows)
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
