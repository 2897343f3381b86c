"""Comparing two held sessions shows what each presented: a Q1 figure revised after the Q1
session shows as changed between the Q1 and Q2 sessions."""

from metrics import models
from metrics.selectors.comparison import compare_sessions
from metrics.services import sessions as cycle
from metrics.services.recompute_runs import recompute_run
from metrics.services.statuses import quarterly_status_save
from metrics.services.submissions import submission_reopen


def test_comparison_shows_a_revised_q1_figure(seed_deck):
    recompute_run(task_name="test", metric_ids=None)
    q1 = models.TuningSession.objects.get(quarter__number=1)
    q2 = models.TuningSession.objects.get(quarter__number=2)
    models.TuningSession.objects.update(state=models.SessionState.DRAFT)
    cycle.session_hold(actor=None, session=q1)

    # After the Q1 meeting the Q1 figure is corrected (an admin reopens the quarter).
    metric = models.Metric.objects.get(slug="monthly-active-editors")
    submission_reopen(department=metric.department, quarter=q1.quarter, actor=None)
    quarterly_status_save(
        metric=metric, segment=None, quarter=q1.quarter, actor=None, source="form", value="90500"
    )
    cycle.session_hold(actor=None, session=q2)

    comparison = compare_sessions(q1.pk, q2.pk)
    row = next(m for m in comparison.metrics if m.slug == "monthly-active-editors").rows[0]
    q1_cell = row.cells[0]
    assert q1_cell.changed and q1_cell.is_revision
    assert "89K" in q1_cell.before and "91K" in q1_cell.after
