"""The admin of session rows: a held session is read-only there too; deleting a session in
use is refused with the reason."""

import pytest
from django.urls import reverse

from metrics import models
from metrics.services import sessions as cycle
from tests import factories


@pytest.fixture
def admin_client_q3(client, seed_deck):
    admin = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    q2 = models.TuningSession.objects.get(quarter__number=2)
    q3 = cycle.session_open_next(actor=admin, source=q2, notify=False).session
    return client, admin, q3


def test_admin_edits_of_a_held_session_and_its_rows_are_refused(admin_client_q3):
    client, admin, q3 = admin_client_q3
    cycle.session_hold(actor=admin, session=q3)
    change = reverse("admin:metrics_tuningsession_change", args=[q3.pk])
    response = client.post(change, {"title": "Changed", "overview": "x"})
    assert response.status_code == 403
    definition = q3.metric_definitions.first()
    url = reverse("admin:metrics_metricdefinition_change", args=[definition.pk])
    assert client.post(url, {"name": "Changed"}).status_code == 403
    delete = reverse("admin:metrics_tuningsession_delete", args=[q3.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    q3.refresh_from_db()
    assert q3.title != "Changed" and models.TuningSession.objects.filter(pk=q3.pk).exists()


def test_admin_saves_session_texts_through_the_service_with_history(admin_client_q3):
    client, admin, q3 = admin_client_q3
    change = reverse("admin:metrics_tuningsession_change", args=[q3.pk])
    data = {
        "priority": q3.priority_id,
        "quarter": q3.quarter_id,
        "title": q3.title,
        "overview": "From the admin",
        "progress_challenges": "",
        "actions": "",
    }
    for prefix in ("key_deliverables", "metric_definitions", "footnotes", "acronyms"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    q3.refresh_from_db()
    assert q3.overview == "From the admin"
    assert models.HistoryEntry.objects.filter(
        object_id=q3.pk, field="overview", source="admin"
    ).exists()


def test_admin_objective_edit_goes_through_the_service_and_reaches_the_draft_session(
    admin_client_q3,
):
    from django.forms.models import model_to_dict

    client, admin, q3 = admin_client_q3
    objective = models.Objective.objects.get(slug="ip-masking")
    data = {
        k: ("" if v is None else v)
        for k, v in model_to_dict(objective).items()
        if k not in ("id", "version", "updated_by")
    }
    data["narrative"] = "Edited in the admin"
    for prefix in ("key_results", "drilldowns", "content_blocks"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    response = client.post(reverse("admin:metrics_objective_change", args=[objective.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert q3.session_objectives.get(objective=objective).narrative == "Edited in the admin"
    q2 = models.TuningSession.objects.get(quarter__number=2)
    assert q2.session_objectives.get(objective=objective).narrative != "Edited in the admin"
    assert models.HistoryEntry.objects.filter(
        object_id=objective.pk, field="narrative", source="admin"
    ).exists()


def test_admin_adds_a_session_only_when_there_is_none(admin_client_q3):
    client, _admin, _q3 = admin_client_q3
    assert client.get(reverse("admin:metrics_tuningsession_add")).status_code == 403


def test_an_objectives_quote_is_added_in_the_admin_with_history_and_shows_on_its_page(
    admin_client_q3,
):
    from tests.admin.test_admin_catalog import page_as_posted

    client, _admin, q3 = admin_client_q3
    objective = models.Objective.objects.get(slug="ip-masking")
    url = reverse("admin:metrics_objective_change", args=[objective.pk])
    data = page_as_posted(client, url)
    total = int(data["content_blocks-TOTAL_FORMS"])
    data |= {
        "content_blocks-TOTAL_FORMS": str(total + 1),
        f"content_blocks-{total}-kind": "quote",
        f"content_blocks-{total}-title": "From a steward",
        f"content_blocks-{total}-body": "Masking **works**.",
        f"content_blocks-{total}-attribution": "A steward",
        f"content_blocks-{total}-order": "9",
    }

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    block = models.ContentBlock.objects.get(objective=objective, title="From a steward")
    assert models.HistoryEntry.objects.filter(object_id=block.pk, source="admin").exists()
    page = client.get(
        reverse("metrics:objective", kwargs={"session_id": q3.pk, "objective_slug": objective.slug})
    ).content.decode()
    assert "From a steward" in page and "<strong>works</strong>" in page
