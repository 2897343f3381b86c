"""One tuning session's deck: the single place the deck's structure is built.

    session_deck(session_id) -> Deck   (the dataclasses: metrics.selectors.deck_types)

A deck is built in two steps: the loader here reads the session's rows (a fixed number of
queries whatever the amount of data, see DECK_QUERIES), and the pure builders of
metrics.selectors.deck_build turn them into the deck's frozen dataclasses, which the HTML
pages and the API's deck endpoint (dataclasses.asdict) read alike. The deck's classes
are imported from deck_types, their one home.

A held session's deck is not built: it is the snapshot stored when it was held
(metrics.selectors.snapshots, read back by metrics.selectors.held_decks), so its pages stay
as presented whatever is edited later.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q
from django.utils.translation import gettext as _

from metrics import models
from metrics.selectors.deck_build import (
    DeckRows,
    deck_from_rows,
)
from metrics.selectors.deck_types import (
    WHOLE_DECK,
    Deck,
    DeckWindow,
)
from metrics.selectors.errors import NotFoundError
from metrics.selectors.held_decks import held_deck

# Queries session_deck runs, whatever the size of the data; tests hold it to this.
DECK_QUERIES = 15


def session_deck(session_id: int, window: DeckWindow = WHOLE_DECK) -> Deck:
    """The deck of one tuning session (as presented, for a held session), whole or the part
    `window` names. Raises NotFoundError for an unknown session."""
    return _session_deck(session_id, presented=True, window=window)


def build_live_deck(session_id: int) -> Deck:
    """The deck from the current figures, even for a held session (what holding stores)."""
    return _session_deck(session_id, presented=False)


def build_live_deck_parts(session_id: int, windows) -> Iterator[Deck]:
    """The live deck's parts, one per window, built one at a time from one read of the
    session row: for a writer that lets each part go before the next is built (a held
    session's snapshot, selectors/snapshots.py)."""
    session = _session_row(session_id)
    for window in windows:
        yield deck_from_rows(deck_rows(session, window), window)


def _session_deck(session_id: int, *, presented: bool, window: DeckWindow = WHOLE_DECK) -> Deck:
    # The stored snapshot stays in the database (it runs to megabytes): a held session's deck
    # is read out of it alone, and only the window's part of it turned into objects.
    session = _session_row(session_id)
    if presented and session.is_presented:
        deck = held_deck(session.id, window)
        if deck is not None:
            return deck
    return deck_from_rows(deck_rows(session, window), window)


# --- the loader: the rows a deck is built from ---------------------------------------------


def _session_row(session_id: int) -> models.TuningSession:
    """The session with its priority and quarter, and whether it has a snapshot (not read)."""
    session = (
        models.TuningSession.objects.select_related("priority", "quarter")
        .annotate(is_presented=ExpressionWrapper(Q(snapshot__isnull=False), BooleanField()))
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise NotFoundError(_("No such tuning session."))
    return session


def deck_rows(session: models.TuningSession, window: DeckWindow = WHOLE_DECK) -> DeckRows:
    """Everything the deck of `session` (or the part `window` names) is built from: the
    queries of a deck (DECK_QUERIES at most), nothing built. `session` comes with its
    priority and quarter (as _session_row reads it)."""
    objectives, narratives = _presented_objectives(_objective_rows(session, window))
    definitions = _definition_rows(session, window, objectives)
    # Every metric a row is built for: the definitions', then the key results' others.
    metric_ids = dict.fromkeys(d.metric_id for d in definitions)
    metric_ids.update(
        dict.fromkeys(
            kr.metric_id for o in objectives for kr in o.key_results.all() if kr.metric_id
        )
    )
    extras = window.extras
    return DeckRows(
        session=session,
        objectives=objectives,
        narratives=narratives,
        definitions=definitions,
        segments=_segment_rows(metric_ids),
        statuses=_status_rows(metric_ids, session.quarter),
        drilldowns=_drilldown_rows(session, window),
        footnotes=list(models.Footnote.objects.filter(session=session).order_by("id")),
        outcome_order=(
            _outcome_order(session)
            if window.metric_ids is not None and window.in_deck_order
            else None
        ),
        acronyms=_acronym_rows(session) if extras else [],
        deliverables=_deliverable_rows(session) if extras else [],
    )


def _objective_rows(session: models.TuningSession, window: DeckWindow) -> list:
    """The objectives of the session's priority and year (those of the window), with their
    department, key results (their metric and statuses up to the session's quarter), content
    blocks and the session's SessionObjective (`.presented`): five queries."""
    quarter = session.quarter
    # Read into dicts by quarter: no order needed (the models' default one joins and sorts).
    kr_statuses = (
        models.KeyResultStatus.objects.filter(
            quarter__fiscal_year=quarter.fiscal_year, quarter__number__lte=quarter.number
        )
        .select_related("quarter")
        .order_by()
    )
    objectives = models.Objective.objects.filter(
        priority=session.priority, fiscal_year=quarter.fiscal_year
    )
    if window.objective_ids is not None:
        objectives = objectives.filter(pk__in=window.objective_ids)
    return list(
        objectives.select_related("department")
        .prefetch_related(
            Prefetch(
                "key_results",
                queryset=models.KeyResult.objects.filter(is_retired=False)
                .select_related("metric__department")
                .order_by("order", "id"),
            ),
            Prefetch("key_results__statuses", queryset=kr_statuses),
            Prefetch(
                "content_blocks", queryset=models.ContentBlock.objects.order_by("order", "id")
            ),
            Prefetch(
                "session_objectives",
                queryset=models.SessionObjective.objects.filter(session=session),
                to_attr="presented",
            ),
        )
        .order_by("order", "id")
    )


def _definition_rows(session: models.TuningSession, window: DeckWindow, objectives) -> list:
    """The session's metric definitions in deck order, with their metric's department and
    outcome: the window's rows and those of its key results' metrics (which name them)."""
    definitions = models.MetricDefinition.objects.filter(session=session, is_retired=False)
    if window.metric_ids is not None:
        key_result_metrics = {
            kr.metric_id for o in objectives for kr in o.key_results.all() if kr.metric_id
        }
        definitions = definitions.filter(metric_id__in=window.metric_ids | key_result_metrics)
    return list(definitions.select_related("metric__department", "outcome").order_by("order", "id"))


def _segment_rows(metric_ids) -> dict[int, list]:
    """{metric id: its segments in order}."""
    segments = defaultdict(list)
    for segment in models.Segment.objects.filter(metric_id__in=metric_ids).order_by(
        "metric_id", "order", "id"
    ):
        segments[segment.metric_id].append(segment)
    return segments


def _status_rows(metric_ids, quarter: models.Quarter) -> dict[int, dict]:
    """{metric id: {(segment id or None, quarter number): QuarterlyStatus}} of the session's
    fiscal year up to its quarter."""
    statuses = defaultdict(dict)
    for status in (
        models.QuarterlyStatus.objects.filter(
            metric_id__in=metric_ids,
            quarter__fiscal_year=quarter.fiscal_year,
            quarter__number__lte=quarter.number,
        )
        .select_related("quarter")
        .order_by()
    ):
        statuses[status.metric_id][(status.segment_id, status.quarter.number)] = status
    return statuses


def _drilldown_rows(session: models.TuningSession, window: DeckWindow) -> dict[int, list]:
    """{objective id: the session's drill-downs of it in order, their tables and the tables'
    rows prefetched}: three queries."""
    drilldowns = models.Drilldown.objects.filter(session=session)
    if window.objective_ids is not None:
        drilldowns = drilldowns.filter(objective_id__in=window.objective_ids)
    by_objective = defaultdict(list)
    for drilldown in drilldowns.prefetch_related(
        Prefetch("tables", queryset=models.DrilldownTable.objects.order_by("order", "id")),
        Prefetch("tables__rows", queryset=models.DrilldownRow.objects.order_by("order", "id")),
    ).order_by("order", "id"):
        by_objective[drilldown.objective_id].append(drilldown)
    return by_objective


def _outcome_order(session: models.TuningSession) -> dict[int, int]:
    """{outcome id: its place in the deck}: the order of their first rows among all the
    session's (a part's outcomes print in it)."""
    order: dict[int, int] = {}
    for outcome_id in (
        models.MetricDefinition.objects.filter(session=session, is_retired=False)
        .order_by("order", "id")
        .values_list("outcome_id", flat=True)
    ):
        order.setdefault(outcome_id, len(order))
    return order


def _acronym_rows(session: models.TuningSession) -> list[tuple[str, str]]:
    return list(
        models.Acronym.objects.filter(session=session)
        .order_by("term")
        .values_list("term", "meaning")
    )


def _deliverable_rows(session: models.TuningSession) -> list[tuple[str, str | None]]:
    return list(
        models.KeyDeliverable.objects.filter(session=session)
        .order_by("order", "id")
        .values_list("title", "objective__slug")
    )


def _presented_objectives(objectives):
    """The objectives a session presents, in its order, with its narratives (SessionObjective);
    a session without such rows presents its fiscal year's objectives as they are now."""
    rows = {o.id: o.presented[0] for o in objectives if o.presented}
    if not rows:
        return objectives, {o.id: o.narrative for o in objectives}
    shown = sorted(
        (o for o in objectives if o.id in rows and not rows[o.id].is_retired),
        key=lambda o: (rows[o.id].order, o.id),
    )
    return shown, {o.id: rows[o.id].narrative for o in shown}
