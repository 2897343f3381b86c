"""One rule for writing a metric's figures (permissions.can_write_metric), applied by every
write path: a lead never writes another department's metric, whichever path they take, and
a department's import page writes that department's metrics only (admins included)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrics import models, permissions
from tests.api.conftest import client_for
from tests.entry_world import entry_world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return entry_world_build()


def test_the_rule(world):
    lead = world.lead_product
    assert permissions.can_write_metric(lead, world.editors)
    assert not permissions.can_write_metric(lead, world.legal_metric)
    assert permissions.can_write_metric(world.admin, world.legal_metric)
    # From Product's page, only Product's metrics, even for an admin.
    assert not permissions.can_write_metric(
        world.admin, world.legal_metric, department=world.product
    )
    assert permissions.can_write_metric(world.admin, world.editors, department=world.product)
    assert not permissions.can_write_metric(world.viewer, world.editors)


def test_api_upsert_refuses_another_departments_metric(world):
    client = client_for(world.lead_product)
    rows = [
        {"metric": "legal-requests", "period_start": "2020-10-01", "value": 5},
        {"metric": "monthly-active-editors", "period_start": "2020-10-01", "value": 5},
    ]

    response = client.post("/api/v1/observations/upsert/", {"rows": rows}, format="json")

    assert response.status_code == 200, response.content
    statuses = [row["status"] for row in response.json()["rows"]]
    assert statuses == ["rejected", "created"]
    assert not models.Observation.objects.filter(metric=world.legal_metric).exists()


def test_api_single_write_refuses_another_departments_metric(world):
    client = client_for(world.lead_product)
    body = {"metric": world.legal_metric.pk, "period_start": "2020-10-01", "value": 5}

    response = client.post("/api/v1/observations/", body, format="json")

    assert response.status_code == 403
    assert not models.Observation.objects.exists()


def test_csv_import_refuses_another_departments_metric_even_for_an_admin(client, world):
    client.force_login(world.admin)
    text = "metric,period_start,value\nlegal-requests,2020-10-01,5\n"
    url = reverse("metrics:entry-import", kwargs={"department": "product"})
    upload = SimpleUploadedFile("obs.csv", text.encode(), content_type="text/csv")

    client.post(url, {"file": upload, "preview": "1"})
    response = client.post(url, {"confirm": "1"})

    assert response.context["result"].rows[0].status == "rejected"
    assert not models.Observation.objects.exists()


def test_backfill_refuses_another_departments_metric(client, world):
    client.force_login(world.lead_product)
    url = reverse("metrics:entry-backfill", kwargs={"department": "product"})
    data = {"row": f"{world.legal_metric.pk}-0", "start": "2020-10", "values": "5", "save": "1"}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "row" in response.context["form"].errors
    assert not models.Observation.objects.exists()


@pytest.mark.parametrize("page", ["metrics:entry-import", "metrics:entry-backfill"])
def test_a_lead_cannot_open_another_departments_write_pages(client, world, page):
    client.force_login(world.lead_product)

    response = client.post(reverse(page, kwargs={"department": "legal"}), {})

    assert response.status_code == 403


def test_checkin_of_another_department_is_refused(client, world):
    client.force_login(world.lead_product)
    url = reverse(
        "metrics:checkin", kwargs={"department": "legal", "fiscal_year": 2020, "number": 3}
    )

    assert client.post(url, {}).status_code == 403
    assert not models.QuarterlyStatus.objects.exists()


def test_check_in_link_and_api_writes_follow_one_writer_rule(world):
    from metrics.templatetags.entry import can_check_in

    for user, writes in (
        (world.admin, True),
        (world.lead_product, True),
        (world.executive, False),
        (world.viewer, False),
    ):
        assert can_check_in(user) is writes is permissions.writes_figures(user)
