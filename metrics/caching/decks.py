"""The per-process stores: decks built in this process, and held sessions' stored decks read
in this process. Kept in process, not in the shared cache: unpickling 36k dataclasses at
scale 100 costs a third of building them, and a held deck's JSON is 12 MB there. Both are
immutable (frozen dataclasses of tuples; JSON data nobody mutates), so sharing is safe.

Also the held-snapshot read path: parts of a held session's snapshot read out of its JSON in
SQL (`stored_part`, `stored_charts`): its stored deck (read whole, once per process and hold,
by `held_deck_data`), one page's metrics' charts, the earlier session's table; never the
whole snapshot into Python (the database still decompresses all of it for each read).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.db import connection

from metrics.caching.keys import RELEASE
from metrics.caching.store import cache_epoch
from metrics.models import TuningSession
from metrics.prometheus import deck_build_timed


class _ProcessStore:
    """A few values by key, least recently used dropped first, shared by this process's
    threads."""

    def __init__(self, kept: int):
        self.kept = kept
        self.values: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get_or_build(self, key, build: Callable):
        with self.lock:
            if key in self.values:
                self.values.move_to_end(key)
                return self.values[key]
        value = build()
        with self.lock:
            self.values[key] = value
            while len(self.values) > self.kept:
                self.values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.values.clear()


# The decks built in this process, by (version, session): every page of a session reads the
# same deck, so after a write the first cold page builds it and the others reuse it (a held
# session's, keyed by its hold, is not built again after a write at all).
DECKS = _ProcessStore(kept=4)
# Held sessions' stored deck data, by (session, hold): parsed once per process, not once per
# page. Kept few: each is ~100 MB of Python objects at scale 100.
HELD_DATA = _ProcessStore(kept=2)


def deck_for(version, session_id: int, build: Callable[[int], object]):
    """build(session_id) as of `version` (a held session's: its hold), built once per process
    and version. The cache's epoch too: emptying the cache drops these decks."""

    def timed_build():
        with deck_build_timed("deck"):
            return build(session_id)

    key = (RELEASE, version.key, cache_epoch(), session_id)
    return DECKS.get_or_build(key, timed_build)


# A part of a stored snapshot that is not there at all (a snapshot stored before it kept it),
# as against one stored as null.
MISSING = object()
# What the readers of a stored deck's data see for a session without one: nothing to list.
NO_STORED_DECK = {"outcomes": [], "objectives": [], "footnotes": []}


def held_deck_data(session_id: int, frozen: str = "") -> dict:
    """A held session's stored deck as JSON data, for reads that need a few fields of every
    row (a layout, a tally, the sidebar) without building the deck's objects; NO_STORED_DECK
    without one. With `frozen` (SessionHeader.frozen, which names the hold), kept in this
    process."""

    def read():
        data = stored_part(session_id, "deck")
        return NO_STORED_DECK if data is MISSING or data is None else data

    if not frozen:
        return read()
    data = HELD_DATA.get_or_build((session_id, frozen), read)
    if data is NO_STORED_DECK:  # nothing stored: not worth keeping
        HELD_DATA.values.pop((session_id, frozen), None)
    return data


def stored_part(session_id: int, *keys: str):
    """The part of a session's stored snapshot at `keys` ("deck"; "charts", "12"), read out
    of the JSON by the database. MISSING when the snapshot (or the part) is not there; None
    for a null."""
    table = TuningSession._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT (snapshot #> %s)::text FROM {table} WHERE id = %s",  # noqa: S608
                [list(keys), session_id],
            )
        else:
            path = "$" + "".join(f'."{key}"' for key in keys)
            cursor.execute(
                f"SELECT json_type(snapshot, %s), snapshot -> %s FROM {table} "  # noqa: S608
                "WHERE id = %s",
                [path, path, session_id],
            )
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return MISSING
    return json.loads(row[-1])


def stored_charts(session_id: int, metric_ids) -> dict:
    """{metric id as str: stored chart data} of those metrics a snapshot kept: one query
    that reads only them out of the stored charts."""
    table = TuningSession._meta.db_table
    keys = [str(metric_id) for metric_id in metric_ids]
    if not keys:
        return {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT (SELECT jsonb_object_agg(key, value) FROM jsonb_each(snapshot -> "  # noqa: S608
                f"'charts') WHERE key = ANY(%s))::text FROM {table} WHERE id = %s",
                [keys, session_id],
            )
        else:
            marks = ", ".join(["%s"] * len(keys))
            cursor.execute(
                "SELECT json_group_object(charts.key, json(charts.value)) "  # noqa: S608
                f"FROM {table}, json_each({table}.snapshot, '$.charts') AS charts "
                f"WHERE {table}.id = %s AND charts.key IN ({marks})",
                [session_id, *keys],
            )
        row = cursor.fetchone()
    return json.loads(row[0]) if row and row[0] else {}
