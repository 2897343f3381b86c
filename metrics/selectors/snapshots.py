"""What a held session presented, kept as JSON: the deck document (metrics.selectors.deck.Deck)
and the chart series its metric pages plot, stored on the session when it is held
(TuningSession.snapshot) and read back instead of the live figures from then on.

The round trip is generic (metrics.selectors.dataclass_json: any frozen dataclass to plain
JSON and back to an equal object); reading a held session's deck back is
metrics.selectors.held_decks. Both are named here too (to_data, from_data, held_deck, ...).
"""

from __future__ import annotations

import dataclasses
import secrets

from metrics import models
from metrics.caching.decks import MISSING, stored_charts, stored_part
from metrics.selectors.charts import MetricChartData, chart_window_start, metrics_chart_data
from metrics.selectors.dataclass_json import from_data, to_data
from metrics.selectors.deck import build_live_deck, session_deck
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
