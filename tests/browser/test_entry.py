"""Status entry in real Chromium: a lead signs in, fills in the quarter, and the dashboard
shows it; another department's lead is refused; two people editing one row."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from metrics import models

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "okrtracker-demo"


@pytest.fixture
def demo(transactional_db):
    """The reference deck and the demo accounts (admin, executive, lead-product, lead-legal,
    ..., viewer), as `manage.py seed_demo` sets them up."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)


def q3_session_prepare(q2_session) -> models.TuningSession:
    """The Q3 tuning session, set up as an admin would: the Q2 session's metric rows and
    footnotes carried over. Its deck shows Q1-Q3 (the Q2 deck stops at Q2)."""
    q3 = models.Quarter.objects.get_or_create_fiscal(2020, 3)
    session = models.TuningSession.objects.create(
        priority=q2_session.priority, quarter=q3, title="Thriving Movement Tuning Session Q3"
    )
    for definition in q2_session.metric_definitions.all():
        definition.pk, definition.session = None, session
        definition.save()
    for footnote in q2_session.footnotes.all():
        footnote.pk, footnote.session = None, session
        footnote.save()
    return session


def checkin_path(department="product", number=3):
    return reverse(
        "metrics:checkin",
        kwargs={"department": department, "fiscal_year": 2020, "number": number},
    )


def sign_in(page, username):
    page.goto(reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".account .who")


def row_input(page, metric_slug, field, segment_pk=0):
    metric = models.Metric.objects.get(slug=metric_slug)
    return page.locator(f"[name='status-{metric.pk}-{segment_pk}-{field}']")


def test_product_lead_fills_in_q3_and_the_dashboard_shows_the_cell_with_its_yoy(
    page, demo, screenshot
):
    sign_in(page, "lead-product")

    # Backfill the year-earlier months (Jan-Mar 2020) by pasting a column.
    page.goto(reverse("metrics:entry-backfill", kwargs={"department": "product"}))
    editors = models.Metric.objects.get(slug="monthly-active-editors")
    page.select_option("select[name=row]", f"{editors.pk}-0")
    page.fill("input[name=start]", "2020-01")
    page.fill("textarea[name=values]", "87000\n88000\n89000")
    page.click("button[name=preview]")
    assert "3 new" in page.locator(".counts").inner_text()
    page.click("button[name=save]")
    page.wait_for_selector(".messages li.success")

    # The check-in: through the nav link and the quarter picker.
    page.click("a.nav-checkin")
    page.select_option("select[name=department]", "product")
    page.fill("input[name=fiscal_year]", "2020")
    page.select_option("select[name=number]", "3")
    page.click("form.quarter-pick button[type=submit]")
    page.wait_for_url(f"**{checkin_path()}")
    assert "count /mo" in page.locator(f"#row-status-{editors.pk}-0").inner_text()
    row_input(page, "monthly-active-editors", "value").fill("95000")
    row_input(page, "monthly-active-editors", "footnote_markers").fill("*")
    key_result = models.KeyResult.objects.get(objective__slug="ip-masking", metric=None)
    page.fill(f"[name='kr-{key_result.pk}-text']", "Two tools **shipped**")
    screenshot(page, "entry-01-checkin-filled")
    page.click("#save-checkin")
    page.wait_for_selector(".messages li.success")
    assert "Saved 2 row(s)" in page.locator(".messages").inner_text()
    assert row_input(page, "monthly-active-editors", "value").input_value() == "95000"
    assert "History" in page.locator(f"#row-status-{editors.pk}-0 .history-cell").inner_text()

    # The dashboard shows the new cell with its YoY (95000 / mean(87-89K) - 1 = +8.0%).
    q3_session = q3_session_prepare(demo)
    page.goto(
        reverse(
            "metrics:metric",
            kwargs={"session_id": q3_session.pk, "metric_slug": "monthly-active-editors"},
        )
    )
    cell = page.locator("[data-cell='monthly-active-editors||Q3']")
    text = cell.inner_text()
    assert "95K/mo*" in text
    assert "+8.0% YoY" in text
    screenshot(page, "entry-02-dashboard-shows-q3")

    # ...and the key result's Q3 status, its Markdown rendered.
    page.goto(
        reverse(
            "metrics:objective",
            kwargs={"session_id": q3_session.pk, "objective_slug": "ip-masking"},
        )
    )
    kr_cell = page.locator(f"[data-cell='kr{key_result.pk}||Q3']")
    assert kr_cell.locator(".kr-cell").inner_text().strip() == "Two tools shipped"
    assert kr_cell.locator("strong").inner_text() == "shipped"


def test_a_legal_lead_can_neither_see_nor_post_products_form(page, demo):
    sign_in(page, "lead-legal")

    page.goto(reverse("metrics:checkin-index"))
    options = page.locator("select[name=department] option").all_inner_texts()
    assert options == ["Legal"]

    response = page.goto(checkin_path("product"))
    assert response.status == 403
    assert page.locator("#checkin-form").count() == 0
    assert "Monthly active editors" not in page.locator("main").inner_text()

    # A forged post: Legal's own (valid) form, its action pointed at Product's URL.
    page.goto(checkin_path("legal"))
    editors = models.Metric.objects.get(slug="monthly-active-editors")
    page.evaluate(
        """([action, name]) => {
            const form = document.getElementById('checkin-form');
            form.action = action;
            const input = document.createElement('input');
            input.name = name; input.value = '1';
            form.appendChild(input);
        }""",
        [checkin_path("product"), f"status-{editors.pk}-0-value"],
    )
    with page.expect_response(re.compile(r"/checkin/product/")) as posted:
        page.click("#checkin-form button[type=submit]")
    assert posted.value.status == 403
    page.wait_for_load_state("load")
    assert "Not allowed" in page.locator("main h1").inner_text()
    assert not models.QuarterlyStatus.objects.filter(
        metric=editors, quarter__number=3, quarter__fiscal_year=2020
    ).exists()
    # The two refusals are expected (Chromium reports each on the console as well);
    # anything else the browser reported is not.
    refused = checkin_path("product")
    page.problems[:] = [p for p in page.problems if not ("403" in p and refused in p)]


def q3_editors_status():
    return models.QuarterlyStatus.objects.get(
        metric__slug="monthly-active-editors",
        segment=None,
        quarter__number=3,
        quarter__fiscal_year=2020,
    )


def test_two_people_editing_the_same_row_the_second_save_gets_the_conflict_message(
    page, browser, live_server, demo, screenshot
):
    other = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=live_server.url)
    second = other.new_page()
    try:
        sign_in(page, "lead-product")
        sign_in(second, "admin")
        page.goto(checkin_path(number=3))
        second.goto(checkin_path(number=3))

        row_input(page, "monthly-active-editors", "value").fill("96000")
        page.click("#save-checkin")
        page.wait_for_selector(".messages li.success")

        row_input(second, "monthly-active-editors", "value").fill("97000")
        second.click("#save-checkin")
        second.wait_for_selector(".conflict")
        conflict = second.locator(".conflict").first.inner_text()
        assert "Saved meanwhile by lead-product" in conflict
        assert "96000" in conflict
        assert row_input(second, "monthly-active-editors", "value").input_value() == "97000"
        screenshot(second, "entry-03-conflict")
        assert q3_editors_status().value == 96000

        # Save again on the re-shown page, as it invites: the newer value stays.
        second.click("#save-checkin")
        second.wait_for_selector(".messages li")
        assert q3_editors_status().value == 96000
        assert row_input(second, "monthly-active-editors", "value").input_value() == "96000"
    finally:
        other.close()


def test_after_a_conflict_keep_mine_replaces_their_value_and_only_the_field_typed(
    page, browser, live_server, demo
):
    other = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=live_server.url)
    second = other.new_page()
    try:
        sign_in(page, "lead-product")
        sign_in(second, "admin")
        page.goto(checkin_path(number=3))
        second.goto(checkin_path(number=3))

        row_input(page, "monthly-active-editors", "value").fill("96000")
        row_input(page, "monthly-active-editors", "footnote_markers").fill("†")
        page.click("#save-checkin")
        page.wait_for_selector(".messages li.success")

        row_input(second, "monthly-active-editors", "value").fill("97000")
        second.click("#save-checkin")
        second.wait_for_selector(".conflict")
        editors = models.Metric.objects.get(slug="monthly-active-editors")
        second.check(f"[name='status-{editors.pk}-0-keep_mine']")
        second.click("#save-checkin")
        second.wait_for_selector(".messages li.success")

        status = q3_editors_status()
        assert (status.value, status.footnote_markers) == (97000, "†")
    finally:
        other.close()


def test_a_row_someone_else_saves_meanwhile_is_no_conflict_when_left_untouched(
    page, browser, live_server, demo
):
    other = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=live_server.url)
    second = other.new_page()
    try:
        sign_in(page, "lead-product")
        sign_in(second, "admin")
        page.goto(checkin_path(number=3))
        second.goto(checkin_path(number=3))

        row_input(second, "monthly-active-editors", "value").fill("96000")
        second.click("#save-checkin")
        second.wait_for_selector(".messages li.success")

        # The lead edits another row only and saves the page read before the admin's save.
        key_result = models.KeyResult.objects.get(objective__slug="ip-masking", metric=None)
        page.fill(f"[name='kr-{key_result.pk}-comment']", "on track")
        page.click("#save-checkin")
        page.wait_for_selector(".messages li.success")
        assert page.locator(".conflict").count() == 0
        assert "Saved 1 row(s)" in page.locator(".messages").inner_text()
        status = q3_editors_status()
        assert (status.value, status.updated_by.username) == (96000, "admin")
    finally:
        other.close()
