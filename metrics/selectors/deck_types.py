"""The deck document: one tuning session's deck as plain data (what session_deck returns).

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

and DeckWindow, the part of a deck a page shows. Everything is frozen dataclasses of str /
int / Decimal / bool / None / tuples, so the HTML pages and the API's deck endpoint
(dataclasses.asdict) read the same structure, and a held session's snapshot stores it as JSON
(metrics.selectors.dataclass_json). Built by metrics.selectors.deck_build from the rows
metrics.selectors.deck reads; a held session's read back by metrics.selectors.held_decks.
All of them import these classes from here, and metrics.selectors.deck names them too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from metrics.formatting import NO_STATUS, CellParts
from metrics.selectors.threads import ThreadItem

QUARTERS = (1, 2, 3, 4)


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


# --- which footnotes a part uses, which part a page shows ---------------------------------


def _footnote_chars(markers: str) -> set[str]:
    return {ch for ch in markers if not ch.isspace()}


def used_markers(metric_rows, key_result_rows) -> set[str]:
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
    # A part's outcomes in the whole deck's order (one more query); the rows of parts put
    # together later in that order (selectors/deck_departments.py) do without.
    in_deck_order: bool = True

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
        used = used_markers(
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
    used = used_markers(rows, ())
    return tuple(f for f in deck.footnotes if f.marker in used)


WHOLE_DECK = DeckWindow()
