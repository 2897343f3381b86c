"""A held session's deck read back out of its stored snapshot (TuningSession.snapshot, written
by metrics.selectors.snapshots.snapshot_build): the deck as presented, or the part of it a
DeckWindow names (only that part turned into objects), and the earlier session's deck its last
slide (S17) kept. One query each: the part is read out of the JSON by the database
(metrics.caching.decks).

session_deck (metrics.selectors.deck) reads a held session's deck from here, and
metrics.selectors.snapshots names these functions too; this module imports neither, so
neither import comes back round.
"""

from __future__ import annotations

import dataclasses

from metrics import models
from metrics.caching.decks import MISSING, NO_STORED_DECK, held_deck_data, stored_part
from metrics.selectors.dataclass_json import from_data
from metrics.selectors.deck_types import WHOLE_DECK, Deck, DeckWindow

# A held session's snapshot stored before it kept the earlier session's slide.
NOT_STORED = MISSING


def held_earlier_deck(session_id: int):
    """The earlier session's deck as stored when this session was held (one query, reading
    that part of the snapshot alone): a Deck, None when there was no earlier session, or
    NOT_STORED."""
    stored = stored_part(session_id, "earlier")
    if stored is MISSING:
        return NOT_STORED
    return from_data(Deck, stored) if stored is not None else None


def stored_deck(data: dict, window: DeckWindow | None = None) -> Deck:
    """The Deck of a snapshot's stored deck data, marked held; with a DeckWindow, only its
    part (the rest of the data is never turned into objects)."""
    if window is not None and window != WHOLE_DECK:
        deck = window.applied(from_data(Deck, _window_data(data, window)))
    else:
        deck = from_data(Deck, data)
    return dataclasses.replace(deck, session_state=models.SessionState.HELD)


def _window_data(data: dict, window: DeckWindow) -> dict:
    """The stored deck data of the window's outcomes and objectives alone."""
    data = dict(data)
    if window.metric_ids is not None:
        data["outcomes"] = [
            {**group, "metrics": metrics}
            for group in data["outcomes"]
            if (metrics := [m for m in group["metrics"] if m["metric_id"] in window.metric_ids])
        ]
    if window.objective_ids is not None:
        data["objectives"] = [
            block for block in data["objectives"] if block["objective_id"] in window.objective_ids
        ]
    return data


def held_deck(session_id: int, window: DeckWindow | None = None, frozen: str = "") -> Deck | None:
    """A held session's deck as presented (or its part), read out of its snapshot: None when
    the session has no snapshot."""
    data = held_deck_data(session_id, frozen)
    return None if data is NO_STORED_DECK else stored_deck(data, window)
