"""A held session's snapshot (its deck, charts and the earlier session's table as presented),
stored after the hold: the hold marks the session held, locks its quarter and records who had
submitted in its request, and `session_snapshot_store` writes the snapshot, in the worker
(`metrics.session_snapshot_build`, queued when the hold commits) or in-process when the jobs
run in-process (eager Celery, no broker: tests, the development server). docs/writes.md,
"Holding a session".

Until it is stored the session's pages show the live figures, which are what was presented:
its quarter is locked and it is marked held (SessionHeader.frozen is empty, so they are
cached under the data versions). Storing it bumps the structure version, so they switch to
the stored deck.

The earlier session's table (the deck's last slide) must read as it did at the hold. The
hold records which earlier session and which of its stored decks (its snapshot's token) the
table is (`PIN_KEY` in the snapshot head); the store copies that deck in SQL, under a share
lock of the earlier session's row. An earlier session that is not held with a stored deck
cannot be pinned so: such a hold stores its snapshot in its own request, as before. A reopen
first stores every pending snapshot (`held_snapshots_store_pending`), so no reopened and
revised session can leak into one.
"""

from __future__ import annotations

import json
import logging
import secrets

from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.fields.json import KT

from metrics.caching.decks import stored_part
from metrics.caching.versions import data_changed, data_write
from metrics.models import SessionState, TuningSession
from metrics.selectors.sessions import earlier_session_id
from metrics.selectors.snapshots import (
    EARLIER_BUILT,
    EARLIER_COPIED,
    EARLIER_NONE,
    snapshot_chunks,
)
from metrics.services.jobs import job_enqueue, jobs_run_in_process

logger = logging.getLogger(__name__)

TASK = "metrics.session_snapshot_build"
# In the snapshot head (TuningSession.snapshot_head), written by the hold: the earlier
# session's table to store, {"session_id": id or None, "token": its snapshot's token}.
PIN_KEY = "earlier_pin"
_PARTS = "okr_snapshot_parts"


def earlier_pin(session_id: int) -> dict | None:
    """What a hold records of the earlier session's table (two or three queries): no earlier
    session, or the earlier session held with a stored deck named by its token; None when
    that table can only be built from live rows (the earlier session is not held)."""
    earlier_id = earlier_session_id(session_id)
    if earlier_id is None:
        return {"session_id": None, "token": ""}
    row = (
        TuningSession.objects.filter(pk=earlier_id, state=SessionState.HELD)
        .annotate(
            stored=ExpressionWrapper(Q(snapshot__isnull=False), BooleanField()),
            token=KT("snapshot_head__token"),
        )
        .values_list("stored", "token")
        .first()
    )
    if row is None or not row[0] or not row[1]:
        return None
    return {"session_id": earlier_id, "token": row[1]}


def session_snapshot_later(session: TuningSession, pin: dict | None) -> bool:
    """Whether the hold of `session` leaves its snapshot to the worker: when the jobs run
    out of process and its earlier table is pinned. Then it is queued when the hold commits;
    otherwise the caller stores it now."""
    if pin is None or jobs_run_in_process():
        return False
    session_id = session.pk
    transaction.on_commit(lambda: _enqueue(session_id))
    return True


def _enqueue(session_id: int) -> None:
    try:
        job_enqueue(task=TASK, args=(session_id,))
    except Exception:
        # No broker to take it: stored here, after the hold's commit, as before.
        logger.warning("Snapshot of session %s not queued: stored in-process.", session_id)
        try:
            session_snapshot_store(session_id=session_id)
        except Exception:
            # The hold stands (committed); the pending sweep stores it later
            # (metrics.session_snapshots_pending), and the pages read live figures until then.
            logger.exception("Snapshot of session %s not stored.", session_id)


def session_snapshot_store(*, session_id: int) -> bool:
    """Stores the snapshot of a held session that has none yet; True when it stored one.
    Does nothing for a session reopened (or deleted) meanwhile, or one stored already, so it
    is safe to run twice; one transaction, so a run killed midway stores nothing."""
    with data_write():
        row = (
            TuningSession.objects.select_for_update(of=("self",))
            .filter(pk=session_id)
            .annotate(stored=ExpressionWrapper(Q(snapshot__isnull=False), BooleanField()))
            .values_list("state", "stored", "snapshot_head")
            .first()
        )
        if row is None or row[0] != SessionState.HELD or row[1]:
            return False
        hold_head = row[2] if isinstance(row[2], dict) else {}
        pin = hold_head.get(PIN_KEY) if PIN_KEY in hold_head else earlier_pin(session_id)
        earlier, copy_from = _earlier_source(session_id, pin)
        token = secrets.token_hex(8)
        presented = {"title": "", "priority": ""}  # the deck's, filled as it is written
        _write(
            session_id,
            snapshot_chunks(session_id, token=token, earlier=earlier, head=presented),
            copy_from=copy_from,
        )
        complete = earlier != EARLIER_COPIED or copy_from is not None
        TuningSession.objects.filter(pk=session_id).update(
            snapshot_head={**hold_head, **presented, "token": token, "complete": complete}
        )
        data_changed()  # its pages now read the stored deck (SessionHeader.frozen)
    return True


def _earlier_source(session_id: int, pin: dict | None) -> tuple[str, int | None]:
    """How the earlier table is stored: (EARLIER_BUILT, None) for an unpinned one,
    (EARLIER_NONE, None) without an earlier session, (EARLIER_COPIED, its id) for the pinned
    stored deck; (EARLIER_COPIED, None), left out (read live), if that deck is not the one
    pinned any more (a reopen that did not store the pending snapshots first)."""
    if pin is None:
        return EARLIER_BUILT, None
    earlier_id = pin.get("session_id")
    if earlier_id is None:
        return EARLIER_NONE, None
    # Shared: no reopen of the earlier session until this snapshot is stored.
    token = (
        TuningSession.objects.select_for_update(of=("self",))
        .filter(pk=earlier_id, state=SessionState.HELD, snapshot__isnull=False)
        .values_list(KT("snapshot_head__token"), flat=True)
        .first()
        if connection.vendor != "postgresql"
        else _share_locked_token(earlier_id)
    )
    if token != pin.get("token"):
        logger.error(
            "Session %s: the earlier session %s changed since the hold; its table is left out.",
            session_id,
            earlier_id,
        )
        return EARLIER_COPIED, None
    return EARLIER_COPIED, earlier_id


def _share_locked_token(earlier_id: int) -> str | None:
    table = TuningSession._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT snapshot_head ->> 'token' FROM {table} "  # noqa: S608
            "WHERE id = %s AND state = %s AND snapshot IS NOT NULL FOR SHARE",
            [earlier_id, SessionState.HELD.value],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _write(session_id: int, chunks, *, copy_from: int | None) -> None:
    """The snapshot's text written piece by piece (PostgreSQL: into a temporary table, put
    together and parsed by the database, so this process never holds the whole text), with
    the earlier session's stored deck copied in SQL when `copy_from` names it."""
    table = TuningSession._meta.db_table
    if connection.vendor != "postgresql":
        data = json.loads("".join(chunks))
        if copy_from is not None:
            data["earlier"] = {**stored_part(copy_from, "deck"), "session_state": "held"}
        TuningSession.objects.filter(pk=session_id).update(snapshot=data)
        return
    earlier = ""
    params: list = []
    if copy_from is not None:
        earlier = (
            " || jsonb_build_object('earlier', (SELECT (e.snapshot -> 'deck') || "  # noqa: S608
            f"jsonb_build_object('session_state', 'held') FROM {table} e WHERE e.id = %s))"
        )
        params.append(copy_from)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {_PARTS} (ord integer, chunk text)")
        for number, chunk in enumerate(chunks):
            cursor.execute(f"INSERT INTO {_PARTS} VALUES (%s, %s)", [number, chunk])  # noqa: S608
        cursor.execute(
            f"UPDATE {table} SET snapshot = (SELECT string_agg(chunk, '' ORDER BY ord) "  # noqa: S608
            f"FROM {_PARTS})::jsonb{earlier} WHERE id = %s",
            [*params, session_id],
        )
        cursor.execute(f"DROP TABLE {_PARTS}")


def held_snapshots_pending() -> list[int]:
    """The held sessions whose snapshot is not stored yet (queued, or lost with a worker)."""
    return list(
        TuningSession.objects.filter(state=SessionState.HELD, snapshot__isnull=True)
        .order_by("quarter__fiscal_year", "quarter__number", "id")
        .values_list("id", flat=True)
    )


def held_snapshots_store_pending(*, exclude: int | None = None) -> int:
    """Stores every pending snapshot now (before a reopen, which could otherwise change what
    they show): how many were stored."""
    return sum(
        session_snapshot_store(session_id=session_id)
        for session_id in held_snapshots_pending()
        if session_id != exclude
    )


def held_snapshots_enqueue_pending() -> int:
    """Queues the build of every pending snapshot (the worker's sweep: a message lost with a
    broker or a worker): how many were queued."""
    pending = held_snapshots_pending()
    for session_id in pending:
        job_enqueue(task=TASK, args=(session_id,))
    return len(pending)
