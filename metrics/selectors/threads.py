"""Reading comment threads: what a target key names, the counts a page prints beside its
cells (one query for the whole page), one thread with its comments and their history, and a
session's discussion panel. A held session's threads are read from its stored snapshot (what
the hold kept), never from the live rows. See docs/threads.md."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from metrics import models
from metrics.caching.decks import MISSING, stored_part
from metrics.fiscal import FiscalQuarter, is_valid_fiscal_year
from metrics.models.threads import (
    SESSION_KEY,
    key_result_cell_key,
    metric_cell_key,
    objective_key,
)
from metrics.selectors.dataclass_json import from_data
from metrics.selectors.errors import NotFoundError

# --- what a target key names ------------------------------------------------------------------

_METRIC_CELL = re.compile(
    r"m(?P<metric>\d{1,12})\.s(?P<segment>\d{1,12})\.q(?P<fy>\d{4})-(?P<q>[1-4])"
)
_KEY_RESULT_CELL = re.compile(r"kr(?P<key_result>\d{1,12})\.q(?P<fy>\d{4})-(?P<q>[1-4])")
_OBJECTIVE = re.compile(r"o(?P<objective>\d{1,12})")


@dataclass(frozen=True)
class ThreadTargetInfo:
    target: str  # models.ThreadTarget
    key: str
    label: str
    department_id: int | None
    metric: models.Metric | None = None
    segment: models.Segment | None = None
    key_result: models.KeyResult | None = None
    objective: models.Objective | None = None
    fiscal_quarter: FiscalQuarter | None = None


def _quarter(match) -> FiscalQuarter:
    fiscal_year = int(match["fy"])
    if not is_valid_fiscal_year(fiscal_year):
        raise NotFoundError(_("No such quarter."))
    return FiscalQuarter(fiscal_year, int(match["q"]))


def thread_target(session: models.TuningSession, key: str) -> ThreadTargetInfo:
    """The thing a target key names (a query at most), or NotFoundError."""
    key = key or ""
    if key == SESSION_KEY:
        return ThreadTargetInfo(
            target=models.ThreadTarget.SESSION, key=key, label=session.title, department_id=None
        )
    if match := _METRIC_CELL.fullmatch(key):
        return _metric_cell_target(match)
    if match := _KEY_RESULT_CELL.fullmatch(key):
        fiscal_quarter = _quarter(match)
        key_result = (
            models.KeyResult.objects.select_related("objective")
            .filter(pk=int(match["key_result"]))
            .first()
        )
        if key_result is None:
            raise NotFoundError(_("No such key result."))
        name = f"{key_result.objective.short_name} {key_result.code}".strip()
        return ThreadTargetInfo(
            target=models.ThreadTarget.KEY_RESULT_CELL,
            key=key_result_cell_key(
                key_result.pk, fiscal_quarter.fiscal_year, fiscal_quarter.number
            ),
            label=f"{name}, {fiscal_quarter.label}",
            department_id=key_result.objective.department_id,
            key_result=key_result,
            objective=key_result.objective,
            fiscal_quarter=fiscal_quarter,
        )
    if match := _OBJECTIVE.fullmatch(key):
        objective = models.Objective.objects.filter(pk=int(match["objective"])).first()
        if objective is None:
            raise NotFoundError(_("No such objective."))
        return ThreadTargetInfo(
            target=models.ThreadTarget.OBJECTIVE,
            key=objective_key(objective.pk),
            label=f"{objective.short_name}: {objective.title}",
            department_id=objective.department_id,
            objective=objective,
        )
    raise NotFoundError(_("No such thread target."))


def _metric_cell_target(match) -> ThreadTargetInfo:
    fiscal_quarter = _quarter(match)
    segment_id = int(match["segment"]) or None
    metric = models.Metric.objects.filter(pk=int(match["metric"])).first()
    segment = None
    if segment_id is not None:
        segment = models.Segment.objects.filter(pk=segment_id, metric_id=int(match["metric"]))
        segment = segment.first()
        if segment is None:
            raise NotFoundError(_("No such segment."))
    if metric is None:
        raise NotFoundError(_("No such metric."))
    name = f"{metric.name} · {segment.name}" if segment else metric.name
    return ThreadTargetInfo(
        target=models.ThreadTarget.METRIC_CELL,
        key=metric_cell_key(
            metric.pk, segment_id, fiscal_quarter.fiscal_year, fiscal_quarter.number
        ),
        label=f"{name}, {fiscal_quarter.label}",
        department_id=metric.department_id,
        metric=metric,
        segment=segment,
        fiscal_quarter=fiscal_quarter,
    )


# --- a thread as pages, the API and the held record read it -----------------------------------


@dataclass(frozen=True)
class RevisionItem:
    body: str  # markdown, as it read before the edit
    written_at: datetime


@dataclass(frozen=True)
class CommentItem:
    comment_id: int
    author_id: int | None
    author: str
    body: str  # markdown
    created_at: datetime
    edited_at: datetime | None
    in_reply_to_id: int | None
    version: int
    revisions: tuple[RevisionItem, ...]


@dataclass(frozen=True)
class ThreadItem:
    thread_id: int
    target: str
    target_key: str
    label: str
    department_id: int | None
    is_resolved: bool
    resolved_by: str
    resolved_at: datetime | None
    comments: tuple[CommentItem, ...]

    @property
    def comment_count(self) -> int:
        return len(self.comments)

    @property
    def last_comment_at(self) -> datetime | None:
        return self.comments[-1].created_at if self.comments else None


def display_name(user) -> str:
    if user is None:
        return "(deleted user)"
    return user.get_full_name() or user.get_username()


def _threads(queryset) -> list[ThreadItem]:
    """ThreadItems of these threads, in three queries whatever their number."""
    comments = models.Comment.objects.select_related("author").prefetch_related(
        Prefetch("revisions", queryset=models.CommentRevision.objects.order_by("replaced_at", "id"))
    )
    queryset = queryset.select_related("resolved_by").prefetch_related(
        Prefetch("comments", queryset=comments.order_by("created_at", "id"))
    )
    return [
        ThreadItem(
            thread_id=thread.pk,
            target=thread.target,
            target_key=thread.target_key,
            label=thread.label,
            department_id=thread.department_id,
            is_resolved=thread.is_resolved,
            resolved_by=display_name(thread.resolved_by) if thread.is_resolved else "",
            resolved_at=thread.resolved_at if thread.is_resolved else None,
            comments=tuple(
                CommentItem(
                    comment_id=comment.pk,
                    author_id=comment.author_id,
                    author=display_name(comment.author),
                    body=comment.body,
                    created_at=comment.created_at,
                    edited_at=comment.edited_at,
                    in_reply_to_id=comment.in_reply_to_id,
                    version=comment.version,
                    revisions=tuple(
                        RevisionItem(body=revision.body, written_at=revision.written_at)
                        for revision in comment.revisions.all()
                    ),
                )
                for comment in thread.comments.all()
            ),
        )
        for thread in queryset
    ]


def live_session_threads(session_id: int) -> list[ThreadItem]:
    """Every thread of a session with its comments, open ones first (what the hold stores)."""
    return _threads(
        models.Thread.objects.filter(session_id=session_id).order_by(
            "is_resolved", "-last_comment_at", "id"
        )
    )


def held_session_threads(session_id: int) -> list[ThreadItem] | None:
    """The threads a held session's snapshot kept, or None for a snapshot stored before it
    kept them (one query, that part of the snapshot alone)."""
    stored = stored_part(session_id, "deck", "threads")
    if stored is MISSING or stored is None:
        return None
    return [from_data(ThreadItem, item) for item in stored]


def session_threads(session: models.TuningSession) -> list[ThreadItem]:
    """A session's threads as its readers see them: as kept at the hold for a held session."""
    if session.is_held:
        held = held_session_threads(session.pk)
        if held is not None:
            return held
    return live_session_threads(session.pk)


def session_thread(session: models.TuningSession, target_key: str) -> ThreadItem | None:
    """The thread on one target of a session, or None when nobody has started it."""
    if session.is_held:
        held = held_session_threads(session.pk)
        if held is not None:
            return next((t for t in held if t.target_key == target_key), None)
    found = _threads(models.Thread.objects.filter(session_id=session.pk, target_key=target_key))
    return found[0] if found else None


# --- counts beside cells ----------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadCount:
    comments: int
    is_resolved: bool


def session_thread_counts(session_id: int, *, is_held: bool = False) -> dict[str, ThreadCount]:
    """{target key: count} of every thread of a session: one query for a whole page."""
    if is_held:
        held = held_session_threads(session_id)
        if held is not None:
            return {
                t.target_key: ThreadCount(comments=t.comment_count, is_resolved=t.is_resolved)
                for t in held
            }
    rows = models.Thread.objects.filter(session_id=session_id).values_list(
        "target_key", "comment_count", "is_resolved"
    )
    return {key: ThreadCount(comments=count, is_resolved=resolved) for key, count, resolved in rows}


@dataclass(frozen=True)
class CheckinThread:
    session_id: int
    comments: int
    is_resolved: bool


def checkin_thread_counts(*, department_id: int, quarter) -> dict[str, CheckinThread]:
    """{target key: thread} of a department's cells discussed in the sessions of a quarter
    (one query), for the check-in's counts."""
    rows = (
        models.Thread.objects.filter(
            department_id=department_id,
            session__quarter__fiscal_year=quarter.fiscal_year,
            session__quarter__number=quarter.number,
        )
        .order_by("session_id")
        .values_list("target_key", "session_id", "comment_count", "is_resolved")
    )
    counts: dict[str, CheckinThread] = {}
    for key, session_id, count, resolved in rows:
        counts.setdefault(key, CheckinThread(session_id, count, resolved))
    return counts


# --- rows the write views and the API act on --------------------------------------------------


def thread_row(session_id: int, target_key: str) -> models.Thread | None:
    return (
        models.Thread.objects.select_related("session__quarter")
        .filter(session_id=session_id, target_key=target_key)
        .first()
    )


def comment_row(comment_id: int) -> models.Comment | None:
    return (
        models.Comment.objects.select_related("thread__session__quarter", "author")
        .filter(pk=comment_id)
        .first()
    )


def mentionable_departments() -> list[tuple[str, str]]:
    """[(slug, name)] of the departments whose leads `@slug` mentions (the form's help)."""
    return list(models.Department.objects.order_by("name").values_list("slug", "name"))


def deck_with_threads(deck):
    """The deck with its session's threads (three queries): a held deck has those kept at
    the hold already; a live one gets them as they stand."""
    if deck.session_state == models.SessionState.HELD:
        return deck
    return replace(deck, threads=tuple(live_session_threads(deck.session_id)))
