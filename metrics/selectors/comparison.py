"""Two sessions side by side: what changed in metric definitions (the empowerment baseline
went from "72% feel empowered" to "index 3.63"), in cells (values, states) and in key-result
statuses. Built from two decks, so it runs twice the deck's bounded queries; a held session's
deck is the one it presented, so a figure revised since shows as changed (a revision)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from metrics.selectors.deck import session_deck
from metrics.selectors.deck_layout import deck_layout
from metrics.selectors.deck_types import QUARTERS, Deck, MetricRow
from metrics.selectors.session_pages import session_header


@dataclass(frozen=True)
class CellChange:
    quarter: int
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def is_revision(self) -> bool:
        """A figure both sessions printed, presented differently the second time."""
        return self.changed and self.before != "-" and self.after != "-"


@dataclass(frozen=True)
class RowComparison:
    label: str
    is_segment: bool
    cells: tuple[CellChange, ...]

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.cells)


@dataclass(frozen=True)
class DefinitionChange:
    """One field of a metric's definition (its name, baseline or goal) that differs between the two
    sessions compared; not a history entry (that is cell_history.FieldChange)."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class MetricComparison:
    slug: str
    name: str
    presence: str  # "both" | "added" (only in the later session) | "removed"
    definition_changes: tuple[DefinitionChange, ...]
    rows: tuple[RowComparison, ...]

    @property
    def changed(self) -> bool:
        return (
            self.presence != "both"
            or bool(self.definition_changes)
            or any(r.changed for r in self.rows)
        )


@dataclass(frozen=True)
class SessionSummary:
    session_id: int
    title: str
    quarter_label: str


@dataclass(frozen=True)
class SessionComparison:
    before: SessionSummary
    after: SessionSummary
    metrics: tuple[MetricComparison, ...]
    key_results: tuple[RowComparison, ...]  # only key results whose cells changed
    quarters: tuple[int, ...]  # the quarters either session has a figure for
    page: int = 1  # which page of the later session's deck (deck_layout) this compares
    pages: int = 1


def _summary(deck: Deck) -> SessionSummary:
    return SessionSummary(deck.session_id, deck.title, deck.quarter_label)


def _cells(before, after) -> tuple[CellChange, ...]:
    dash = "-"
    return tuple(
        CellChange(
            q,
            before[q - 1].display if before else dash,
            after[q - 1].display if after else dash,
        )
        for q in QUARTERS
    )


# The fields of a metric's definition a comparison lists when they differ.
DEFINITION_FIELDS = (("Metric", "name"), ("Baseline", "baseline_text"), ("Goal", "goal_text"))


def _metric_comparison(before: MetricRow | None, after: MetricRow | None) -> MetricComparison:
    either = after or before
    presence = "both" if before and after else ("added" if after else "removed")
    rows = (
        RowComparison(either.name, False, _cells(before and before.cells, after and after.cells)),
        *_segment_comparisons(before, after),
    )
    return MetricComparison(
        either.slug, either.name, presence, _definition_changes(before, after), rows
    )


def _definition_changes(
    before: MetricRow | None, after: MetricRow | None
) -> tuple[DefinitionChange, ...]:
    """The fields of the definition that differ, for a metric both sessions show."""
    if not (before and after):
        return ()
    return tuple(
        DefinitionChange(label, getattr(before, attr), getattr(after, attr))
        for label, attr in DEFINITION_FIELDS
        if getattr(before, attr) != getattr(after, attr)
    )


def _segment_comparisons(before: MetricRow | None, after: MetricRow | None) -> list[RowComparison]:
    """A row per segment of either, the later session's first (in its order), then those
    only the earlier one has."""
    before_segments = {s.slug: s for s in before.segments} if before else {}
    after_segments = {s.slug: s for s in after.segments} if after else {}
    rows = []
    for slug in list(after_segments) + [s for s in before_segments if s not in after_segments]:
        old, new = before_segments.get(slug), after_segments.get(slug)
        rows.append(
            RowComparison((new or old).name, True, _cells(old and old.cells, new and new.cells))
        )
    return rows


def compare_sessions(before_id: int, after_id: int, *, page: int = 1) -> SessionComparison:
    """Page `page` of the comparison, in the later session's pages (deck_layout: its metrics
    and objectives pages; the metrics only the earlier session has come on the last page):
    each page builds only its part of the two decks."""
    after_layout = deck_layout(session_header(after_id))
    removed = _removed_metrics(before_id, after_layout)
    pages = after_layout.page_count
    after_window = after_layout.window(page).without_extras()
    before_window = replace(
        after_window, metric_ids=after_window.metric_ids | (removed if page == pages else set())
    )
    before = session_deck(before_id, before_window)
    after = session_deck(after_id, after_window)
    metrics = _metric_comparisons(before, after)
    key_results = _key_result_changes(before, after)
    rows = [row for metric in metrics for row in metric.rows] + list(key_results)
    return SessionComparison(
        _summary(before),
        _summary(after),
        metrics,
        key_results,
        _quarters_shown(rows) or QUARTERS,
        page=page,
        pages=pages,
    )


def _removed_metrics(before_id: int, after_layout) -> frozenset[int]:
    """The metrics of the earlier session's tables that the later session's do not show."""
    after_metrics = {m for rows in after_layout.metric_pages for _, m in rows}
    return frozenset(
        m
        for rows in deck_layout(session_header(before_id)).metric_pages
        for _, m in rows
        if m not in after_metrics
    )


def _metric_comparisons(before: Deck, after: Deck) -> tuple[MetricComparison, ...]:
    """Every metric row of either deck: the later one's in its order, then the removed."""
    before_rows = {row.slug: row for row in before.metric_rows}
    after_rows = {row.slug: row for row in after.metric_rows}
    slugs = list(after_rows) + [s for s in before_rows if s not in after_rows]
    return tuple(_metric_comparison(before_rows.get(s), after_rows.get(s)) for s in slugs)


def _key_result_cells(deck: Deck) -> dict:
    """{key result id: (its label, its cells)} of the key results that are no metric."""
    return {
        kr.key_result_id: (f"{o.short_name}: {kr.code or kr.description}", kr.cells)
        for o in deck.objectives
        for kr in o.key_results
        if kr.metric_row is None
    }


def _key_result_changes(before: Deck, after: Deck) -> tuple[RowComparison, ...]:
    """The later session's key results whose cells changed, in its order."""
    before_krs = _key_result_cells(before)
    changes = []
    for kr_id, (label, cells) in _key_result_cells(after).items():
        old = before_krs.get(kr_id)
        row = RowComparison(label, False, _cells(old[1] if old else None, cells))
        if row.changed:
            changes.append(row)
    return tuple(changes)


def _quarters_shown(rows) -> tuple[int, ...]:
    """The quarters where a row of either session has a figure."""
    return tuple(
        q
        for q in QUARTERS
        if any(row.cells[q - 1].before != "-" or row.cells[q - 1].after != "-" for row in rows)
    )
