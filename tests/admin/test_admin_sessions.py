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


def history_sources(row) -> set[str]:
    return set(
        models.HistoryEntry.objects.filter(
            content_type__model=row._meta.model_name, object_id=row.pk
        ).values_list("source", flat=True)
    )


def test_a_key_result_edit_goes_through_key_result_update_in_the_draft_session(
    admin_client_q3,
):
    from tests.admin.test_admin_catalog import page_as_posted

    client, admin, q3 = admin_client_q3
    key_result = models.KeyResult.objects.filter(objective__slug="ip-masking").first()
    url = reverse("admin:metrics_keyresult_change", args=[key_result.pk])
    data = page_as_posted(client, url) | {"description": "  Edited\r\nin the admin  "}

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    key_result.refresh_from_db()
    # key_result_update's cleaning: line ends made LF, the text trimmed.
    assert key_result.description == "Edited\nin the admin"
    assert (
        models.HistoryEntry.objects.get(
            content_type__model="keyresult", object_id=key_result.pk, field="description"
        ).source
        == "admin"
    )


def test_a_key_result_of_a_held_session_is_refused_as_key_result_update_would(
    admin_client_q3,
):
    from tests.admin.test_admin_catalog import page_as_posted

    client, admin, q3 = admin_client_q3
    key_result = models.KeyResult.objects.filter(objective__slug="ip-masking").first()
    url = reverse("admin:metrics_keyresult_change", args=[key_result.pk])
    data = page_as_posted(client, url) | {"description": "Changed after the hold"}
    cycle.session_hold(actor=admin, session=q3)

    response = client.post(url, data)

    assert response.status_code == 200
    assert "held" in response.content.decode()
    key_result.refresh_from_db()
    assert key_result.description != "Changed after the hold"


@pytest.mark.parametrize("model_name", ["footnote", "acronym", "keydeliverable"])
def test_deleting_a_session_row_in_the_admin_is_recorded_as_admin(admin_client_q3, model_name):
    client, admin, q3 = admin_client_q3
    model = {
        "footnote": models.Footnote,
        "acronym": models.Acronym,
        "keydeliverable": models.KeyDeliverable,
    }[model_name]
    row = model.objects.filter(session=q3).first() or model.objects.create(
        session=q3,
        **{"footnote": {"marker": "‡"}, "acronym": {"term": "X", "meaning": "x"}}.get(
            model_name, {"title": "A deliverable"}
        ),
    )
    url = reverse(f"admin:metrics_{model_name}_delete", args=[row.pk])

    response = client.post(url, {"post": "yes"})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not model.objects.filter(pk=row.pk).exists()
    deleted = models.HistoryEntry.objects.filter(
        content_type__model=model_name, object_id=row.pk, field="deleted"
    ).values_list("source", flat=True)
    assert list(deleted) == ["admin"]


def test_a_footnote_added_on_the_session_page_is_saved_through_its_service(admin_client_q3):
    from tests.admin.test_admin_catalog import page_as_posted

    client, admin, q3 = admin_client_q3
    url = reverse("admin:metrics_tuningsession_change", args=[q3.pk])
    data = page_as_posted(client, url)
    total = int(data["footnotes-TOTAL_FORMS"])
    data |= {
        "footnotes-TOTAL_FORMS": str(total + 1),
        f"footnotes-{total}-marker": "§",
        f"footnotes-{total}-meaning": "Added in the admin",
    }

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    footnote = models.Footnote.objects.get(session=q3, marker="§")
    assert history_sources(footnote) == {"admin"}


def test_json_nested_past_the_recursion_limit_is_a_form_error_not_a_500(admin_client_q3):
    from tests.admin.test_admin_catalog import page_as_posted

    client, admin, q3 = admin_client_q3
    key_result = models.KeyResult.objects.filter(objective__slug="ip-masking").first()
    url = reverse("admin:metrics_keyresult_change", args=[key_result.pk])
    deep = "[" * 100_000 + "]" * 100_000
    data = page_as_posted(client, url) | {"segment_markers": deep}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "nested too deeply" in response.content.decode()


def _first_session_form(priority, quarter, title):
    data = {
        "priority": priority.pk,
        "quarter": quarter.pk,
        "title": title,
        "overview": "",
        "progress_challenges": "",
        "actions": "",
    }
    for prefix in ("key_deliverables", "metric_definitions", "footnotes", "acronyms"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    return data


def test_admin_adds_the_first_session_through_the_service_and_no_second(client, db):
    admin = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    priority = factories.PriorityFactory()
    quarter = factories.QuarterFactory(fiscal_year=2020, number=2)
    add = reverse("admin:metrics_tuningsession_add")

    response = client.post(add, _first_session_form(priority, quarter, "First session"))

    assert response.status_code == 302, response.content.decode()[:2000]
    session = models.TuningSession.objects.get()
    assert session.title == "First session"
    assert models.HistoryEntry.objects.filter(
        object_id=session.pk, field="title", source="admin"
    ).exists()
    assert client.post(add, _first_session_form(priority, quarter, "Second")).status_code == 403
    assert models.TuningSession.objects.count() == 1
