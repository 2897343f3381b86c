"""What a held session presented, kept as JSON: the deck document (metrics.selectors.deck.Deck)
and the chart series its metric pages plot, stored on the session when it is held
(TuningSession.snapshot) and read back instead of the live figures from then on.

The round trip is generic: any frozen dataclass of str / int / bool / None / Decimal / date /
datetime / tuples / nested dataclasses goes to plain JSON and back to an equal object, guided
by the dataclass's type hints (Decimals as strings, so 92000.000000 stays exactly that).
"""

from __future__ import annotations

import dataclasses
import secrets
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from metrics import models

SNAPSHOT_FORMAT = 1


# --- generic dataclass <-> JSON ---------------------------------------------------------------


def to_data(value):
    """A dataclass (or anything inside one) as JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_data(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_data(item) for key, item in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def from_data(kind, data):
    """The object of type `kind` that to_data() turned into `data`."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        if data is None:
            return None
        return from_data(options[0], data)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_data(args[0], item) for item in data)
        return tuple(from_data(arg, item) for arg, item in zip(args, data, strict=True))
    if origin is dict:
        key_kind, value_kind = typing.get_args(kind)
        return {from_data(key_kind, key): from_data(value_kind, item) for key, item in data.items()}
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(
            **{
                f.name: from_data(hints[f.name], data[f.name])
                for f in dataclasses.fields(kind)
                if f.init and f.name in data
            }
        )
    if data is None:
        return None
    if kind is Decimal:
        return Decimal(data)
    if kind is datetime:
        return datetime.fromisoformat(data)
    if kind is date:
        return date.fromisoformat(data)
    if kind is int:
        return int(data)
    return data


# --- the session's snapshot -------------------------------------------------------------------


def snapshot_build(session_id: int) -> dict:
    """The live deck of a session and the charts of each of its metric rows, as JSON data.
    Called by the hold service before the session is marked held."""
    from metrics.selectors.charts import metrics_chart_data
    from metrics.selectors.deck import build_live_deck

    deck = build_live_deck(session_id)
    metric_ids = {row.metric_id for row in deck.metric_rows} | {
        kr.metric_row.metric_id
        for objective in deck.objectives
        for kr in objective.key_results
        if kr.metric_row
    }
    charts = metrics_chart_data(sorted(metric_ids), until=deck.quarter_end_date)
    earlier = _earlier_deck_now(session_id)
    return {
        "format": SNAPSHOT_FORMAT,
        # Names this stored deck in the keys its pages are cached under (page_cache.HoldToken):
        # a snapshot stored again is cached anew, even at the same hold time.
        "token": secrets.token_hex(8),
        "deck": to_data(deck),
        "charts": {str(metric_id): to_data(data) for metric_id, data in charts.items()},
        # The deck's last slide (S17): the earlier session's table as it read that day, so
        # that reopening and revising the earlier session later does not change this deck.
        "earlier": to_data(earlier) if earlier is not None else None,
    }


def _earlier_deck_now(session_id: int, build=None):
    from metrics.selectors.deck import session_deck
    from metrics.selectors.sessions import earlier_session_id

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


# A held session's snapshot stored before it kept the earlier session's slide.
NOT_STORED = object()


def held_earlier_deck(session_id: int):
    """The earlier session's deck as stored when this session was held (one query): a Deck,
    None when there was no earlier session, or NOT_STORED."""
    from metrics.selectors.deck import Deck

    snapshot = (
        models.TuningSession.objects.filter(pk=session_id)
        .values_list("snapshot", flat=True)
        .first()
    ) or {}
    if "earlier" not in snapshot:
        return NOT_STORED
    stored = snapshot["earlier"]
    return from_data(Deck, stored) if stored is not None else None


def snapshot_deck(snapshot: dict):
    """The Deck stored in a snapshot, marked held."""
    from metrics.selectors.deck import Deck

    deck = from_data(Deck, snapshot["deck"])
    return dataclasses.replace(deck, session_state=models.SessionState.HELD)


def presented_chart_data(session_id: int, metric_ids) -> dict:
    """The chart data a held session presented for these metrics (one query): the same
    {metric_id: MetricChartData} as metrics_chart_data()."""
    from metrics.selectors.charts import MetricChartData

    snapshot = (
        models.TuningSession.objects.filter(pk=session_id)
        .values_list("snapshot", flat=True)
        .first()
    ) or {}
    stored = snapshot.get("charts", {})
    return {
        int(metric_id): from_data(MetricChartData, stored[str(metric_id)])
        for metric_id in metric_ids
        if str(metric_id) in stored
    }


def session_chart_data(deck, metric_ids, *, until) -> dict:
    """Chart data for a session's pages: as presented for a held session, live otherwise."""
    from metrics.selectors.charts import metrics_chart_data

    presented = {}
    if deck.session_state == models.SessionState.HELD:
        presented = presented_chart_data(deck.session_id, metric_ids)
    # A held session without a snapshot (loaded from a fixture) shows the live figures.
    missing = [metric_id for metric_id in metric_ids if metric_id not in presented]
    return {**(metrics_chart_data(missing, until=until) if missing else {}), **presented}
