"""How a session's deck is cut into pages, so that a page reads and prints a bounded part of it
whatever the size of the organisation.

    deck_layout(header, department="") -> DeckLayout
      .outcome_pages    the metrics tables' outcomes, page by page (deck order, whole outcomes)
      .objective_pages  the objectives, page by page (deck order, whole objectives)

A page holds whole outcomes up to METRICS_PER_PAGE metric rows (an outcome with more gets a
page of its own) and whole objectives up to KEY_RESULTS_PER_PAGE key results. The seed deck
(16 metrics, 20 key results) is one page of each, so a deck of a real organisation's size
reads as it always did; at 100x its metrics tables are about fifty pages of the seed's size.

Read from `.values()` rows (two or three queries, no model instances), or, for a held session,
from its deck as presented (the stored deck's data, read out of its snapshot: no object built).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from metrics import models
from metrics.caching.decks import held_deck_data
from metrics.selectors.deck import session_deck
from metrics.selectors.deck_types import WHOLE_DECK, Deck, DeckWindow
from metrics.selectors.held_decks import NOT_STORED, held_earlier_deck
from metrics.selectors.sessions import earlier_session_id

METRICS_PER_PAGE = 25
KEY_RESULTS_PER_PAGE = 25
NOTHING = frozenset()


@dataclass(frozen=True)
class DeckLayout:
    # Each page of the metrics tables: its (outcome id, metric id) rows, in deck order.
    metric_pages: tuple[tuple[tuple[int, int], ...], ...]
    # Each page of objectives: their ids, in deck order.
    objective_pages: tuple[tuple[int, ...], ...]
    # The key results each page of objectives prints (what a part of the whole deck weighs).
    objective_weights: tuple[int, ...] = ()

    @property
    def metrics_page_count(self) -> int:
        return max(1, len(self.metric_pages))

    @property
    def page_count(self) -> int:
        """Pages of a listing that shows both (the overview): the longer of the two."""
        return max(1, len(self.metric_pages), len(self.objective_pages))

    @property
    def outcome_count(self) -> int:
        return len({outcome for page in self.metric_pages for outcome, _ in page})

    def outcome_offset(self, page: int) -> int:
        """How many outcomes the metrics pages before `page` began: the first table of the
        page is outcome offset + 1, unless it goes on from the page before (continued_outcome)."""
        before = {outcome for rows in self.metric_pages[: page - 1] for outcome, _ in rows}
        return len(before) - (1 if self.continued_outcome(page) else 0)

    def continued_outcome(self, page: int) -> int | None:
        """The outcome whose table the page goes on with from the page before, if any."""
        if not 2 <= page <= len(self.metric_pages):
            return None
        first, last_before = self.metric_pages[page - 1][0][0], self.metric_pages[page - 2][-1][0]
        return first if first == last_before else None

    def metrics_on(self, *pages: int) -> frozenset[int]:
        """The metrics of these metrics pages (1-based; none for a page there is not, such as
        the "no metrics" slide's page 0)."""
        return frozenset(
            metric
            for page in pages
            if 1 <= page <= len(self.metric_pages)
            for _, metric in self.metric_pages[page - 1]
        )

    def objectives_on(self, *pages: int) -> frozenset[int]:
        """The objectives of these objectives pages (none for a page there is not)."""
        return frozenset(
            objective
            for page in pages
            if 1 <= page <= len(self.objective_pages)
            for objective in self.objective_pages[page - 1]
        )

    def metrics_window(self, page: int) -> DeckWindow:
        """The rows of metrics page `page` (1-based), no objectives."""
        return DeckWindow(metric_ids=self.metrics_on(page), objective_ids=NOTHING)

    def window(self, page: int) -> DeckWindow:
        """Page `page` of both lists (an empty part once a list has ended)."""
        return DeckWindow(metric_ids=self.metrics_on(page), objective_ids=self.objectives_on(page))

    def metric_page_of(self, metric_id: int) -> int:
        """The metrics page that shows the metric (1 when none does)."""
        return next(
            (
                n
                for n, rows in enumerate(self.metric_pages, 1)
                if any(m == metric_id for _, m in rows)
            ),
            1,
        )

    def objective_page_of(self, objective_id: int) -> int:
        return next((n for n, ids in enumerate(self.objective_pages, 1) if objective_id in ids), 1)


def paged(sizes: Iterable[tuple[int, int]], budget: int) -> tuple[tuple[int, ...], ...]:
    """(id, size) in order, packed into pages of whole items up to `budget` in all (an item
    larger than the budget alone on its page)."""
    pages, current, used = [], [], 0
    for item_id, size in sizes:
        if current and used + size > budget:
            pages.append(tuple(current))
            current, used = [], 0
        current.append(item_id)
        used += size
    if current:
        pages.append(tuple(current))
    return tuple(pages)


def metric_paged(rows: Iterable[tuple[int, int]], budget: int):
    """(outcome id, metric id) rows in deck order, packed into pages of up to `budget` rows:
    an outcome's table stays whole on one page when it fits on one, else it is cut."""
    tables: dict[int, list[int]] = {}
    for outcome, metric in rows:
        tables.setdefault(outcome, []).append(metric)
    pages, current = [], []
    for outcome, metrics in tables.items():
        if current and len(current) + len(metrics) > budget:
            pages.append(tuple(current))
            current = []
        for metric in metrics:
            if len(current) == budget:
                pages.append(tuple(current))
                current = []
            current.append((outcome, metric))
    if current:
        pages.append(tuple(current))
    return tuple(pages)


def deck_layout(header, *, department: str = "") -> DeckLayout:
    """The session's pages; with `department`, only the outcomes and objectives that show
    something of that department (the overview's filter)."""
    if header.is_held:
        return _held_layout(held_deck_data(header.session_id, header.frozen), department)
    return DeckLayout(
        metric_pages=metric_paged(_metric_rows(header, department), METRICS_PER_PAGE),
        **_objectives_paged(_objective_sizes(header, department)),
    )


def _objectives_paged(sizes) -> dict:
    """The objective pages of (objective id, key results) in deck order, and their weights."""
    sizes = list(sizes)
    pages = paged(sizes, KEY_RESULTS_PER_PAGE)
    size_of = dict(sizes)
    return {
        "objective_pages": pages,
        "objective_weights": tuple(sum(size_of[o] for o in page) for page in pages),
    }


def _held_layout(deck: dict, department: str) -> DeckLayout:
    rows = (
        (group["outcome_id"], row["metric_id"])
        for group in deck["outcomes"]
        for row in group["metrics"]
        if not department or row["department_slug"] == department
    )
    objectives = (
        (block["objective_id"], max(1, len(block["key_results"])))
        for block in deck["objectives"]
        if not department or block["department_slug"] == department
    )
    return DeckLayout(
        metric_pages=metric_paged(rows, METRICS_PER_PAGE), **_objectives_paged(objectives)
    )


def _metric_rows(header, department: str):
    """(outcome id, metric id) of the session's metrics tables in deck order: the deck groups
    rows by outcome, in the order each outcome first appears (metric_paged groups them)."""
    rows = models.MetricDefinition.objects.filter(
        session_id=header.session_id, is_retired=False
    ).order_by("order", "id")
    if department:
        rows = rows.filter(metric__department__slug=department)
    return rows.values_list("outcome_id", "metric_id")


def _objective_sizes(header, department: str) -> list[tuple[int, int]]:
    """The objectives the session presents, in its order (see deck._presented_objectives),
    with their key results."""
    key_results = Count("key_results", filter=Q(key_results__is_retired=False))
    presented = models.SessionObjective.objects.filter(session_id=header.session_id)
    if presented.exists():
        objectives = (
            models.Objective.objects.filter(
                priority_id=header.priority_id,
                fiscal_year=header.fiscal_year,
                session_objectives__session_id=header.session_id,
                session_objectives__is_retired=False,
            )
            .annotate(size=key_results)
            .order_by("session_objectives__order", "id")
        )
    else:
        objectives = (
            models.Objective.objects.filter(
                priority_id=header.priority_id, fiscal_year=header.fiscal_year
            )
            .annotate(size=key_results)
            .order_by("order", "id")
        )
    if department:
        objectives = objectives.filter(department__slug=department)
    return [(oid, max(1, size)) for oid, size in objectives.values_list("id", "size")]


def metrics_layout(header) -> DeckLayout:
    """The pages of a session's metrics tables alone (the earlier session's table that ends a
    deck, S17): one query (for a held session, of its stored deck's data)."""
    if header.is_held:
        held = _held_layout(held_deck_data(header.session_id, header.frozen), "")
        return DeckLayout(held.metric_pages, objective_pages=())
    return DeckLayout(
        metric_pages=metric_paged(_metric_rows(header, ""), METRICS_PER_PAGE), objective_pages=()
    )


def layout_of_deck(deck: Deck, *, objectives: bool = True) -> DeckLayout:
    """The pages of a deck already read (a stored one)."""
    rows = ((group.outcome_id, row.metric_id) for group in deck.outcomes for row in group.metrics)
    sizes = ((block.objective_id, max(1, len(block.key_results))) for block in deck.objectives)
    return DeckLayout(
        metric_pages=metric_paged(rows, METRICS_PER_PAGE),
        **(_objectives_paged(sizes) if objectives else {"objective_pages": ()}),
    )


# --- the earlier session's table (S17) --------------------------------------------------------


@dataclass(frozen=True)
class EarlierTable:
    """Where the earlier session's table that ends a deck (S17) comes from, and its pages
    (`layout` None: the session has no earlier one): kept in this held session's snapshot
    (`stored`), or the session `session_id` as it reads now (`is_held`: its deck as
    presented)."""

    layout: DeckLayout | None
    session_id: int | None = None
    stored: bool = False
    is_held: bool = False


def earlier_table(header, *, header_of, deck_of) -> EarlierTable:
    """The earlier table of `header`'s deck, cut in pages by its own layout: one query for a
    held session (its snapshot), else the earlier session's id (two), header and rows (one
    each). `header_of(id)` and `deck_of(id)` are the page's cached header and whole deck."""
    if header.is_held:
        stored = held_earlier_deck(header.session_id)
        if stored is None:
            return EarlierTable(layout=None)
        if stored is not NOT_STORED:
            return EarlierTable(
                layout=layout_of_deck(stored, objectives=False),
                session_id=stored.session_id,
                stored=True,
                is_held=True,
            )
    earlier_id = earlier_session_id(header.session_id)
    if earlier_id is None:
        return EarlierTable(layout=None)
    earlier_header = header_of(earlier_id)
    return EarlierTable(
        layout=metrics_layout(earlier_header),
        session_id=earlier_id,
        is_held=earlier_header.is_held,
    )


def earlier_table_part(table: EarlierTable, header, pages: tuple[int, ...], *, deck_of):
    """The earlier session's deck holding the tables of `pages` (no objectives), or None."""
    if table.layout is None or not pages:
        return None
    window = DeckWindow(metric_ids=table.layout.metrics_on(*pages), objective_ids=NOTHING)
    everything = len(pages) == len(table.layout.metric_pages)
    if table.stored or table.is_held:
        # Its deck as presented, cut (a held earlier session's shared with its own pages).
        whole = held_earlier_deck(header.session_id) if table.stored else deck_of(table.session_id)
        return whole if everything else window.applied(whole)
    # Its tables alone, even all of them: the whole deck's objectives are no part of S17.
    return session_deck(table.session_id, window)


# --- the whole deck in parts -----------------------------------------------------------------

# Rows (metric rows, key results, the earlier session's rows) a part of the whole-deck page
# prints at most, in whole pages: a deck of the seed's size (its Q2: 4 metric rows, 20 key
# results, Q1's 12 rows) is one part; at 100x a part is one full page (25 rows with their
# chart slides: a cold part then costs about what a metrics-tables page does).
ROWS_PER_PART = 45


@dataclass(frozen=True)
class DeckPart:
    """One part of the whole deck, its slides in deck order: S1 and the first section slide,
    pages of the metrics tables (with their chart slides), the objectives' section slide and
    pages of objectives, the appendix, pages of the earlier session's table (S17). Page
    numbers are those of the layouts (1-based); a session without metrics has its one "no
    metrics" slide as metrics page 0."""

    number: int
    intro: bool = False
    metric_pages: tuple[int, ...] = ()
    okrs_slide: bool = False
    objective_pages: tuple[int, ...] = ()
    appendix: bool = False
    earlier_pages: tuple[int, ...] = ()


def deck_parts(layout: DeckLayout, earlier: DeckLayout | None) -> tuple[DeckPart, ...]:
    """The whole deck's slides cut into parts of up to ROWS_PER_PART rows, in whole pages (a
    page larger than that alone in its part). A section slide goes with the first page after
    it; consecutive pages share a part while they fit."""

    def weight(name: str, number: int) -> int:
        if name == "metric_pages":
            return len(layout.metric_pages[number - 1]) if number else 1
        if name == "objective_pages":
            weights = layout.objective_weights
            return weights[number - 1] if weights else KEY_RESULTS_PER_PAGE
        return len(earlier.metric_pages[number - 1])

    # (field, value) units in deck order, each section's slide leading its first page.
    units: list[list[tuple[str, object]]] = []
    metric_pages = range(1, len(layout.metric_pages) + 1) or (0,)
    for index, number in enumerate(metric_pages):
        units.append(([("intro", True)] if index == 0 else []) + [("metric_pages", number)])
    for index, number in enumerate(range(1, len(layout.objective_pages) + 1)):
        units.append(([("okrs_slide", True)] if index == 0 else []) + [("objective_pages", number)])
    if not layout.objective_pages:
        units.append([("okrs_slide", True)])
    earlier_pages = range(1, len(earlier.metric_pages) + 1) if earlier else ()
    for index, number in enumerate(earlier_pages):
        units.append(([("appendix", True)] if index == 0 else []) + [("earlier_pages", number)])
    if not earlier_pages:
        units.append([("appendix", True)])

    parts: list[list[tuple[str, object]]] = []
    used = ROWS_PER_PART
    for unit in units:
        size = sum(weight(name, value) for name, value in unit if name.endswith("_pages"))
        if parts and (not size or used + size <= ROWS_PER_PART):
            parts[-1] += unit
            used += size
        else:
            parts.append(list(unit))
            used = size
    return tuple(_part(number, unit) for number, unit in enumerate(parts, start=1))


def _part(number: int, items: list[tuple[str, object]]) -> DeckPart:
    fields: dict[str, object] = {"number": number}
    for name, value in items:
        if name.endswith("_pages"):
            fields[name] = (*fields.get(name, ()), value)
        else:
            fields[name] = value
    return DeckPart(**fields)


def part_window(layout: DeckLayout, part: DeckPart) -> DeckWindow:
    """The rows and objectives of a part of the whole deck; the whole deck (WHOLE_DECK) for
    a part that holds every page (a deck of one part)."""
    if len(part.metric_pages) == max(1, len(layout.metric_pages)) and len(
        part.objective_pages
    ) == len(layout.objective_pages):
        return WHOLE_DECK
    return DeckWindow(
        metric_ids=layout.metrics_on(*part.metric_pages),
        objective_ids=layout.objectives_on(*part.objective_pages),
    )
