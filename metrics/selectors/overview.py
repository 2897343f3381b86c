"""What the executive overview shows besides the deck: which departments have submitted
their status for the quarter, and when the figures were last recomputed."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from metrics import models
from metrics.caching.decks import held_deck_data
from metrics.selectors.deck_build import metric_attainment
from metrics.selectors.job_runs import job_run_latest
from metrics.selectors.review import checkin_states


@dataclass(frozen=True)
class DepartmentItem:
    name: str
    slug: str
    id: int = 0


def departments() -> list[DepartmentItem]:
    return [
        DepartmentItem(d.name, d.slug, d.pk) for d in models.Department.objects.order_by("name")
    ]


def submissions_for_quarter(quarter_id: int, all_departments: list[DepartmentItem]):
    """Every department with its check-in state for the quarter (selectors/review.py)."""
    return checkin_states(quarter_id, all_departments)


def last_recompute() -> datetime | None:
    """When a recompute last finished successfully (one query)."""
    run = job_run_latest()
    return run.finished_at if run else None


def attainment_tally(header, *, department: str = "") -> list[dict]:
    """How many of the session's metrics (of `department`) stand at each goal attainment in
    its quarter, with the rule of the deck's rows (deck.metric_attainment) applied to plain
    rows: three queries, no row built, whatever the number of metrics. A held session counts
    its deck as presented (the stored rows' attainment)."""
    if header.is_held:
        deck = held_deck_data(header.session_id, header.frozen)
        counted = Counter(
            row["attainment"]
            for group in deck["outcomes"]
            for row in group["metrics"]
            if not department or row["department_slug"] == department
        )
    else:
        counted = Counter(_live_attainments(header, department))
    return [{"attainment": value, "count": counted[value]} for value in models.Attainment.values]


def _department_filter(field: str, department_ids) -> Q:
    """Rows of these departments (None among them: rows without one)."""
    ids = [i for i in department_ids if i is not None]
    condition = Q(**{f"{field}__in": ids})
    if None in department_ids:
        condition |= Q(**{f"{field}__isnull": True})
    return condition


def _live_attainments(header, department: str):
    ids = None
    if department:
        ids = list(models.Department.objects.filter(slug=department).values_list("id", flat=True))
    for counter in live_attainments(header, ids).values():
        yield from counter.elements()


def live_attainments(header, department_ids=None) -> dict:
    """{department id: Counter of attainments} of the session's metrics (of these
    departments; None: all), with the deck's rule (deck_build.metric_attainment) applied to
    plain rows: three queries, no row built."""
    definitions = models.MetricDefinition.objects.filter(
        session_id=header.session_id, is_retired=False
    )
    if department_ids is not None:
        definitions = definitions.filter(
            _department_filter("metric__department_id", department_ids)
        )
    metrics = list(
        definitions.values_list(
            "metric_id", "metric__state", "metric__segments_inline", "metric__department_id"
        )
    )
    metric_ids = definitions.values("metric_id")
    segment_order = defaultdict(list)
    for metric_id, segment_id in (
        models.Segment.objects.filter(metric_id__in=metric_ids)
        .order_by("metric_id", "order", "id")
        .values_list("metric_id", "id")
    ):
        segment_order[metric_id].append(segment_id)
    statuses = defaultdict(dict)
    for metric_id, segment_id, state, attainment in (
        models.QuarterlyStatus.objects.filter(
            metric_id__in=metric_ids, quarter_id=header.quarter_id
        )
        .order_by()
        .values_list("metric_id", "segment_id", "state", "attainment")
    ):
        statuses[metric_id][segment_id] = SimpleNamespace(state=state, attainment=attainment)
    counted = {i: Counter() for i in department_ids or ()}
    for metric_id, state, segments_inline, department_id in metrics:
        by_segment = statuses[metric_id]
        counted.setdefault(department_id, Counter())[
            metric_attainment(
                paused=state == models.MetricState.PAUSED,
                segments_inline=segments_inline,
                own_status=by_segment.get(None),
                segment_statuses=[
                    by_segment[s] for s in segment_order[metric_id] if s in by_segment
                ],
            )
        ] += 1
    return counted


def confidence_tally(header, *, department: str = "") -> list[dict]:
    """How many of the session's key results (of `department`) stand at each confidence in
    its quarter, as their leads set it, and how many have none: one query (a held session:
    its stored deck, as presented). Beside attainment_tally, which counts metrics."""
    if header.is_held:
        deck = held_deck_data(header.session_id, header.frozen)
        counted = Counter(
            _stored_confidence(key_result, header.quarter_number)
            for objective in deck["objectives"]
            if not department or objective["department_slug"] == department
            for key_result in objective["key_results"]
        )
    else:
        counted = Counter(_live_confidences(header, department))
    return [
        {"confidence": value, "label": label, "count": counted[value]}
        for value, label in [*models.Confidence.choices, ("", _("Not given"))]
    ]


def _stored_confidence(key_result: dict, quarter_number: int) -> str:
    cells = key_result.get("cells") or ()
    cell = next((c for c in cells if c.get("quarter") == quarter_number), {})
    return cell.get("confidence", "")  # decks stored before confidence existed: none


def _live_confidences(header, department: str):
    ids = None
    if department:
        ids = list(models.Department.objects.filter(slug=department).values_list("id", flat=True))
    for counter in live_confidences(header, ids).values():
        yield from counter.elements()


def live_confidences(header, department_ids=None) -> dict:
    """{department id: Counter of confidences ("" for none)} of the key results the session
    presents (of these departments' objectives; None: all), in its quarter: one query."""
    key_results = models.KeyResult.objects.filter(
        is_retired=False,
        objective__priority_id=header.priority_id,
        objective__fiscal_year=header.fiscal_year,
    )
    presented = models.SessionObjective.objects.filter(session_id=header.session_id)
    # A session without objective rows of its own presents its fiscal year's objectives.
    shown_here = presented.filter(objective_id=OuterRef("objective_id"), is_retired=False)
    key_results = key_results.filter(Exists(shown_here) | ~Exists(presented))
    if department_ids is not None:
        key_results = key_results.filter(
            _department_filter("objective__department_id", department_ids)
        )
    confidence = models.KeyResultStatus.objects.filter(
        key_result_id=OuterRef("pk"), quarter_id=header.quarter_id
    ).values("confidence")[:1]
    counted = {i: Counter() for i in department_ids or ()}
    for department_id, value in (
        key_results.annotate(confidence=Subquery(confidence))
        .order_by()
        .values_list("objective__department_id", "confidence")
    ):
        counted.setdefault(department_id, Counter())[value or ""] += 1
    return counted
