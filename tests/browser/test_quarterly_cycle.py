"""One whole quarter in real Chromium: the facilitator opens Q3 FY20-21 from Q2, authors it;
the product lead is emailed, fills Q3 in and submits; the executive follows it live; the
facilitator holds Q3; a later narrative edit leaves the Q3 pages as presented; the Q1 and Q2
sessions (held by the seed) render the same data before and after."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from metrics import models
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "okrtracker-demo"
PAGES = ("session", "session_metrics", "session_appendix", "session_deck")


@pytest.fixture
def demo(transactional_db):
    """What exists before anyone arrives: the seed (Q1 and Q2 held) and the demo accounts,
    plus a facilitator."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    factories.UserFactory(username="facilitator", password=PASSWORD, roles=["Facilitator"])
    get_user_model().objects.filter(username="lead-product").update(email="product@example.org")
    return models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto(reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".account .who")


def session_urls(session_id):
    urls = [reverse(f"metrics:{name}", kwargs={"session_id": session_id}) for name in PAGES]
    urls += [
        reverse("metrics:metric", kwargs={"session_id": session_id, "metric_slug": slug})
        for slug in ("monthly-active-editors", "new-editor-retention")
    ]
    urls.append(
        reverse(
            "metrics:objective", kwargs={"session_id": session_id, "objective_slug": "ip-masking"}
        )
    )
    return urls


def presented(page, session_id) -> dict:
    """The data a session shows: its deck document and each page's content as the server
    renders it (the session switcher around it lists the sessions, which grow; Plotly gives
    its SVG random ids in the browser). Each page is also opened in Chromium."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="executive"))
    deck = client.get(reverse("api:session-deck", kwargs={"version": "v1", "pk": session_id}))
    assert deck.status_code == 200
    shown = {"deck": json.loads(deck.content)}
    for url in session_urls(session_id):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        shown[url] = html.split('<div class="page">', 1)[1].split("</main>", 1)[0]
        page.goto(url)
        page.wait_for_selector(".page")
    return shown


def test_one_whole_quarter(page, live_server, demo, settings, screenshot):
    settings.SITE_URL = live_server.url
    q1 = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=1)
    sign_in(page, "executive")
    before = {session.pk: presented(page, session.pk) for session in (q1, demo)}

    # The facilitator opens Q3 from Q2: a preview, then confirm.
    sign_in(page, "facilitator")
    page.goto(reverse("metrics:session", kwargs={"session_id": demo.pk}))
    page.click("a.nav-open-next")
    assert (
        "Thriving Movement Tuning Session Q3 FY20-21" in page.locator("#open-next h2").inner_text()
    )
    assert "metric rows" in page.locator(".carry-over").inner_text()
    screenshot(page, "cycle-01-open-next-preview")
    page.click("#open-next-form button[type=submit]")
    page.wait_for_selector(".messages li.success")
    q3 = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=3)
    assert page.url.endswith(reverse("metrics:session_edit", kwargs={"session_id": q3.pk}))

    # ...edits its overview, adds a key deliverable, retires a metric row.
    page.fill("textarea[name=overview]", "Q3: **check-in** opened <script>alert(1)</script>")
    page.click("#texts-form button[value=preview]")
    assert page.locator("#texts-preview strong").inner_text() == "check-in"
    assert page.locator("#texts-preview script").count() == 0
    page.click("#texts-form button[value=texts]")
    page.wait_for_selector(".messages li.success")
    page.fill("#deliverable-add input[name=title]", "Ship IP Masking tools")
    page.select_option("#deliverable-add select[name=objective]", label="IP Masking")
    page.click("#deliverable-add button[type=submit]")
    page.wait_for_selector("tr[data-deliverable='Ship IP Masking tools']")
    page.click("tr[data-metric='new-editor-retention'] button[value=definition-retire]")
    page.wait_for_selector("tr[data-metric='new-editor-retention'].retired")
    screenshot(page, "cycle-02-authoring")

    # The product lead was emailed; the link leads to the check-in.
    product_mails = [m for m in mail.outbox if "Product" in m.subject]
    assert len(product_mails) == 1 and "Q3 FY20-21" in product_mails[0].subject
    link = re.search(r"(http://\S+/checkin/\S+)", product_mails[0].body).group(1)
    sign_in(page, "lead-product")
    page.goto(link)
    editors = models.Metric.objects.get(slug="monthly-active-editors")
    page.locator(f"[name='status-{editors.pk}-0-value']").fill("95000")
    page.click("#save-checkin")
    page.wait_for_selector(".messages li.success")
    page.click("button[value=submit]")
    page.wait_for_selector(".messages li.success")

    # The executive follows Q3 as it fills: the cell and "Submitted".
    sign_in(page, "executive")
    page.goto(reverse("metrics:session", kwargs={"session_id": q3.pk}))
    assert "In preparation" in page.locator(".session-state").inner_text()
    assert (
        page.locator(".checkin-progress [data-department=product]")
        .inner_text()
        .endswith("Submitted")
    )
    assert page.locator(".session-overview strong").first.inner_text() == "check-in"
    assert "Ship IP Masking tools" in page.locator(".deliverables").inner_text()
    page.goto(reverse("metrics:session_metrics", kwargs={"session_id": q3.pk}))
    assert "95K/mo" in page.locator("[data-cell='monthly-active-editors||Q3']").inner_text()
    assert page.locator("[data-cell^='new-editor-retention||']").count() == 0
    page.goto(reverse("metrics:session_overview", kwargs={"session_id": q3.pk}))
    assert "1 of" in page.locator(".submission-progress").inner_text()
    screenshot(page, "cycle-03-executive-follows-q3")

    # The facilitator holds Q3.
    sign_in(page, "facilitator")
    page.goto(reverse("metrics:session_edit", kwargs={"session_id": q3.pk}))
    page.click("#hold-form button[type=submit]")
    page.click("#hold-confirm button[type=submit]")
    page.wait_for_selector(".messages li.success")
    assert page.locator("#session-edit").get_attribute("data-state") == "held"
    held = presented(page, q3.pk)

    # A later narrative edit (by the lead) does not change the Q3 pages.
    sign_in(page, "lead-product")
    page.goto(reverse("metrics:objective-edit", kwargs={"slug": "ip-masking"}))
    page.fill("textarea[name=narrative]", "Written after the Q3 meeting.")
    page.click("#narrative-form button[type=submit]")
    page.wait_for_selector(".messages li.success")
    sign_in(page, "executive")
    assert presented(page, q3.pk) == held
    assert "Written after" not in held[session_urls(q3.pk)[-1]]

    # Q1 and Q2 show exactly what they showed before the quarter was played.
    for session in (q1, demo):
        assert presented(page, session.pk) == before[session.pk]
