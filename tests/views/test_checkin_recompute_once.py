"""A check-in post saves its rows one by one (each in its own transaction), but the figures
are recomputed once per metric after the last row, not once per row."""

import pytest
from django.urls import reverse

from metrics import models
from metrics.services import recompute_runs
from tests.entry_world import entry_world_build, status_post_data

pytestmark = pytest.mark.django_db


def test_a_six_row_post_runs_one_recompute_per_metric(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    world = entry_world_build()
    url = reverse(
        "metrics:checkin", kwargs={"department": "product", "fiscal_year": 2020, "number": 3}
    )
    client.force_login(world.lead_product)
    data = status_post_data(world, client.get(url).context)
    for prefix, value in (
        (f"status-{world.editors.pk}-0", "95000"),
        (f"status-{world.editors.pk}-{world.established.pk}", "70000"),
        (f"status-{world.editors.pk}-{world.emerging.pk}", "25000"),
        (f"status-{world.retention.pk}-0", "7.1"),
    ):
        data[f"{prefix}-value"] = value
    data[f"kr-{world.kr_tools.pk}-text"] = "Shipped one"
    data[f"kr-{world.kr_milestones.pk}-milestones_done"] = "2"
    runs = []
    real_run = recompute_runs.metrics_recompute

    def counted(**kwargs):
        runs.append(kwargs.get("metric_ids"))
        return real_run(**kwargs)

    monkeypatch.setattr(recompute_runs, "metrics_recompute", counted)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302
    assert models.QuarterlyStatus.objects.filter(quarter=world.q3).count() == 4
    assert sorted(runs) == sorted([[world.editors.pk], [world.retention.pk]])
    assert models.JobRun.objects.filter(task_name="metrics.recompute_metric").count() == 2
