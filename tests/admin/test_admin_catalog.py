"""Admin saves, deletions and actions of metrics, segments, submissions, departments,
priorities, outcomes and quarters go through the services: history, recompute requests,
locked quarters; an invalid or refused inline rolls the whole save back; the history and the
job records are read-only for everyone."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from metrics import models
from metrics.services.recompute_runs import recompute_run
from tests.admin.test_admin_saves import form_as_posted, history_of
from tests.factories import (
    DepartmentFactory,
    MetricFactory,
    QuarterFactory,
    QuarterlyStatusFactory,
    SegmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def admin_url(instance_or_model, page="change"):
    opts = instance_or_model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}_{page}"
    if page in ("changelist", "add"):
        return reverse(name)
    return reverse(name, args=[instance_or_model.pk])


def page_as_posted(client, url, **changes) -> dict:
    """The change form (and its inlines) as a browser posts it back, with `changes`."""
    page = client.get(url)
    assert page.status_code == 200
    data = form_as_posted(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        data.update(form_as_posted(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(form_as_posted(form))
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def locked(department, quarter):
    return models.Submission.objects.create(
        department=department, quarter=quarter, state=models.SubmissionState.LOCKED
    )


# --- segments and metrics -----------------------------------------------------------------


@pytest.mark.usefixtures("seed_deck")
def test_the_unsafe_goal_changed_in_the_admin_is_recorded_and_recomputed(
    admin_client, django_capture_on_commit_callbacks
):
    recompute_run(task_name="test", metric_ids=None)
    unsafe = models.Segment.objects.get(slug="unsafe", metric__slug="threats-to-safety")
    q2 = models.QuarterlyStatus.objects.get(
        segment=unsafe, quarter__fiscal_year=2020, quarter__number=2
    )
    assert q2.attainment == models.Attainment.ON_TRACK  # 34% against a goal of 35%
    url = admin_url(unsafe)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, page_as_posted(admin_client, url, goal_value="30", goal_text="30%")
        )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert ("goal_value", "35", "30", "admin") in history_of(unsafe)
    assert ("goal_text", "35%", "30%", "admin") in history_of(unsafe)
    q2.refresh_from_db()
    assert q2.attainment == models.Attainment.AT_RISK  # below the 37% baseline, above 30%
    run = models.JobRun.objects.latest("started_at")
    assert run.task_name == "metrics.recompute_metric"
    assert not models.RecomputeRequest.objects.exists()


@pytest.mark.usefixtures("seed_deck")
def test_a_segment_goal_changed_inline_on_its_metric_records_a_recompute_request(admin_client):
    metric = models.Metric.objects.get(slug="threats-to-safety")
    url = admin_url(metric)
    data = page_as_posted(admin_client, url)
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.startswith("segments-") and key.endswith("-slug") and value == "unsafe"
    )
    data[f"segments-{index}-goal_value"] = "30"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    unsafe = metric.segments.get(slug="unsafe")
    assert unsafe.goal_value == Decimal("30")
    assert ("goal_value", "35", "30", "admin") in history_of(unsafe)
    request = models.RecomputeRequest.objects.get()
    assert request.metric_id == metric.pk
    assert "segment unsafe goal_value" in request.reason


def test_changing_a_metric_records_only_the_fields_changed(admin_client):
    metric = MetricFactory(name="Monthly active editors", goal_text="+5% YoY")
    url = admin_url(metric)

    response = admin_client.post(url, page_as_posted(admin_client, url, goal_text="+6% YoY"))

    assert response.status_code == 302, response.content.decode()[:3000]
    assert history_of(metric) == [("goal_text", "+5% YoY", "+6% YoY", "admin")]
    # The printed goal moves no figure: nothing to recompute.
    assert not models.RecomputeRequest.objects.exists()


def test_a_metric_added_in_the_admin_has_its_creation_in_the_history(admin_client):
    template = MetricFactory()
    url = admin_url(models.Metric, "add")
    data = page_as_posted(
        admin_client,
        url,
        outcome=template.outcome_id,
        department=template.department_id,
        name="Page views",
        slug="page-views",
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    created = models.Metric.objects.get(slug="page-views")
    assert ("name", None, "Page views", "admin") in history_of(created)


def test_an_invalid_inline_saves_nothing_not_even_the_metric(admin_client):
    metric = MetricFactory(name="Before")
    segment = SegmentFactory(metric=metric, goal_value=Decimal("5"))
    url = admin_url(metric)
    data = page_as_posted(admin_client, url, name="After")
    data["segments-0-goal_value"] = "not a number"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    metric.refresh_from_db()
    segment.refresh_from_db()
    assert metric.name == "Before"
    assert segment.goal_value == Decimal("5")
    assert not models.HistoryEntry.objects.exists()
    assert not models.RecomputeRequest.objects.exists()


def test_an_inline_the_service_refuses_rolls_back_the_metric_too(admin_client):
    status = QuarterlyStatusFactory(value=Decimal("5"))
    metric = status.metric
    metric.name = "Before"
    metric.save()
    segment = SegmentFactory(metric=metric)
    models.QuarterlyStatus.objects.create(
        metric=metric, segment=segment, quarter=status.quarter, value=Decimal("1")
    )
    url = admin_url(metric)
    data = page_as_posted(admin_client, url, name="After", goal_text="changed")
    data["segments-0-DELETE"] = "on"
    # Locked after the page was read: the metric's own change passes, the inline's deletion
    # of a segment with a cell in the locked quarter is refused.
    locked(metric.department, status.quarter)

    response = admin_client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "locked quarter" in page
    metric.refresh_from_db()
    assert metric.name == "Before"
    assert models.Segment.objects.filter(pk=segment.pk).exists()
    assert not models.HistoryEntry.objects.exists()
    assert not LogEntry.objects.exists()


def test_moving_a_metric_with_locked_cells_to_another_department_is_refused(admin_client):
    status = QuarterlyStatusFactory()
    metric = status.metric
    locked(metric.department, status.quarter)
    other = DepartmentFactory()
    url = admin_url(metric)

    response = admin_client.post(url, page_as_posted(admin_client, url, department=other.pk))

    assert response.status_code == 200
    assert "locked quarter" in response.content.decode()
    metric.refresh_from_db()
    assert metric.department_id != other.pk


def test_deleting_a_metric_keeps_a_record_and_is_refused_in_a_locked_quarter(admin_client):
    status = QuarterlyStatusFactory()
    metric = status.metric
    lock = locked(metric.department, status.quarter)
    delete_url = admin_url(metric, "delete")

    refused = admin_client.post(delete_url, {"post": "yes"})

    assert refused.status_code == 403
    assert models.Metric.objects.filter(pk=metric.pk).exists()

    lock.delete()
    response = admin_client.post(delete_url, {"post": "yes"})

    assert response.status_code == 302
    assert not models.Metric.objects.filter(pk=metric.pk).exists()
    fields = {entry[0]: entry for entry in history_of(metric)}
    assert fields["name"][1:] == (metric.name, None, "admin")
    assert fields["deleted_with_it"][1] == "0 segment(s), 0 observation(s), 1 status(es)"


def test_pausing_metrics_by_the_bulk_action_is_recorded_and_recomputed(admin_client):
    metrics = [MetricFactory(), MetricFactory()]

    response = admin_client.post(
        admin_url(models.Metric, "changelist"),
        {"action": "set_paused", ACTION_CHECKBOX_NAME: [metric.pk for metric in metrics]},
    )

    assert response.status_code == 302
    for metric in metrics:
        metric.refresh_from_db()
        assert metric.state == models.MetricState.PAUSED
        assert history_of(metric) == [("state", "active", "paused", "admin")]
    assert {request.metric_id for request in models.RecomputeRequest.objects.all()} == {
        metric.pk for metric in metrics
    }


def test_a_segment_stays_with_its_metric(admin_client):
    segment = SegmentFactory()
    other = MetricFactory()
    url = admin_url(segment)

    admin_client.post(url, {**page_as_posted(admin_client, url), "metric": other.pk})

    segment.refresh_from_db()
    assert segment.metric_id != other.pk


# --- submissions ---------------------------------------------------------------------------


def test_locking_a_submission_in_the_admin_is_recorded(admin_client):
    submission = models.Submission.objects.create(
        department=DepartmentFactory(), quarter=QuarterFactory()
    )
    url = admin_url(submission)

    response = admin_client.post(url, page_as_posted(admin_client, url, state="locked"))

    assert response.status_code == 302, response.content.decode()[:3000]
    submission.refresh_from_db()
    assert submission.state == models.SubmissionState.LOCKED
    assert submission.locked_by.username == "root"
    assert history_of(submission) == [("state", "draft", "locked", "admin")]


def test_a_locked_submission_cannot_jump_back_to_submitted(admin_client):
    submission = locked(DepartmentFactory(), QuarterFactory())
    url = admin_url(submission)

    response = admin_client.post(url, page_as_posted(admin_client, url, state="submitted"))

    assert response.status_code == 200
    assert "locked" in response.content.decode().lower()
    submission.refresh_from_db()
    assert submission.state == models.SubmissionState.LOCKED
    assert not models.HistoryEntry.objects.exists()


def test_reopening_a_locked_quarter_requests_a_recompute_of_the_department(admin_client):
    status = QuarterlyStatusFactory()
    submission = locked(status.metric.department, status.quarter)

    response = admin_client.post(
        admin_url(models.Submission, "changelist"),
        {"action": "set_draft", ACTION_CHECKBOX_NAME: [submission.pk]},
    )

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == models.SubmissionState.DRAFT
    assert history_of(submission) == [("state", "locked", "draft", "admin")]
    assert models.RecomputeRequest.objects.get().metric_id == status.metric_id


def test_deleting_a_locked_submission_is_refused(admin_client):
    submission = locked(DepartmentFactory(), QuarterFactory())

    response = admin_client.post(admin_url(submission, "delete"), {"post": "yes"})

    assert response.status_code == 403
    assert models.Submission.objects.filter(pk=submission.pk).exists()


# --- departments, quarters, priorities -----------------------------------------------------


def test_a_new_lead_of_a_department_is_recorded(admin_client):
    department = DepartmentFactory()
    lead = UserFactory()
    url = admin_url(department)

    response = admin_client.post(url, page_as_posted(admin_client, url, leads=[lead.pk]))

    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(department.leads.all()) == [lead]
    assert history_of(department) == [("leads", "", str(lead.pk), "admin")]


def test_a_quarter_deadline_change_is_recorded_and_its_year_stays(admin_client):
    quarter = QuarterFactory(fiscal_year=2020, number=2)
    url = admin_url(quarter)

    response = admin_client.post(
        url, page_as_posted(admin_client, url, status_deadline="2021-01-15", fiscal_year="2030")
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    quarter.refresh_from_db()
    assert quarter.fiscal_year == 2020
    assert history_of(quarter) == [("status_deadline", None, "2021-01-15", "admin")]


def test_an_outcome_added_inline_on_its_priority_is_recorded(admin_client):
    priority = models.Priority.objects.create(name="Thriving Movement", slug="thriving")
    url = admin_url(priority)
    data = page_as_posted(admin_client, url)
    data.update(
        {
            "outcomes-TOTAL_FORMS": "1",
            "outcomes-0-statement": "We will welcome newcomers.",
            "outcomes-0-order": "1",
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    outcome = priority.outcomes.get()
    assert ("statement", None, "We will welcome newcomers.", "admin") in history_of(outcome)


# --- read-only records ---------------------------------------------------------------------


def test_nobody_deletes_or_edits_history_in_the_admin(admin_client):
    status = QuarterlyStatusFactory()
    admin_client.post(
        admin_url(status), page_as_posted(admin_client, admin_url(status), comment="x")
    )
    entry = models.HistoryEntry.objects.first()
    assert entry is not None
    changelist = admin_client.get(admin_url(models.HistoryEntry, "changelist"))
    assert "delete_selected" not in changelist.content.decode()

    assert admin_client.post(admin_url(entry, "delete"), {"post": "yes"}).status_code == 403
    admin_client.post(
        admin_url(models.HistoryEntry, "changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [entry.pk], "post": "yes"},
    )
    admin_client.post(admin_url(entry), {"field": "tampered"})

    assert models.HistoryEntry.objects.filter(pk=entry.pk, field="comment").exists()


def test_pending_recompute_requests_and_job_runs_cannot_be_deleted(admin_client):
    request = models.RecomputeRequest.objects.create(metric=MetricFactory(), reason="x")

    response = admin_client.post(admin_url(request, "delete"), {"post": "yes"})

    assert response.status_code == 403
    assert models.RecomputeRequest.objects.filter(pk=request.pk).exists()


# --- drill-down tables ---------------------------------------------------------------------


def cells_prefix(client, url, row) -> str:
    data = page_as_posted(client, url)
    index = next(
        key.split("-")[1] for key, value in data.items() if key.endswith("-id") and value == row.pk
    )
    return next(key for key in data if key.endswith(f"-{index}-cells")).rsplit("-", 1)[0]


@pytest.mark.usefixtures("seed_deck")
def test_a_drilldown_table_cell_edit_is_recorded_and_refused_once_held_or_locked(admin_client):
    row = models.DrilldownRow.objects.filter(is_group_heading=False).first()
    table = row.table
    session = table.drilldown.session
    url = admin_url(table)
    held = admin_client.post(
        url,
        page_as_posted(
            admin_client, url, **{f"{cells_prefix(admin_client, url, row)}-cells": '["0"]'}
        ),
    )
    assert held.status_code == 200
    assert "was held" in held.content.decode()
    models.TuningSession.objects.filter(pk=session.pk).update(state=models.SessionState.DRAFT)
    prefix = cells_prefix(admin_client, url, row)
    data = page_as_posted(admin_client, url, **{f"{prefix}-cells": '["1", "2", "3"]'})

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    row.refresh_from_db()
    assert row.cells == ["1", "2", "3"]
    assert [entry[0] for entry in history_of(row)] == ["cells"]

    drilldown = table.drilldown
    locked(drilldown.objective.department, drilldown.session.quarter)
    response = admin_client.post(
        url, page_as_posted(admin_client, url, **{f"{prefix}-cells": '["4", "5", "6"]'})
    )

    assert response.status_code == 200
    assert "locked" in response.content.decode()
    row.refresh_from_db()
    assert row.cells == ["1", "2", "3"]
