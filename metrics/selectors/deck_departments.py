"""A live session's deck part put together from parts cached per department's figures, so
that the first reader after a check-in save rebuilds the rows of that department only.

    deck_part_by_departments(header, window, version=...) -> Deck   (== session_deck(...))

A page that shows every department (the overview, a metrics table, the whole deck, the deck
API) is cached under every department's figures version: any save makes it stale. Its rows
are not: a metric row shows its own metric's figures, an objective block those of its
department and of its key results' metrics. So the window's rows are grouped by the
departments whose figures they show, each group cached under the structure version and
those departments' figures versions (`DataVersions.of_departments`); the groups a write made
stale are built together, in one `session_deck` of their rows (the deck's own builders,
a fixed number of queries), and the part is put back together in deck order around a shell
of what is not a row (the session's texts, deliverables, acronyms and footnotes), cached
under the structure version. `tests/selectors/test_deck_departments.py` checks that the result
equals `session_deck(session_id, window)`, before and after writes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from metrics import models
from metrics.caching.store import cached, cached_many
from metrics.caching.versions import DataVersions
from metrics.selectors.deck import session_deck
from metrics.selectors.deck_types import Deck, DeckWindow, FootnoteItem, OutcomeGroup
from metrics.selectors.session_pages import objective_departments, session_nav


@dataclass(frozen=True)
class _Rows:
    """One group's rows as built: (metric id, outcome id, outcome statement, MetricRow) and
    ObjectiveBlocks."""

    metrics: tuple
    objectives: tuple


def session_nav_cached(header, version: DataVersions):
    """The session's sidebar links (the views' `nav`, under the same key)."""
    return cached(version.structure_only, ("nav", header.session_id), lambda: session_nav(header))


def objective_departments_cached(header, version: DataVersions, nav=None) -> dict[int, frozenset]:
    """{objective id: the departments whose figures its block shows} (the sidebar's links,
    `nav`, read only to build it)."""

    def build():
        links = nav or session_nav_cached(header, version)
        return objective_departments(o.id for o in links.objectives)

    return cached(version.structure_only, ("objective-departments", header.session_id), build)


def deck_part_by_departments(
    header, window: DeckWindow, *, version: DataVersions, nav=None
) -> Deck:
    """session_deck(header.session_id, window) of a live session, its rows read from parts
    cached per department (one round trip to the cache), the stale ones rebuilt together.
    `nav` (session_nav_cached), when the caller has it already, is not read again."""
    session_id = header.session_id
    nav = nav or session_nav_cached(header, version)
    groups = _groups(window, nav, lambda: objective_departments_cached(header, version, nav))
    # Each group under its departments' versions, named by its rows (metric and objective ids).
    items = {
        departments: (_group_version(version, departments), ("deck-rows", session_id, *ids))
        for departments, ids in groups.items()
    }
    parts = cached_many(items, lambda missing: _built(session_id, {d: groups[d] for d in missing}))
    shell = cached(
        version.structure_only,
        ("deck-shell", session_id, window.extras),
        lambda: _shell(session_id, window.extras),
    )
    return window.applied(_merged(shell, parts.values(), nav))


def _groups(window: DeckWindow, nav, objective_departments) -> dict:
    """{departments: (metric ids, objective ids)} of the window's rows, each id list sorted."""
    metric_department = {link.id: link.department_id for link in nav.metrics}
    metric_ids = [link.id for link in nav.metrics if window.shows_metric(link.id)]
    objective_ids = [
        link.id
        for link in nav.objectives
        if window.objective_ids is None or link.id in window.objective_ids
    ]
    of_objective = objective_departments() if objective_ids else {}
    groups: dict[frozenset, tuple[list, list]] = {}
    for metric_id in metric_ids:
        key = frozenset((metric_department.get(metric_id),))
        groups.setdefault(key, ([], []))[0].append(metric_id)
    for objective_id in objective_ids:
        key = of_objective.get(objective_id, frozenset((None,)))
        groups.setdefault(key, ([], []))[1].append(objective_id)
    return {
        key: (tuple(sorted(metrics)), tuple(sorted(objectives)))
        for key, (metrics, objectives) in groups.items()
    }


def _group_version(version: DataVersions, departments: frozenset):
    # A figure without a department bumps the structure version (versions.data_changed),
    # which every key of of_departments holds.
    return version.of_departments(d for d in departments if d is not None)


def _built(session_id: int, groups: dict) -> dict:
    """The rows of these groups, built in one deck of all their rows."""
    metric_ids = frozenset(m for metrics, _ in groups.values() for m in metrics)
    objective_ids = frozenset(o for _, objectives in groups.values() for o in objectives)
    deck = session_deck(
        session_id,
        DeckWindow(
            metric_ids=metric_ids, objective_ids=objective_ids, extras=False, in_deck_order=False
        ),
    )
    rows = {
        row.metric_id: (row.metric_id, group.outcome_id, group.statement, row)
        for group in deck.outcomes
        for row in group.metrics
    }
    blocks = {block.objective_id: block for block in deck.objectives}
    return {
        key: _Rows(
            metrics=tuple(rows[m] for m in metrics if m in rows),
            objectives=tuple(blocks[o] for o in objectives if o in blocks),
        )
        for key, (metrics, objectives) in groups.items()
    }


def _shell(session_id: int, extras: bool) -> Deck:
    """The deck without rows (texts, deliverables and acronyms if `extras`), with every
    footnote of the session in its order (a part keeps those its rows use)."""
    shell = session_deck(
        session_id, DeckWindow(metric_ids=frozenset(), objective_ids=frozenset(), extras=extras)
    )
    footnotes = models.Footnote.objects.filter(session_id=session_id).order_by("id")
    return replace(
        shell,
        footnotes=tuple(FootnoteItem(marker=f.marker, meaning=f.meaning) for f in footnotes),
    )


def _merged(shell: Deck, parts, nav) -> Deck:
    """The shell with the parts' rows in deck order (the sidebar's: grouped by outcome in
    the order each outcome first appears) and their objectives in the session's order."""
    metric_order = {link.id: n for n, link in enumerate(nav.metrics)}
    objective_order = {link.id: n for n, link in enumerate(nav.objectives)}
    rows = sorted((row for part in parts for row in part.metrics), key=lambda r: metric_order[r[0]])
    groups: dict[int, tuple[str, list]] = {}
    for _metric_id, outcome_id, statement, row in rows:
        groups.setdefault(outcome_id, (statement, []))[1].append(row)
    return replace(
        shell,
        outcomes=tuple(
            OutcomeGroup(outcome_id=o, statement=s, metrics=tuple(r), footnotes=())
            for o, (s, r) in groups.items()
        ),
        objectives=tuple(
            sorted(
                (block for part in parts for block in part.objectives),
                key=lambda b: objective_order[b.objective_id],
            )
        ),
    )
