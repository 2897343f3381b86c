import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from metrics import models
from metrics.services.history import history_record
from tests.factories import (
    KeyResultStatusFactory,
    ObservationFactory,
    QuarterlyStatusFactory,
    SegmentFactory,
    TuningSessionFactory,
    UserFactory,
    WebhookEndpointFactory,
)

pytestmark = pytest.mark.django_db

METRICS_MODELS = [model for model in admin.site._registry if model._meta.app_label == "metrics"]


@pytest.fixture
def admin_client_with_data(client):
    status = QuarterlyStatusFactory()
    ObservationFactory(metric=status.metric)
    kr_status = KeyResultStatusFactory()
    session = TuningSessionFactory()
    SegmentFactory(metric=status.metric)
    drilldown = models.Drilldown.objects.create(
        objective=kr_status.key_result.objective, session=session, situation="It changed."
    )
    models.DrilldownTable.objects.create(drilldown=drilldown, columns=["FY19/20"])
    models.MetricDefinition.objects.create(
        session=session, metric=status.metric, outcome=status.metric.outcome, name="Metric"
    )
    models.KeyDeliverable.objects.create(session=session, title="ARMDEB")
    models.Footnote.objects.create(session=session, marker="*", meaning="Estimated")
    models.Acronym.objects.create(session=session, term="SD", meaning="Structured data")
    models.Submission.objects.create(department=status.metric.department, quarter=status.quarter)
    history_record(instance=status, changes={"value": (1, 2)}, source="admin")
    models.JobRun.objects.create(task_name="metrics.recompute_all", started_at=timezone.now())
    models.RecomputeRequest.objects.create(metric=status.metric, reason="broker was down")
    models.Notification.objects.create(
        recipient=UserFactory(), kind="mention", event_key="comment:1", summary="Mentioned"
    )
    endpoint = WebhookEndpointFactory()
    models.WebhookDelivery.objects.create(
        endpoint=endpoint, event="status.saved", body="{}", next_attempt_at=timezone.now()
    )
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    models.ExternalIdentity.objects.create(
        user=root, issuer="https://sso.example.org", subject="root", email="root@example.org"
    )
    client.force_login(root)
    return client


def test_every_domain_model_is_in_the_admin():
    registered = {model.__name__ for model in METRICS_MODELS}
    expected = {
        "Quarter", "Department", "Priority", "Outcome", "Metric", "Segment", "Observation",
        "QuarterlyStatus", "Objective", "KeyResult", "KeyResultStatus", "Drilldown",
        "DrilldownTable", "TuningSession", "MetricDefinition", "KeyDeliverable", "Footnote",
        "Acronym", "Submission", "HistoryEntry", "JobRun", "RecomputeRequest",
    }  # fmt: skip
    assert expected <= registered


@pytest.mark.parametrize("model", METRICS_MODELS, ids=lambda m: m.__name__)
def test_changelist_and_add_pages_render(admin_client_with_data, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert admin_client_with_data.get(changelist).status_code == 200
    assert admin_client_with_data.get(changelist, {"q": "x"}).status_code == 200
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    assert admin_client_with_data.get(add).status_code in (200, 403)


@pytest.mark.parametrize("model", METRICS_MODELS, ids=lambda m: m.__name__)
def test_change_page_renders_for_an_existing_row(admin_client_with_data, model):
    instance = model._default_manager.first()
    assert instance is not None, f"the fixture should create a {model.__name__}"
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk])
    assert admin_client_with_data.get(url).status_code == 200
