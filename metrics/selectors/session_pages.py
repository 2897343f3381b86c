"""Per-page reads of one tuning session: each page reads what it shows, not the whole deck.

    session_header(session_id)      the session bar and navigation (one query)
    session_nav(session_id)         the sidebar: metric and objective links (.values() rows)
    session_acronyms(session_id)    the appendix
    metric_page(session_id, slug)   one metric's row (a MetricRow of deck.py) and footnotes
    objective_page(session_id, slug) one objective's block (an ObjectiveBlock of deck.py)

They build the same dataclasses as metrics.selectors.deck, with its helpers, so a page shows
exactly what the whole deck shows for it. A held session's pages come from the deck as
presented (session_deck reads its snapshot), never from the live rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.fields.json import KT
from django.utils.translation import gettext as _

from metrics import models
from metrics.caching.decks import held_deck_data
from metrics.selectors.dataclass_json import from_data
from metrics.selectors.deck import session_deck
from metrics.selectors.deck_build import _metric_row
from metrics.selectors.deck_types import (
    QUARTERS,
    AcronymItem,
    Deck,
    FootnoteItem,
    MetricRow,
    ObjectiveBlock,
    used_markers,
)
from metrics.selectors.errors import NotFoundError


@dataclass(frozen=True)
class SessionHeader:
    """What every page of a session prints around its content (the names match Deck's)."""

    session_id: int
    title: str
    priority: str
    priority_id: int
    quarter_id: int
    quarter_number: int
    quarter_label: str
    quarter_end_date: date
    fiscal_year: int
    is_held: bool
    session_state: str
    quarters: tuple[int, ...] = field(default=QUARTERS)
    # Which stored deck its pages show (when it was held, the snapshot's token), if they read
    # nothing but that deck (its charts and the earlier session's slide kept too); empty
    # otherwise. Their content is cached under it, not under the data version
    # (metrics.caching.versions.session_content_version).
    frozen: str = ""

    @property
    def held(self) -> bool:
        """Held (its quarter locked, who had submitted recorded), whether or not its deck is
        stored yet: what the pages say about the session. `is_held` says where they read
        its deck: the stored one (services/sessions/snapshots.py: stored after the hold)."""
        return self.session_state == models.SessionState.HELD


@dataclass(frozen=True)
class NavLink:
    slug: str
    label: str
    id: int = 0  # the metric's or the objective's
    # The metric's department (None: none, or not known: a held session's stored links),
    # which says whose figures the metric's page shows (metrics.caching.versions).
    department_id: int | None = None


@dataclass(frozen=True)
class SessionNav:
    metrics: tuple[NavLink, ...]
    objectives: tuple[NavLink, ...]


@dataclass(frozen=True)
class MetricPage:
    row: MetricRow
    outcome_statement: str
    footnotes: tuple[FootnoteItem, ...]  # the markers this row's cells use


def session_header(session_id: int) -> SessionHeader:
    """One query; NotFoundError for an unknown session."""
    # A held session's bar reads as presented too (a priority renamed later is not shown):
    # the two names are read out of the stored deck in SQL, not the whole deck parsed.
    session = (
        models.TuningSession.objects.select_related("priority", "quarter")
        .annotate(
            is_presented=ExpressionWrapper(Q(snapshot__isnull=False), output_field=BooleanField()),
            # Read from the snapshot's small head, never out of the snapshot itself (reading
            # a key there decompresses all of it). A snapshot stored before it kept the
            # charts and the earlier slide ("complete") falls back to live figures for those.
            is_complete=KT("snapshot_head__complete"),
            presented_title=KT("snapshot_head__title"),
            presented_priority=KT("snapshot_head__priority"),
            snapshot_token=KT("snapshot_head__token"),
        )
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise NotFoundError(_("No such tuning session."))
    quarter = session.quarter
    return SessionHeader(
        session_id=session.id,
        title=session.presented_title or session.title,
        priority=session.presented_priority or session.priority.name,
        priority_id=session.priority_id,
        quarter_id=quarter.id,
        quarter_number=quarter.number,
        quarter_label=quarter.label,
        quarter_end_date=quarter.end_date,
        fiscal_year=quarter.fiscal_year,
        # A held session shows its snapshot, the deck as it was presented.
        is_held=session.is_presented,
        session_state=models.SessionState.HELD if session.is_presented else session.state,
        frozen=_frozen(session),
    )


def _frozen(session) -> str:
    if not (
        session.is_presented
        and str(session.is_complete).lower() in ("true", "1")
        and session.held_at
    ):
        return ""
    # The token too: a snapshot stored again at the same hold time (the seed, reloaded and
    # frozen again) is another deck.
    return f"{session.held_at.timestamp():.6f}.{session.snapshot_token or ''}"


def session_nav(header: SessionHeader) -> SessionNav:
    """The sidebar's links, in deck order (two queries of plain rows); a held session's from
    its deck as presented (the stored rows' data, no object built)."""
    if header.is_held:
        deck = held_deck_data(header.session_id, header.frozen)
        return SessionNav(
            metrics=tuple(
                NavLink(r["slug"], r["chart_title"] or r["name"], r["metric_id"])
                for group in deck["outcomes"]
                for r in group["metrics"]
            ),
            objectives=tuple(
                NavLink(o["slug"], o["short_name"], o["objective_id"]) for o in deck["objectives"]
            ),
        )
    definitions = models.MetricDefinition.objects.filter(
        session_id=header.session_id, is_retired=False
    )
    metric_links = []
    outcome_order: dict[int, int] = {}
    rows = list(
        definitions.order_by("order", "id").values_list(
            "outcome_id",
            "metric__slug",
            "metric__chart_title",
            "name",
            "metric_id",
            "metric__department_id",
        )
    )
    for outcome_id, *_rest in rows:
        outcome_order.setdefault(outcome_id, len(outcome_order))
    # The deck groups rows by outcome, in the order each outcome first appears.
    for _outcome_id, slug, chart_title, name, metric_id, department_id in sorted(
        rows, key=lambda r: outcome_order[r[0]]
    ):
        metric_links.append(NavLink(slug, chart_title or name, metric_id, department_id))
    presented = list(
        models.SessionObjective.objects.filter(session_id=header.session_id)
        .order_by("order", "objective_id")
        .values_list("objective__slug", "objective__short_name", "objective_id", "is_retired")
    )
    if presented:  # the session's own list of objectives (see deck._presented_objectives)
        objectives = [(slug, name, oid) for slug, name, oid, retired in presented if not retired]
    else:
        objectives = (
            models.Objective.objects.filter(
                priority_id=header.priority_id, fiscal_year=header.fiscal_year
            )
            .order_by("order", "id")
            .values_list("slug", "short_name", "id")
        )
    return SessionNav(
        metrics=tuple(metric_links),
        objectives=tuple(NavLink(slug, name, oid) for slug, name, oid in objectives),
    )


def session_acronyms(header: SessionHeader) -> tuple[AcronymItem, ...]:
    if header.is_held:
        return session_deck(header.session_id).acronyms
    return tuple(
        AcronymItem(term=term, meaning=meaning)
        for term, meaning in models.Acronym.objects.filter(session_id=header.session_id)
        .order_by("term")
        .values_list("term", "meaning")
    )


def _footnotes(header: SessionHeader, metric_rows, kr_rows=()) -> tuple[FootnoteItem, ...]:
    used = used_markers(metric_rows, kr_rows)
    if not used:
        return ()
    return tuple(
        FootnoteItem(marker=marker, meaning=meaning)
        for marker, meaning in models.Footnote.objects.filter(
            session_id=header.session_id, marker__in=used
        )
        .order_by("id")
        .values_list("marker", "meaning")
    )


def _metric_rows(header: SessionHeader, metrics, definitions) -> dict[int, MetricRow]:
    """Rows for `metrics` (Metric instances with their department): two queries."""
    segments = defaultdict(list)
    for segment in models.Segment.objects.filter(metric__in=metrics).order_by(
        "metric_id", "order", "id"
    ):
        segments[segment.metric_id].append(segment)
    statuses = defaultdict(dict)
    for status in (
        models.QuarterlyStatus.objects.filter(
            metric__in=metrics,
            quarter__fiscal_year=header.fiscal_year,
            quarter__number__lte=header.quarter_number,
        )
        .select_related("quarter")
        .order_by()
    ):
        statuses[status.metric_id][(status.segment_id, status.quarter.number)] = status
    return {
        metric.id: _metric_row(
            metric,
            definitions.get(metric.id),
            segments[metric.id],
            statuses[metric.id],
            header.quarter_number,
        )
        for metric in metrics
    }


def metric_page(header: SessionHeader, slug: str) -> MetricPage:
    """One metric as the session shows it: in its metrics table, or as a key result's metric.
    NotFoundError when the session shows no such metric."""
    if header.is_held:
        return _held_metric_page(header, slug)
    definition = (
        models.MetricDefinition.objects.filter(
            session_id=header.session_id, metric__slug=slug, is_retired=False
        )
        .select_related("metric__department", "outcome")
        .first()
    )
    if definition is not None:
        metric = definition.metric
    else:
        metric = (
            models.Metric.objects.select_related("department")
            .filter(
                slug=slug,
                key_results__is_retired=False,
                key_results__objective__priority_id=header.priority_id,
                key_results__objective__fiscal_year=header.fiscal_year,
            )
            .first()
        )
        if metric is None:
            raise NotFoundError(_("This session has no such metric."))
    definitions = {metric.id: definition} if definition else {}
    row = _metric_rows(header, [metric], definitions)[metric.id]
    return MetricPage(
        row=row,
        outcome_statement=definition.outcome.statement if definition else "",
        footnotes=_footnotes(header, [row]),
    )


def _held_metric_page(header: SessionHeader, slug: str) -> MetricPage:
    """The metric as the held session presented it: its row alone turned into objects out
    of the stored deck's data."""
    deck = held_deck_data(header.session_id, header.frozen)
    found = next(
        (
            (group["statement"], row)
            for group in deck["outcomes"]
            for row in group["metrics"]
            if row["slug"] == slug
        ),
        None,
    ) or next(
        (
            ("", kr["metric_row"])
            for block in deck["objectives"]
            for kr in block["key_results"]
            if kr["metric_row"] and kr["metric_row"]["slug"] == slug
        ),
        None,
    )
    if found is None:
        raise NotFoundError(_("This session has no such metric."))
    statement, data = found
    row = from_data(MetricRow, data)
    used = used_markers([row], ())
    footnotes = tuple(
        FootnoteItem(marker=f["marker"], meaning=f["meaning"])
        for f in deck["footnotes"]
        if f["marker"] in used
    )
    return MetricPage(row, statement, footnotes)


def objective_page(header: SessionHeader, slug: str, deck: Deck | None = None) -> ObjectiveBlock:
    """One objective with its key results (metric rows included) and drill-downs. Built with
    the deck (its per-session narratives, order and retired rows are the deck's rules; the
    page passes the deck every page of the version shares), then cached under the data
    version by the page."""
    block = (deck or session_deck(header.session_id)).objective(slug)
    if block is None:
        raise NotFoundError(_("This session has no such objective."))
    return block


def objective_departments(objective_ids) -> dict[int, frozenset]:
    """Whose figures each objective's page shows (one query of plain rows): the objective's
    department (its key results' statuses) and those of its key results' metrics (their rows).
    None among them for a metric or an objective without a department."""
    rows = models.Objective.objects.filter(id__in=list(objective_ids)).values_list(
        "id", "department_id", "key_results__metric_id", "key_results__metric__department_id"
    )
    departments: dict[int, set] = defaultdict(set)
    for objective_id, department_id, metric_id, metric_department_id in rows:
        departments[objective_id].add(department_id)
        if metric_id is not None:
            departments[objective_id].add(metric_department_id)
    return {objective_id: frozenset(ids) for objective_id, ids in departments.items()}


def objective_id_in_session(header: SessionHeader, slug: str) -> int:
    """The id of the objective `slug` that the (live) session presents (one or two queries);
    NotFoundError when it presents no such objective."""
    presented = models.SessionObjective.objects.filter(session_id=header.session_id)
    if presented.exists():
        objective_id = (
            presented.filter(objective__slug=slug, is_retired=False)
            .values_list("objective_id", flat=True)
            .first()
        )
    else:
        objective_id = (
            models.Objective.objects.filter(
                priority_id=header.priority_id, fiscal_year=header.fiscal_year, slug=slug
            )
            .values_list("id", flat=True)
            .first()
        )
    if objective_id is None:
        raise NotFoundError(_("This session has no such objective."))
    return objective_id
