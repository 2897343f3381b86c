"""What the session services share: the held check, the session row under its lock, the
version bump of a change of its rows, moving a row among its siblings, the session's events
and a new objective's slug."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from metrics.caching.versions import data_changed
from metrics.models import Objective, SessionState, TuningSession
from metrics.services.errors import ConflictError, LockedError
from metrics.services.events import event_publish
from metrics.services.history import history_record
from metrics.services.versioned import actor_or_none, is_stale


class SessionHeldError(LockedError):
    """The session was held: its deck stays as presented."""


def session_ensure_draft(session: TuningSession) -> None:
    if session.state == SessionState.HELD:
        if session.held_at:
            message = _(
                "The %(quarter)s session was held on %(date)s: its deck stays as it was "
                "presented. An admin can reopen it."
            )
        else:
            message = _(
                "The %(quarter)s session was held: its deck stays as it was presented. "
                "An admin can reopen it."
            )
        raise SessionHeldError(
            message
            % {
                "quarter": session.quarter.label,
                "date": f"{session.held_at:%Y-%m-%d}" if session.held_at else "",
            }
        )


def locked_session(session: TuningSession) -> TuningSession:
    """The session row under a lock, so two edits (or an edit and a hold) serialise. Its
    snapshot is not read (tens of MB of JSON at scale: read on access, which nothing here
    needs)."""
    return (
        TuningSession.objects.select_for_update(of=("self",))
        .select_related("quarter")
        .defer("snapshot")
        .get(pk=session.pk)
    )


def draft_session_of(row) -> TuningSession:
    session = locked_session(row.session)
    session_ensure_draft(session)
    return session


def session_bump(session: TuningSession, *, expected_version: int | None, actor) -> None:
    """A change of the session's rows is a change of the session: its version moves on, so
    a form read before the change is told someone else edited the session meanwhile."""
    if is_stale(session, expected_version):
        raise ConflictError(session)
    TuningSession.objects.filter(pk=session.pk).update(
        version=F("version") + 1, updated_by=actor_or_none(actor), updated_at=timezone.now()
    )
    session.version += 1
    data_changed()  # what its pages show changed: bumped at the end of the transaction


def rows_move(rows: list, row, step: int, *, actor, source: str) -> None:
    """Moves `row` one place up (-1) or down (+1) among `rows` and renumbers them 1..n."""
    index = next(i for i, r in enumerate(rows) if r.pk == row.pk)
    other = index + step
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for order, item in enumerate(rows, start=1):
        if item.order != order:
            history_record(
                instance=item, changes={"order": (item.order, order)}, actor=actor, source=source
            )
            type(item).objects.filter(pk=item.pk).update(order=order)
            item.order = order


def session_event(kind: str, *, session: TuningSession, actor, **extra) -> None:
    event_publish(
        kind=kind,
        actor=actor,
        payload={
            "session_id": session.pk,
            "title": session.title,
            "fiscal_year": session.quarter.fiscal_year,
            "quarter_number": session.quarter.number,
            "quarter": session.quarter.label,
            **extra,
        },
    )


def unique_objective_slug(base: str) -> str:
    base = (slugify(base) or "objective")[:90]
    slug, n = base, 2
    while Objective.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
