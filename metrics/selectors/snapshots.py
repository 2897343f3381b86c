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
from metrics.caching.decks import (
    MISSING,
    NO_STORED_DECK,
    held_deck_data,
    stored_charts,
    stored_part,
)

SNAPSHOT_FORMAT = 1


# --- generic dataclass <-> JSON ---------------------------------------------------------------


def to_data(value):
    """A dataclass (or anything inside one) as JSON-ready data."""
    convert = _TO_DATA.get(value.__class__)
    if convert is None:
        convert = _to_data_converter(value.__class__)
    return convert(value)


# How each class is turned into data, found once per class: the generic test of each value
# (is it a dataclass? which fields?) was most of holding a session at scale 100, where a
# snapshot is ~2M values.
_TO_DATA: dict = {}
_PLAIN = (str, int, bool, float, type(None))


def _to_data_converter(cls):
    if dataclasses.is_dataclass(cls):
        convert = _dataclass_converter(cls)
    elif issubclass(cls, tuple | list):

        def convert(value):
            return [
                item
                if item.__class__ in _PLAIN
                else (_TO_DATA.get(item.__class__) or _to_data_converter(item.__class__))(item)
                for item in value
            ]

    elif issubclass(cls, dict):

        def convert(value):
            return {str(key): to_data(item) for key, item in value.items()}

    elif issubclass(cls, Decimal):
        convert = str
    elif issubclass(cls, datetime | date):
        convert = cls.isoformat
    else:

        def convert(value):
            return value

    _TO_DATA[cls] = convert
    return convert


def _dataclass_converter(cls):
    """One function per dataclass that builds its dict in one expression: a field declared as
    a date or a Decimal (or None) is converted in place, a plain one copied, anything else
    goes through to_data (and so does a value whose class is not the declared one)."""
    hints = _hints(cls)
    items = []
    for index, field in enumerate(dataclasses.fields(cls)):
        kinds = _declared_kinds(hints.get(field.name))
        item = f"(v{index} := value.{field.name})"
        if kinds and kinds <= {str, int, bool, float}:
            expression = f"v{index} if {item}.__class__ in _PLAIN else to_data(v{index})"
        elif kinds == {date}:
            expression = f"v{index}.isoformat() if {item}.__class__ is date else to_data(v{index})"
        elif kinds == {Decimal}:
            expression = f"str(v{index}) if {item}.__class__ is Decimal else to_data(v{index})"
        else:
            expression = f"to_data(value.{field.name})"
        items.append(f"{field.name!r}: ({expression})")
    source = "def convert(value):\n    return {" + ", ".join(items) + "}\n"
    namespace = {"_PLAIN": _PLAIN, "date": date, "Decimal": Decimal, "to_data": to_data}
    exec(source, namespace)  # noqa: S102 - built from the dataclass's own field names
    return namespace["convert"]


def _declared_kinds(hint) -> set | None:
    """The classes a field's type hint allows besides None, or None when it is not simple."""
    if hint is None:
        return None
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    options = typing.get_args(hint) if union else (hint,)
    kinds = {option for option in options if option is not type(None)}
    return kinds if all(isinstance(kind, type) for kind in kinds) else None


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
    from metrics.selectors.charts import chart_window_start, metrics_chart_data
    from metrics.selectors.deck import build_live_deck
    from metrics.selectors.threads import live_session_threads

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
    from metrics.selectors.sessions import earlier_session_id

    earlier_id = earlier_session_id(session_id)
    if earlier_id is None:
        return None
    stored = stored_part(earlier_id, "deck")
    if stored is MISSING or stored is None:
        return to_data(_earlier_deck_now(session_id))
    return {**stored, "session_state": models.SessionState.HELD.value}


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
NOT_STORED = MISSING


def held_earlier_deck(session_id: int):
    """The earlier session's deck as stored when this session was held (one query, reading
    that part of the snapshot alone): a Deck, None when there was no earlier session, or
    NOT_STORED."""
    from metrics.selectors.deck import Deck

    stored = stored_part(session_id, "earlier")
    if stored is MISSING:
        return NOT_STORED
    return from_data(Deck, stored) if stored is not None else None


def snapshot_deck(snapshot: dict):
    """The Deck stored in a snapshot, marked held."""
    return stored_deck(snapshot["deck"])


def stored_deck(data: dict, window=None):
    """The Deck of a snapshot's stored deck data, marked held; with a DeckWindow, only its
    part (the rest of the data is never turned into objects)."""
    from metrics.selectors.deck import WHOLE_DECK, Deck

    if window is not None and window != WHOLE_DECK:
        data = dict(data)
        if window.metric_ids is not None:
            data["outcomes"] = [
                {**group, "metrics": metrics}
                for group in data["outcomes"]
                if (metrics := [m for m in group["metrics"] if m["metric_id"] in window.metric_ids])
            ]
        if window.objective_ids is not None:
            data["objectives"] = [
                block
                for block in data["objectives"]
                if block["objective_id"] in window.objective_ids
            ]
        deck = window.applied(from_data(Deck, data))
    else:
        deck = from_data(Deck, data)
    return dataclasses.replace(deck, session_state=models.SessionState.HELD)


def held_deck(session_id: int, window=None, frozen: str = ""):
    """A held session's deck as presented (or its part), read out of its snapshot: None when
    the session has no snapshot."""
    data = held_deck_data(session_id, frozen)
    return None if data is NO_STORED_DECK else stored_deck(data, window)


def presented_chart_data(session_id: int, metric_ids) -> dict:
    """The chart data a held session presented for these metrics (one query): the same
    {metric_id: MetricChartData} as metrics_chart_data()."""
    from metrics.selectors.charts import MetricChartData

    stored = stored_charts(session_id, metric_ids)
    return {
        int(metric_id): from_data(MetricChartData, stored[str(metric_id)])
        for metric_id in metric_ids
        if str(metric_id) in stored
    }


def session_chart_data(deck, metric_ids, *, until) -> dict:
    """Chart data for a session's pages: as presented for a held session, live otherwise."""
    from metrics.selectors.charts import chart_window_start, metrics_chart_data

    presented = {}
    if deck.session_state == models.SessionState.HELD:
        presented = presented_chart_data(deck.session_id, metric_ids)
    # A held session without a snapshot (loaded from a fixture) shows the live figures.
    missing = [metric_id for metric_id in metric_ids if metric_id not in presented]
    live = {}
    if missing:
        live = metrics_chart_data(missing, since=chart_window_start(deck.fiscal_year), until=until)
    return {**live, **presented}
