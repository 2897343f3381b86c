"""The metrics tables and the executive overview of a large session come in pages of a
bounded size: each page shows its part of the deck, numbered as the whole deck numbers it,
with links to the others; a page number out of range is a 400 naming the parameter."""

import re

import pytest
from django.urls import reverse

from metrics import models
from metrics.management.commands.generate_demo_data import demo_data_generate
from metrics.selectors import deck_layout as layout_module
from metrics.selectors.deck import session_deck
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(monkeypatch):
    monkeypatch.setattr(layout_module, "METRICS_PER_PAGE", 4)
    monkeypatch.setattr(layout_module, "KEY_RESULTS_PER_PAGE", 5)
    demo_data_generate(scale=3, seed=3)
    return models.TuningSession.objects.order_by(
        "-quarter__fiscal_year", "-quarter__number"
    ).first()


@pytest.fixture
def viewer(client):
    client.force_login(UserFactory(roles=["Viewer"]))
    return client


def shown_metrics(html: str) -> list[str]:
    return re.findall(r'<tr[^>]*data-metric="([^"]+)"', html)


def test_every_metric_is_on_exactly_one_page_of_the_tables(viewer, session):
    url = reverse("metrics:session_metrics", kwargs={"session_id": session.id})
    whole = session_deck(session.id)
    first = viewer.get(url).content.decode()
    pages = int(re.search(r"Page 1 of (\d+)", first).group(1))
    assert pages >= 8  # 39 metrics, 4 a page
    seen, headings = [], []
    for number in range(1, pages + 1):
        html = viewer.get(url, {"page": number}).content.decode()
        assert len(set(shown_metrics(html))) <= 4
        seen += list(dict.fromkeys(shown_metrics(html)))
        headings += re.findall(r"MTP outcome (\d+) of (\d+)", html)
        if number < pages:
            assert f'href="?page={number + 1}" rel="next"' in html
    assert seen == [row.slug for row in whole.metric_rows]
    # Outcomes keep the whole deck's numbers across pages ("3 of 15"), a cut one printed again.
    numbers = [int(n) for n, _ in headings]
    assert sorted(set(numbers)) == list(range(1, len(whole.outcomes) + 1))
    assert numbers == sorted(numbers)
    assert {total for _, total in headings} == {str(len(whole.outcomes))}


def test_the_overview_pages_its_rows_and_counts_every_metric(viewer, session):
    url = reverse("metrics:session_overview", kwargs={"session_id": session.id})
    whole = session_deck(session.id)
    html = viewer.get(url).content.decode()
    tally = sum(int(n) for n in re.findall(r'<span class="count">(\d+)</span>', html))
    assert tally == len(whole.metric_rows)
    pages = int(re.search(r"Page 1 of (\d+)", html).group(1))
    seen, objectives = [], []
    for number in range(1, pages + 1):
        html = viewer.get(url, {"page": number}).content.decode()
        seen += shown_metrics(html)
        objectives += list(dict.fromkeys(re.findall(r'data-objective="([^"]+)"', html)))
    assert seen == [row.slug for row in whole.metric_rows]
    assert objectives == [block.slug for block in whole.objectives]


def test_a_department_filter_keeps_its_pages_and_its_query(viewer, session):
    department = models.Department.objects.order_by("slug").first()
    url = reverse("metrics:session_overview", kwargs={"session_id": session.id})
    html = viewer.get(url, {"department": department.slug}).content.decode()
    whole = session_deck(session.id)
    mine = [r.slug for r in whole.metric_rows if r.department_slug == department.slug]
    if "Page 1 of" in html:
        assert f"?department={department.slug}&amp;page=2" in html
    assert shown_metrics(html) == mine[: len(shown_metrics(html))]


@pytest.mark.parametrize("page", ["0", "999", "x", "-1"])
def test_a_page_out_of_range_is_a_400_naming_the_parameter(viewer, session, page):
    for name in ("metrics:session_metrics", "metrics:session_overview"):
        response = viewer.get(reverse(name, kwargs={"session_id": session.id}), {"page": page})
        assert response.status_code == 400
        assert b"?page=" in response.content


def test_a_large_session_page_runs_as_many_queries_as_a_small_one(
    viewer, session, django_assert_max_num_queries
):
    from tests.views.test_dashboard_queries import PAGE_BOUNDS

    for name, bound in (("session_metrics", "session_metrics"), ("session_overview", None)):
        url = reverse(f"metrics:{name}", kwargs={"session_id": session.id})
        with django_assert_max_num_queries(PAGE_BOUNDS[bound or name]):
            assert viewer.get(url, {"page": 2}).status_code == 200


def sidebar_links(html: str, kind: str) -> list[str]:
    aside = html[html.index('<aside class="sidebar"') : html.index("</aside>")]
    return re.findall(rf'href="[^"]*/{kind}/([^/"]+)/"', aside)


def test_the_sidebar_lists_the_part_a_page_shows(viewer, session):
    from metrics.selectors.deck_layout import deck_layout
    from metrics.selectors.session_pages import session_header

    layout = deck_layout(session_header(session.id))
    whole = session_deck(session.id)
    slug_of = {row.metric_id: row.slug for row in whole.metric_rows}
    tables = reverse("metrics:session_metrics", kwargs={"session_id": session.id})
    html = viewer.get(tables, {"page": 3}).content.decode()
    page_three = [slug_of[m] for _, m in layout.metric_pages[2]]
    assert sidebar_links(html, "metrics") == page_three
    assert "Tables page 3 of" in html

    # A metric's page lists the metrics of its table's page, itself marked.
    metric = page_three[-1]
    html = viewer.get(
        reverse("metrics:metric", kwargs={"session_id": session.id, "metric_slug": metric})
    ).content.decode()
    assert sidebar_links(html, "metrics") == page_three
    assert f'{metric}/" aria-current="page"' in html

    # An objective's page lists the objectives of its page.
    last = whole.objectives[-1]
    html = viewer.get(
        reverse("metrics:objective", kwargs={"session_id": session.id, "objective_slug": last.slug})
    ).content.decode()
    on_its_page = [b.slug for b in whole.objectives if b.objective_id in layout.objective_pages[-1]]
    assert sidebar_links(html, "objectives") == on_its_page


def test_the_objectives_index_comes_in_the_same_pages(viewer, session):
    whole = session_deck(session.id)
    url = reverse("metrics:objectives_index", kwargs={"session_id": session.id})
    html = viewer.get(url).content.decode()
    pages = int(re.search(r"Page 1 of (\d+)", html).group(1))
    listed = []
    for number in range(1, pages + 1):
        html = viewer.get(url, {"page": number}).content.decode()
        page = html[html.index('class="objective-list"') :]
        listed += re.findall(r'href="[^"]*/objectives/([^/"]+)/"', page)
    assert listed == [block.slug for block in whole.objectives]
    assert viewer.get(url, {"page": pages + 1}).status_code == 400
