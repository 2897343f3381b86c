"""What cached things are keyed by: data versions, read once per request, bumped once at the
end of each write's transaction.

Two kinds of version rows (`DataVersion`, one row each):
- the structure version (scope ""): sessions and what they print besides figures, the
  catalog (metrics, outcomes, objectives, key results), departments, their leads, accounts.
  Every write that is not a figure bumps it, and it is part of every key;
- one figures version per department (scope "figures:<id>"): quarterly statuses,
  observations, key-result statuses, submissions, the recompute's results. A page that shows
  the figures of some departments only (a metric, a metrics table) is keyed by theirs, so a
  check-in saved elsewhere leaves it cached; a page that shows every department's figures
  is keyed by all of them (`DataVersions.key`).

Writes are explicit: a service runs its transaction in `data_write()` and says what it
changed with `data_changed(...)` (the history helpers say it for every row they record);
when the outermost `data_write` ends, each version touched is bumped once, in the same
transaction, so a reader never sees a version whose data is not committed and the hot rows
are locked from then to the commit: the end of the transaction, unless a caller's
transaction encloses the block (the admin's, an API write with an Idempotency-Key), which
then holds them until it commits. A write outside any `data_write` (the admin, a command,
the services still in plain `transaction.atomic()`) bumps at once, mid-transaction.

Readers read the versions first, then the data, and cache under what they read: a reader
that started before a write may store newer data under the older version, which nobody
reads once the write has committed.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.db import connection, transaction
from django.utils import timezone

from metrics.caching.compiled import compiled_rows
from metrics.models import DataVersion

STRUCTURE = ""
FIGURES = "figures:"


def figures_scope(department_id: int) -> str:
    return f"{FIGURES}{department_id}"


def _stamp(version: int, changed_at: datetime | None) -> str:
    # The time as well as the counter: a database restored from a backup (or a test rolled
    # back) counts the same numbers again, never at the same instants.
    return f"{version}.{changed_at.timestamp() if changed_at else 0:.6f}"


@dataclass(frozen=True)
class ScopedVersion:
    """A key for content that depends on the structure and some departments' figures."""

    key: str
    changed_at: datetime | None


@dataclass(frozen=True)
class DataVersions:
    """The versions a request reads under (all rows, one query)."""

    structure: tuple[int, datetime | None]
    figures: dict = field(default_factory=dict)  # {department id: (version, changed_at)}

    @property
    def version(self) -> int:
        return self.structure[0] + sum(v for v, _ in self.figures.values())

    @cached_property
    def key(self) -> str:
        """Everything: the structure and every department's figures."""
        return self._key(sorted(self.figures))

    @cached_property
    def changed_at(self) -> datetime | None:
        stamps = [at for _, at in (self.structure, *self.figures.values()) if at is not None]
        return max(stamps) if stamps else None

    @cached_property
    def structure_only(self) -> ScopedVersion:
        """For what shows no figure: a session's header, layout and sidebar, the sessions."""
        return ScopedVersion("s" + _stamp(*self.structure), self.structure[1])

    def of_departments(self, department_ids: Iterable[int]) -> ScopedVersion:
        """For what shows the figures of these departments only."""
        ids = sorted(set(department_ids))
        stamps = [at for i in ids if (at := self.figures.get(i, (0, None))[1])]
        changed = max([*stamps, self.structure[1]] if self.structure[1] else stamps, default=None)
        return ScopedVersion(self._key(ids), changed)

    def _key(self, department_ids) -> str:
        raw = "|".join(
            f"{i}:{_stamp(*self.figures[i])}" for i in department_ids if i in self.figures
        )
        digest = hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:16]
        return f"{_stamp(*self.structure)}.{digest}"

    def __eq__(self, other):
        return isinstance(other, DataVersions) and (self.structure, self.figures) == (
            other.structure,
            other.figures,
        )

    def __hash__(self):
        return hash(self.key)


@dataclass(frozen=True)
class HoldToken:
    """What a held session's stored deck depends on: which session, and which snapshot
    (`SessionHeader.frozen`: when it was held and the token the snapshot was stored with).
    Reopening drops the snapshot and holding again stores a new one, so either changes it.
    Used wherever a data version is (`cached`, `deck_for`, the ETag)."""

    session_id: int
    stamp: str

    @property
    def key(self) -> str:
        return f"held.{self.session_id}.{self.stamp}"


ContentVersion = DataVersions | ScopedVersion | HoldToken


def session_content_version(version: DataVersions, header) -> ContentVersion:
    """What a session page's own content is cached under: the hold for a held session whose
    pages read only its stored deck (`SessionHeader.frozen`), else the data versions."""
    if header.frozen:
        return HoldToken(header.session_id, header.frozen)
    return version


def session_structure_version(version: DataVersions, header) -> ContentVersion:
    """What a session's layout, sidebar and part count are cached under: they show no
    figure, so a figure saved anywhere leaves them (a held session's: its hold)."""
    if header.frozen:
        return HoldToken(header.session_id, header.frozen)
    return version.structure_only


def _versions_query():
    return DataVersion.objects.order_by().values_list("scope", "version", "changed_at")


def data_version_current() -> DataVersions:
    """The current versions: one query of a few rows, compiled once per process (every
    request reads it, and compiling it cost more than running it)."""
    structure, figures = (0, None), {}
    for scope, version, changed_at in compiled_rows(_versions_query, datetime_columns=(2,)):
        if scope == STRUCTURE:
            structure = (version, changed_at)
        elif scope.startswith(FIGURES):
            figures[int(scope[len(FIGURES) :])] = (version, changed_at)
    return DataVersions(structure, figures)


def request_data_version(request) -> DataVersions:
    """The versions a request reads under, read once per request, before any data."""
    django_request = getattr(request, "_request", request)
    token = getattr(django_request, "_okr_data_version", None)
    if token is None:
        token = django_request._okr_data_version = data_version_current()
    return token


# --- the write side ----------------------------------------------------------------------------

_pending = threading.local()


def _state() -> dict:
    """This thread's open data_write blocks and the scopes they changed."""
    if not hasattr(_pending, "depth"):
        _pending.depth, _pending.scopes = 0, set()
    return _pending.__dict__


@contextmanager
def data_write() -> Iterator[None]:
    """A service's transaction (`transaction.atomic()`), ending with one bump of each
    version its writes named through `data_changed`. Nested blocks bump at the outermost."""
    state = _state()
    with transaction.atomic():
        state["depth"] += 1
        try:
            yield
            if state["depth"] == 1 and state["scopes"]:
                scopes, state["scopes"] = state["scopes"], set()
                data_versions_bump(scopes)
        except BaseException:
            if state["depth"] == 1:
                state["scopes"] = set()
            raise
        finally:
            state["depth"] -= 1


def data_changed(*, department_ids: Iterable[int | None] | None = None) -> None:
    """Says what a write changed: the figures of these departments, or (without them) the
    structure, which every cached thing follows. Bumped at the end of the enclosing
    data_write, or at once outside one."""
    if department_ids is None:
        scopes = {STRUCTURE}
    else:
        # A figure without a department (none today) invalidates as structure does.
        scopes = {STRUCTURE if i is None else figures_scope(i) for i in department_ids}
    state = _state()
    if state["depth"]:
        state["scopes"] |= scopes
    elif scopes:
        data_versions_bump(scopes)


def data_version_bump() -> None:
    """Bump the structure version (everything cached goes stale): for writes outside the
    services (bulk loads, the shell)."""
    data_versions_bump({STRUCTURE})


def data_versions_bump(scopes: set[str]) -> None:
    """One statement: each row named bumped (a department's made on its first write)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    scopes = sorted(scopes)  # one lock order for every writer
    table = DataVersion._meta.db_table
    rows = ", ".join(["(%s, 1, %s)"] * len(scopes))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, version, changed_at) VALUES {rows} "  # noqa: S608
            f"ON CONFLICT (scope) DO UPDATE SET version = {table}.version + 1, "
            "changed_at = EXCLUDED.changed_at",
            [value for scope in scopes for value in (scope, now)],
        )
