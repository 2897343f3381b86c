"""Every dashboard page type in real Chromium: no console errors, no failed requests, the
Plotly charts drawn as SVG; screenshots in test-artifacts/screenshots/."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from metrics import models
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(transactional_db):
    call_command("loaddata", "seed_deck", verbosity=0)
    return models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2).id


@pytest.fixture
def signed_in(page, login, seeded):
    login(page, UserFactory(username="exec", roles=["Executive"]))
    return page


def session_pages(session_id):
    """(screenshot name, URL, chart ids expected drawn)."""

    def metric(slug):
        return reverse("metrics:metric", kwargs={"session_id": session_id, "metric_slug": slug})

    def objective(slug):
        return reverse(
            "metrics:objective", kwargs={"session_id": session_id, "objective_slug": slug}
        )

    return [
        ("01-session", reverse("metrics:session", kwargs={"session_id": session_id}), []),
        ("02-overview", reverse("metrics:session_overview", kwargs={"session_id": session_id}), []),
        (
            "03-metrics-tables",
            reverse("metrics:session_metrics", kwargs={"session_id": session_id}),
            [],
        ),
        (
            "04-metric-monthly-active-editors",
            metric("monthly-active-editors"),
            ["chart-monthly-active-editors-series", "chart-monthly-active-editors-yoy"],
        ),
        (
            "05-metric-new-editor-retention",
            metric("new-editor-retention"),
            ["chart-new-editor-retention-series", "chart-new-editor-retention-yoy"],
        ),
        (
            "06-metric-survey-diverse-genders",
            metric("diverse-genders"),
            ["chart-diverse-genders-survey"],
        ),
        ("07-objective-community-programs", objective("community-programs"), []),
        ("08-objective-grantmaking", objective("grantmaking"), []),
        ("09-appendix", reverse("metrics:session_appendix", kwargs={"session_id": session_id}), []),
        ("10-compare", reverse("metrics:session_compare"), []),
        (
            "11-whole-deck",
            reverse("metrics:session_deck", kwargs={"session_id": session_id}),
            ["chart-monthly-active-editors-series", "chart-new-editor-retention-yoy"],
        ),
    ]


PAGE_NAMES = [name for name, _, _ in session_pages(1)]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_renders_cleanly_with_charts_drawn(signed_in, seeded, screenshot, name):
    page = signed_in
    _, url, chart_ids = next(p for p in session_pages(seeded) if p[0] == name)
    response = page.goto(url)
    assert response.status == 200
    assert page.locator("main").is_visible()
    for chart_id in chart_ids:
        page.wait_for_selector(f"#{chart_id} svg.main-svg")
        assert page.locator(f"#{chart_id} .trace").count() >= 1
    # plotly.js is requested once per page however many charts it has.
    scripts = page.locator("script[src*='plotly.min.js']").count()
    assert scripts == (1 if chart_ids else 0)
    screenshot(page, name)
    if name == "02-overview":
        # The first screen of the overview, as the README shows it.
        screenshot(page, "00-readme-overview", full_page=False)


def test_navigation_from_home_to_a_chart(signed_in, seeded, screenshot):
    page = signed_in
    page.goto(reverse("metrics:home"))
    # An executive's home links to the latest session.
    page.locator(".home-latest a").click()
    page.get_by_role("link", name="Metrics", exact=True).click()
    page.get_by_role("link", name="Monthly active editors increase YoY").click()
    page.wait_for_selector("#chart-monthly-active-editors-series svg.main-svg")
    assert page.locator("h1").inner_text() == "Monthly Active Editors"
    page.get_by_role("link", name="ARMDEB").first.click()
    assert "Attract and Retain" in page.locator("h1").inner_text()


def test_hover_shows_exact_values(signed_in, seeded):
    page = signed_in
    page.goto(
        reverse(
            "metrics:metric", kwargs={"session_id": seeded, "metric_slug": "monthly-active-editors"}
        )
    )
    page.wait_for_selector("#chart-monthly-active-editors-series svg.main-svg")
    point = page.locator(
        "#chart-monthly-active-editors-series .scatterlayer .trace:first-child .point"
    ).last
    point.hover(force=True)
    page.wait_for_selector("#chart-monthly-active-editors-series .hoverlayer .hovertext")
    assert (
        "92,000" in page.locator("#chart-monthly-active-editors-series .hoverlayer").text_content()
    )


def test_print_layout_puts_each_slide_on_its_own_page(signed_in, seeded):
    page = signed_in
    page.goto(reverse("metrics:session_deck", kwargs={"session_id": seeded}))
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    breaks = page.eval_on_selector_all(
        "section.slide", "els => els.map(e => getComputedStyle(e).breakAfter)"
    )
    assert len(breaks) > 10
    assert breaks[:-1] == ["page"] * (len(breaks) - 1)
    pdf = page.pdf(format="A4", landscape=True)
    assert pdf.startswith(b"%PDF")


def test_a_cell_links_to_its_history(signed_in, seeded, screenshot):
    # The seed's history: each cell's "seed" entry and what the build's recompute derived.
    call_command("loaddata", "seed_history", verbosity=0)
    page = signed_in
    page.goto(
        reverse(
            "metrics:metric", kwargs={"session_id": seeded, "metric_slug": "monthly-active-editors"}
        )
    )
    page.locator('td[data-cell="monthly-active-editors||Q2"] a.cell-history-link').click()
    page.wait_for_selector("table.history-table")
    assert "Monthly active editors increase YoY, Q2 FY20-21" in page.locator("h1").inner_text()
    assert "+8.1% YoY (92K/mo*)" in page.locator(".cell-now").inner_text()
    assert "Seed" in page.locator("table.history-table tbody tr").last.inner_text()
    screenshot(page, "12-cell-history", full_page=False)
    page.get_by_role("link", name="← Back").click()
    assert page.locator("h1").inner_text() == "Monthly Active Editors"
