"""What the executive overview shows besides the deck: which departments have submitted
their status for the quarter, and when the figures were last recomputed."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from metrics import models
from metrics.caching.decks import held_deck_data
from metrics.selectors.deck import metric_attainment
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


def _live_attainments(header, department: str):
    definitions = models.MetricDefinition.objects.filter(
        session_id=header.session_id, is_retired=False
    )
    if department:
        definitions = definitions.filter(metric__department__slug=department)
    metrics = list(definitions.values_list("metric_id", "metric__state", "metric__segments_inline"))
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
    for metric_id, state, segments_inline in metrics:
        by_segment = statuses[metric_id]
        yield metric_attainment(
            paused=state == models.MetricState.PAUSED,
            segments_inline=segments_inline,
            own_status=by_segment.get(None),
            segment_statuses=[by_segment[s] for s in segment_order[metric_id] if s in by_segment],
        )
