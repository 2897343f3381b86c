"""deck_pptx: a session's deck as a .pptx file, built as text (fast.TextDeckBuilder); the
same deck through python-pptx's objects (builder.DeckBuilder) is what the tests compare it
with."""

from __future__ import annotations

from metrics.charts import Chart, metric_charts
from metrics.pptx_export.builder import DeckBuilder, PptxFile, deck_pptx_filename
from metrics.pptx_export.fast import TextDeckBuilder
from metrics.prometheus import deck_build_timed
from metrics.selectors.deck import session_deck
from metrics.selectors.deck_types import Deck, DeckWindow
from metrics.selectors.snapshots import session_chart_data, session_earlier_deck
from metrics.selectors.threads import deck_with_threads


def deck_pptx(session_id: int) -> PptxFile:
    """The session's deck as a .pptx file; NotFoundError for an unknown session. A fixed number
    of queries: two decks (this session's and the earlier one's) and the chart data."""

    with deck_build_timed("pptx"):
        return deck_pptx_built(session_id, TextDeckBuilder)


def deck_pptx_built(session_id: int, builder_class: type[DeckBuilder]) -> PptxFile:
    """The deck built by `builder_class` (DeckBuilder: python-pptx's objects)."""
    deck = deck_with_threads(session_deck(session_id))
    earlier = session_earlier_deck(deck, build=earlier_tables)
    rows = deck.metric_rows
    # A held session's charts as presented (its snapshot), live figures otherwise.
    data = session_chart_data(deck, [row.metric_id for row in rows], until=deck.quarter_end_date)
    builder = builder_class(deck)
    builder.build(charts=ChartsByMetric(rows, data), earlier=earlier)
    return PptxFile(deck_pptx_filename(deck), builder.save())


# What the deck prints of the earlier session: its metrics tables (S17), not its objectives,
# deliverables or acronyms (a third of a deck's reading at scale 100).
EARLIER_PART = DeckWindow(objective_ids=frozenset(), extras=False)


def earlier_tables(session_id: int) -> Deck:
    return session_deck(session_id, EARLIER_PART)


class ChartsByMetric:
    """A metric's charts (metric_charts) made when its slide asks for them, rather than all
    of a deck's at once beforehand: the last metric's kept for the slide's second look."""

    def __init__(self, rows, data):
        self.rows = {row.metric_id: row for row in rows}
        self.data = data
        self.last: tuple[int, list[Chart]] | None = None

    def get(self, metric_id: int) -> list[Chart] | None:
        if metric_id not in self.data or metric_id not in self.rows:
            return None
        if self.last is None or self.last[0] != metric_id:
            charts = metric_charts(self.rows[metric_id], self.data[metric_id], hover=False)
            self.last = (metric_id, charts)
        return self.last[1]

    def __getitem__(self, metric_id: int) -> list[Chart]:
        charts = self.get(metric_id)
        if charts is None:
            raise KeyError(metric_id)
        return charts
