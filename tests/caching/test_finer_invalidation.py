"""A figure saved in one department's check-in leaves cached what shows no figure of that
department (a metric of another department, every session's header, layout and sidebar);
what shows its figures (the metric, the overview, the deck) shows the save at once; a change
of structure (a narrative, a metric moved) makes everything new."""

from decimal import Decimal

import pytest
from django.urls import reverse

from metrics import models
from metrics.caching.versions import data_version_bump
from metrics.services.catalog import metric_save
from metrics.services.statuses import quarterly_status_save
from metrics.views import dashboards
from tests.factories import DepartmentFactory, UserFactory
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    session = build_small_deck()
    # Retention belongs to another department than editors (Product) here.
    research = DepartmentFactory(name="Research", slug="research")
    models.Metric.objects.filter(slug="new-editor-retention").update(department=research)
    data_version_bump()  # a write outside the services says so
    return session


@pytest.fixture
def viewer(client):
    client.force_login(UserFactory(roles=["Viewer"]))
    return client


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True)


def metric_url(session, slug):
    return reverse("metrics:metric", kwargs={"session_id": session.pk, "metric_slug": slug})


def save(metric_slug, value, actor):
    quarterly_status_save(
        metric=models.Metric.objects.get(slug=metric_slug),
        segment=None,
        quarter=models.Quarter.objects.get(fiscal_year=2020, number=2),
        actor=actor,
        source="form",
        value=value,
    )


def test_a_save_in_one_department_leaves_another_departments_metric_cached(viewer, session, admin):
    retention = metric_url(session, "new-editor-retention")
    first = viewer.get(retention)

    save("monthly-active-editors", Decimal("95500"), admin)

    assert viewer.get(retention, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert b"96K" in viewer.get(metric_url(session, "monthly-active-editors")).content


@pytest.mark.parametrize("name", ["session_overview", "session_metrics", "session_deck", "session"])
def test_pages_of_every_department_show_the_save_at_once(viewer, session, admin, name):
    url = reverse(f"metrics:{name}", kwargs={"session_id": session.pk})
    first = viewer.get(url)
    assert b"92K" in first.content or name == "session"

    save("monthly-active-editors", Decimal("95500"), admin)

    again = viewer.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert name == "session" or b"96K" in again.content


def test_the_deck_api_shows_the_save_at_once(viewer, session, admin):
    url = reverse("api:session-deck", kwargs={"version": "v1", "pk": session.pk})
    first = viewer.get(url)

    save("monthly-active-editors", Decimal("95500"), admin)

    again = viewer.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and b"96K" in again.content


def test_the_metrics_own_department_save_shows_on_its_page(viewer, session, admin):
    retention = metric_url(session, "new-editor-retention")
    first = viewer.get(retention)

    save("new-editor-retention", Decimal("8.1"), admin)

    again = viewer.get(retention, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and b"8.1%" in again.content


def test_a_save_of_a_metric_without_department_makes_every_page_new(viewer, session, admin):
    retention = metric_url(session, "new-editor-retention")
    first = viewer.get(retention)

    save("threats-to-safety", Decimal("30"), admin)

    assert viewer.get(retention, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_moving_a_metric_to_another_department_makes_every_page_new(viewer, session, admin):
    retention = metric_url(session, "new-editor-retention")
    first = viewer.get(retention)

    metric_save(
        metric=models.Metric.objects.get(slug="monthly-active-editors"),
        actor=admin,
        source="form",
        department=models.Department.objects.get(slug="research"),
    )

    assert viewer.get(retention, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_after_a_figure_save_the_header_layout_and_sidebar_stay_cached(
    viewer, session, admin, monkeypatch
):
    url = reverse("metrics:session_overview", kwargs={"session_id": session.pk})
    viewer.get(url)
    built = []
    for name in ("session_header", "deck_layout", "session_nav", "session_choices"):
        real = getattr(dashboards, name)
        monkeypatch.setattr(
            dashboards,
            name,
            lambda *a, _real=real, _name=name, **k: built.append(_name) or _real(*a, **k),
        )

    save("monthly-active-editors", Decimal("95500"), admin)
    response = viewer.get(url)

    assert b"96K" in response.content
    assert built == []


def objective_url(session, slug):
    return reverse("metrics:objective", kwargs={"session_id": session.pk, "objective_slug": slug})


def test_an_objective_of_another_department_stays_cached(viewer, session, admin):
    gaps = objective_url(session, "address-knowledge-gaps")  # Technology
    armdeb = objective_url(session, "armdeb")  # Product, a key result on editors
    gaps_first, armdeb_first = viewer.get(gaps), viewer.get(armdeb)

    save("monthly-active-editors", Decimal("95500"), admin)

    assert viewer.get(gaps, HTTP_IF_NONE_MATCH=gaps_first["ETag"]).status_code == 304
    assert viewer.get(armdeb, HTTP_IF_NONE_MATCH=armdeb_first["ETag"]).status_code == 200


def test_a_key_result_status_shows_on_its_objective_at_once(viewer, session, admin):
    from metrics.services.key_results import key_result_status_save

    gaps = objective_url(session, "address-knowledge-gaps")
    armdeb = objective_url(session, "armdeb")
    gaps_first, armdeb_first = viewer.get(gaps), viewer.get(armdeb)
    key_result = models.KeyResult.objects.filter(objective__slug="address-knowledge-gaps").first()

    key_result_status_save(
        key_result=key_result,
        quarter=models.Quarter.objects.get(fiscal_year=2020, number=2),
        actor=admin,
        source="form",
        text="612 teachers",
    )

    again = viewer.get(gaps, HTTP_IF_NONE_MATCH=gaps_first["ETag"])
    assert again.status_code == 200 and b"612 teachers" in again.content
    assert viewer.get(armdeb, HTTP_IF_NONE_MATCH=armdeb_first["ETag"]).status_code == 304
