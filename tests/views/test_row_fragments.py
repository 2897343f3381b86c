"""Pages that show every department put together from rows cached per department: the same
HTML as the rows rendered in place, the new figure after a save, the other departments' rows
read back rather than rendered again, and each reader's own rows (their role's links)."""

import re
from decimal import Decimal

import pytest
from django.template.backends.django import Template
from django.urls import reverse

from metrics import models
from metrics.management.commands.generate_demo_data import demo_data_generate
from metrics.selectors import deck_layout as layout_module
from metrics.services.statuses import quarterly_status_save
from metrics.views import dashboards
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(monkeypatch):
    monkeypatch.setattr(layout_module, "METRICS_PER_PAGE", 6)
    monkeypatch.setattr(layout_module, "KEY_RESULTS_PER_PAGE", 6)
    demo_data_generate(scale=2, seed=5)
    return models.TuningSession.objects.order_by(
        "-quarter__fiscal_year", "-quarter__number"
    ).first()


@pytest.fixture
def admin_user():
    return UserFactory(is_superuser=True, roles=["Admin"])


def _urls(session):
    kwargs = {"session_id": session.id}
    return [
        reverse("metrics:session_overview", kwargs=kwargs),
        reverse("metrics:session_overview", kwargs=kwargs) + "?page=2",
        reverse("metrics:session_metrics", kwargs=kwargs),
        reverse("metrics:session_metrics", kwargs=kwargs) + "?page=2",
    ]


def _without_etag_noise(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _open_metric(session, *, charted=False):
    """A metric of a department whose check-in is open (with a chart on the deck)."""
    locked = models.Submission.objects.filter(
        quarter_id=session.quarter_id, state=models.SubmissionState.LOCKED
    ).values("department_id")
    definitions = models.MetricDefinition.objects.filter(session=session, is_retired=False)
    if charted:
        definitions = definitions.exclude(metric__chart_title="")
    return (
        definitions.exclude(metric__department_id__in=locked)
        .select_related("metric")
        .order_by("order", "id")
        .first()
        .metric
    )


def test_the_page_is_the_same_as_its_rows_rendered_in_place(
    client, session, admin_user, monkeypatch
):
    client.force_login(admin_user)
    with_fragments = {url: client.get(url).content.decode() for url in _urls(session)}
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(dashboards, "row_fragments", lambda *args, **kwargs: {})
    for url, html in with_fragments.items():
        in_place = client.get(url).content.decode()
        assert _without_etag_noise(in_place) == _without_etag_noise(html), url
        assert "data-metric=" in html


def test_after_a_save_the_pages_show_it_and_render_only_that_departments_rows(
    client, session, admin_user, monkeypatch
):
    client.force_login(admin_user)
    for url in _urls(session):
        client.get(url)
    metric = _open_metric(session)
    quarterly_status_save(
        metric=metric,
        segment=None,
        quarter=session.quarter,
        actor=admin_user,
        source="form",
        value=Decimal("61"),
    )
    rendered = []
    real_render = Template.render

    def render(self, context=None, request=None):
        if "row" in (context or {}):
            rendered.append(context["row"])
        return real_render(self, context, request)

    monkeypatch.setattr(Template, "render", render)
    overview = client.get(_urls(session)[0]).content.decode()
    row = re.search(rf'<tr data-metric="{metric.slug}">.*?</tr>', overview, re.S)[0]
    assert ">61<" in row or "61" in re.sub(r"<[^>]+>", "", row)
    rendered_metrics = {getattr(r, "metric_id", None) for r in rendered} - {None}
    department_of = dict(models.Metric.objects.values_list("id", "department_id"))
    assert metric.id in rendered_metrics
    assert {department_of[m] for m in rendered_metrics} == {metric.department_id}


def test_each_reader_gets_the_rows_of_their_role(client, session, admin_user):
    url = _urls(session)[2]
    client.force_login(admin_user)
    assert "thread-add" in client.get(url).content.decode()  # may start a thread
    client.force_login(UserFactory(roles=["Viewer"]))
    html = client.get(url).content.decode()
    assert "data-metric=" in html
    assert "thread-add" not in html


def test_the_whole_decks_charts_are_drawn_again_for_the_saved_department_only(
    client, session, admin_user, monkeypatch
):
    client.force_login(admin_user)
    metric = _open_metric(session, charted=True)
    deck_url = reverse("metrics:session_deck", kwargs={"session_id": session.id})
    url = next(
        f"{deck_url}?part={n}"
        for n in range(1, 40)
        if f'id="chart-{metric.slug}-series"' in client.get(f"{deck_url}?part={n}").content.decode()
    )
    quarterly_status_save(
        metric=metric,
        segment=None,
        quarter=session.quarter,
        actor=admin_user,
        source="form",
        value=Decimal("77"),
    )
    drawn = []
    real = dashboards.metric_charts

    def recording(row, data, **kwargs):
        drawn.append(row.metric_id)
        return real(row, data, **kwargs)

    monkeypatch.setattr(dashboards, "metric_charts", recording)
    html = client.get(url).content.decode()
    department_of = dict(models.Metric.objects.values_list("id", "department_id"))
    assert metric.id in drawn
    assert {department_of[m] for m in drawn} == {metric.department_id}
    # The chart of the saved metric plots the new figure.
    chart = re.search(rf'id="chart-{metric.slug}-series".*?</script>', html, re.S)
    assert chart and "77" in chart[0]
