"""What a held session presented, kept as JSON: the deck document (metrics.selectors.deck.Deck)
and the chart series its metric pages plot, stored on the session when it is held
(TuningSession.snapshot) and read back instead of the live figures from then on.

The round trip is generic (metrics.selectors.dataclass_json: any frozen dataclass to plain
JSON and back to an equal object); reading a held session's deck back is
metrics.selectors.held_decks. Both are named here too (to_data, from_data, held_deck, ...).
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from collections.abc import Iterator

from metrics import models
from metrics.caching.decks import MISSING, stored_charts, stored_part
from metrics.selectors.charts import MetricChartData, chart_window_start, metrics_chart_data
from metrics.selectors.dataclass_json import from_data, to_data
from metrics.selectors.deck import build_live_deck, build_live_deck_parts, session_deck
from metrics.selectors.deck_types import DeckWindow, FootnoteItem
from metrics.selectors.held_decks import (
    NOT_STORED,
    held_deck,
    held_earlier_deck,
    stored_deck,
)
from metrics.selectors.sessions import earlier_session_id
from metrics.selectors.threads import live_session_threads

__all__ = [
    "NOT_STORED",
    "SNAPSHOT_FORMAT",
    "from_data",
    "held_deck",
    "held_earlier_deck",
    "presented_chart_data",
    "session_chart_data",
    "session_earlier_deck",
    "snapshot_build",
    "snapshot_chunks",
    "snapshot_head",
    "stored_deck",
    "to_data",
]

SNAPSHOT_FORMAT = 1


# --- the session's snapshot -------------------------------------------------------------------


def snapshot_build(session_id: int) -> dict:
    """The live deck of a session and the charts of each of its metric rows, as JSON data.
    Called by the hold service before the session is marked held."""
    # The threads as they stand at the hold are part of the record (docs/threads.md).
    deck = dataclasses.replace(
        build_live_deck(session_id), threads=tuple(live_session_threads(session_id))
    )
    metric_ids = {row.metric_id for row in deck.metric_rows} | {
        kr.metric_row.metric_id
        for objective in deck.objectives
        for kr in objective.key_results
        if kr.metric_row
    }
    since, until = chart_window_start(deck.fiscal_year), deck.quarter_end_date
    # Each part's objects are let go once they are data, so the process never holds both
    # for the whole snapshot (hundreds of MB at scale 100).
    deck_data = to_data(deck)
    del deck
    # The years the session's charts show, as its pages read them (not every observation
    # since the metric began: that was ~100 MB of JSON at scale 100).
    charts = metrics_chart_data(sorted(metric_ids), since=since, until=until)
    chart_data = {}
    for metric_id in list(charts):
        chart_data[str(metric_id)] = to_data(charts.pop(metric_id))
    earlier = _earlier_deck_data(session_id)
    return {
        "format": SNAPSHOT_FORMAT,
        # Names this stored deck in the keys its pages are cached under (caching HoldToken):
        # a snapshot stored again is cached anew, even at the same hold time.
        "token": secrets.token_hex(8),
        "deck": deck_data,
        "charts": chart_data,
        # The deck's last slide (S17): the earlier session's table as it read that day, so
        # that reopening and revising the earlier session later does not change this deck.
        "earlier": earlier,
    }


# The stored document in pieces (snapshot_chunks): the charts read this many metrics at a time,
# and the text is handed over in pieces of about this many characters.
CHART_BATCH = 100
CHUNK_CHARS = 1 << 20
# snapshot_chunks' `earlier`: the earlier session's table left out (its writer copies it from
# that session's stored deck in SQL), built as it reads now, or no earlier session at all.
EARLIER_COPIED, EARLIER_BUILT, EARLIER_NONE = "copied", "built", "none"


def snapshot_chunks(
    session_id: int, *, token: str, earlier: str, head: dict | None = None
) -> Iterator[str]:
    """The JSON text of the snapshot that snapshot_build returns, in pieces of about
    CHUNK_CHARS, for a writer that never holds all of it: the deck's objects are let go once
    their text is out, and the charts are read CHART_BATCH metrics at a time. With
    EARLIER_COPIED the text has no "earlier" key (the writer adds it). `head`, if given, gets
    the deck's title and priority (snapshot_head's)."""
    buffer: list[str] = []
    size = 0
    pieces = _snapshot_pieces(session_id, token=token, earlier=earlier, head=head)
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def _snapshot_pieces(session_id: int, *, token: str, earlier: str, head) -> Iterator[str]:
    yield f'{{"format": {SNAPSHOT_FORMAT}, "token": {json.dumps(token)}, "deck": '
    metric_ids: set[int] = set()
    yield from _deck_pieces(session_id, metric_ids, head)
    yield ', "charts": {'
    session = (
        models.TuningSession.objects.filter(pk=session_id)
        .values_list("quarter__fiscal_year", "quarter__end_date")
        .first()
    )
    since, until = chart_window_start(session[0]), session[1]
    ordered, first = sorted(metric_ids), True
    for start in range(0, len(ordered), CHART_BATCH):
        charts = metrics_chart_data(ordered[start : start + CHART_BATCH], since=since, until=until)
        for metric_id in list(charts):
            text = json.dumps(to_data(charts.pop(metric_id)))
            yield f'{"" if first else ", "}"{metric_id}": {text}'
            first = False
    yield "}"
    if earlier == EARLIER_BUILT:
        yield ', "earlier": '
        yield json.dumps(to_data(_earlier_deck_now(session_id)))
    elif earlier == EARLIER_NONE:
        yield ', "earlier": null'
    yield "}"


# The deck is built in parts of about this many metric rows, and this many objectives: its
# objects for the whole deck were ~50 MB at scale 100, a part's a few.
METRICS_PER_PART = 200
OBJECTIVES_PER_PART = 100
_PARTED = ("outcomes", "objectives", "footnotes", "threads")


def _deck_pieces(session_id: int, metric_ids: set[int], head) -> Iterator[str]:
    """The live deck's JSON text (what json.dumps(to_data(deck)) gives, key order and
    spacing aside), with its threads as they stand (part of the record: docs/threads.md),
    built part by part (`snapshot_windows`): each part's objects are let go once its text is
    out. Collects the ids of the metrics its charts show into `metric_ids`."""
    metric_windows, objective_windows = snapshot_windows(session_id)
    texts = DeckWindow(metric_ids=frozenset(), objective_ids=frozenset(), extras=True)
    markers: set[str] = set()
    parts = build_live_deck_parts(session_id, [texts, *metric_windows, *objective_windows])
    deck = next(parts)
    if head is not None:
        head.update(title=deck.title, priority=deck.priority)
    yield "{" + ", ".join(
        f"{json.dumps(field.name)}: {json.dumps(to_data(getattr(deck, field.name)))}"
        for field in dataclasses.fields(deck)
        if field.name not in _PARTED
    )
    del deck
    for name, count in (("outcomes", len(metric_windows)), ("objectives", len(objective_windows))):
        yield f', "{name}": ['
        first = True
        for _ in range(count):
            part = next(parts)
            markers |= {footnote.marker for footnote in part.footnotes}
            metric_ids.update(_chart_metric_ids(part))
            for item in getattr(part, name):
                yield f"{'' if first else ', '}{json.dumps(to_data(item))}"
                first = False
            del part
        yield "]"
    threads = tuple(live_session_threads(session_id))
    yield f', "threads": {json.dumps(to_data(threads))}'
    del threads
    used = tuple(f for f in _session_footnotes(session_id) if f.marker in markers)
    yield f', "footnotes": {json.dumps(to_data(used))}}}'


def snapshot_windows(session_id: int) -> tuple[list[DeckWindow], list[DeckWindow]]:
    """The parts the snapshot builds a session's deck in, in deck order (three queries): its
    outcomes, whole, about METRICS_PER_PART rows at a time, then its objectives in runs of
    OBJECTIVES_PER_PART; none with the key deliverables and acronyms (the first, texts-only
    part has them). Each part's rows come out as the whole deck's (deck.py: an outcome's
    place is its first row's; the objectives presented, in the session's order)."""
    by_outcome: dict[int, list[int]] = {}
    for outcome_id, metric_id in (
        models.MetricDefinition.objects.filter(session_id=session_id, is_retired=False)
        .order_by("order", "id")
        .values_list("outcome_id", "metric_id")
    ):
        by_outcome.setdefault(outcome_id, []).append(metric_id)
    metric_windows, run = [], []
    for metric_rows in by_outcome.values():
        run += metric_rows
        if len(run) >= METRICS_PER_PART:
            metric_windows.append(_part(metric_ids=run))
            run = []
    if run:
        metric_windows.append(_part(metric_ids=run))
    objective_ids = _presented_objective_ids(session_id)
    objective_windows = [
        _part(objective_ids=objective_ids[start : start + OBJECTIVES_PER_PART])
        for start in range(0, len(objective_ids), OBJECTIVES_PER_PART)
    ]
    return metric_windows, objective_windows


def _part(*, metric_ids=(), objective_ids=()) -> DeckWindow:
    return DeckWindow(
        metric_ids=frozenset(metric_ids), objective_ids=frozenset(objective_ids), extras=False
    )


def _presented_objective_ids(session_id: int) -> list[int]:
    """The ids of the objectives the session presents, in its order (deck.py's
    _presented_objectives: its SessionObjective rows, or without any its fiscal year's
    objectives in their order)."""
    session = (
        models.TuningSession.objects.filter(pk=session_id)
        .values_list("priority_id", "quarter__fiscal_year")
        .first()
    )
    objectives = models.Objective.objects.filter(priority_id=session[0], fiscal_year=session[1])
    presented = list(
        models.SessionObjective.objects.filter(session_id=session_id, objective__in=objectives)
        .order_by("order", "objective_id")
        .values_list("objective_id", "is_retired")
    )
    if not presented:
        return list(objectives.order_by("order", "id").values_list("id", flat=True))
    return [objective_id for objective_id, is_retired in presented if not is_retired]


def _session_footnotes(session_id: int) -> list[FootnoteItem]:
    return [
        FootnoteItem(marker=marker, meaning=meaning)
        for marker, meaning in models.Footnote.objects.filter(session_id=session_id)
        .order_by("id")
        .values_list("marker", "meaning")
    ]


def _chart_metric_ids(deck) -> set[int]:
    return {row.metric_id for row in deck.metric_rows} | {
        kr.metric_row.metric_id
        for objective in deck.objectives
        for kr in objective.key_results
        if kr.metric_row
    }


def snapshot_head(snapshot: dict | None) -> dict | None:
    """What a page's header needs of a snapshot, stored beside it (TuningSession.snapshot_head)."""
    if snapshot is None:
        return None
    deck = snapshot.get("deck") or {}
    return {
        "title": deck.get("title", ""),
        "priority": deck.get("priority", ""),
        "token": snapshot.get("token", ""),
        # A snapshot stored before it kept the charts and the earlier slide falls back to live
        # figures for those: its pages follow the data version.
        "complete": "charts" in snapshot and "earlier" in snapshot,
    }


def _earlier_deck_data(session_id: int):
    """The earlier session's deck as it reads now, as JSON data: a held one's stored deck as
    stored (what session_deck reads back, marked held; not turned into objects and back,
    which was a third of holding at scale 100), else built; None without one."""
    earlier_id = earlier_session_id(session_id)
    if earlier_id is None:
        return None
    stored = stored_part(earlier_id, "deck")
    if stored is MISSING or stored is None:
        return to_data(_earlier_deck_now(session_id))
    return {**stored, "session_state": models.SessionState.HELD.value}


def _earlier_deck_now(session_id: int, build=None):
    earlier_id = earlier_session_id(session_id)
    return (build or session_deck)(earlier_id) if earlier_id is not None else None


def session_earlier_deck(deck, *, build=None):
    """The earlier session's deck that `deck` ends with (S17), or None: as it was when this
    session was held, for a held session; as it reads now otherwise (and for a snapshot
    stored before it kept that slide), built by `build(session_id)` (a page's per-version
    deck) or session_deck."""

    if deck.session_state == models.SessionState.HELD:
        stored = held_earlier_deck(deck.session_id)
        if stored is not NOT_STORED:
            return stored
    return _earlier_deck_now(deck.session_id, build)


def presented_chart_data(session_id: int, metric_ids) -> dict:
    """The chart data a held session presented for these metrics (one query): the same
    {metric_id: MetricChartData} as metrics_chart_data()."""
    stored = stored_charts(session_id, metric_ids)
    return {
        int(metric_id): from_data(MetricChartData, stored[str(metric_id)])
        for metric_id in metric_ids
        if str(metric_id) in stored
    }


def session_chart_data(deck, metric_ids, *, until) -> dict:
    """Chart data for a session's pages: as presented for a held session, live otherwise."""
    presented = {}
    if deck.session_state == models.SessionState.HELD:
        presented = presented_chart_data(deck.session_id, metric_ids)
    # A held session without a snapshot (loaded from a fixture) shows the live figures.
    missing = [metric_id for metric_id in metric_ids if metric_id not in presented]
    live = {}
    if missing:
        live = metrics_chart_data(missing, since=chart_window_start(deck.fiscal_year), until=until)
    return {**live, **presented}
