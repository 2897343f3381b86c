"""The review loop in real Chromium: the Product lead fills Q3 in and submits; the facilitator
returns it with a comment; the lead sees the comment at the top of the check-in, changes a
figure and submits again; the facilitator approves, then holds the session after a
confirmation naming the departments that did not submit; the held overview states exactly
who had submitted. (The cross-feature test with notifications and threads comes at merge.)"""

import pytest
from django.urls import reverse

from metrics import models
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "okrtracker-demo"
NAMES = ("Product", "Legal", "Advancement", "Technology", "Communications")
HELD = (
    "1 of 5 departments submitted (1 approved); Advancement, Communications, Legal and "
    "Technology had not submitted when the session was held."
)


@pytest.fixture
def quarter_open(transactional_db):
    """What exists before anyone arrives: five departments, Product's metric, its lead, a
    facilitator, an executive, and the Q3 FY20-21 session in preparation."""
    departments = {
        name: factories.DepartmentFactory(name=name, slug=name.lower()) for name in NAMES
    }
    lead = factories.UserFactory(
        username="lead-product", password=PASSWORD, roles=["Department lead"]
    )
    departments["Product"].leads.add(lead)
    factories.UserFactory(username="facilitator", password=PASSWORD, roles=["Facilitator"])
    factories.UserFactory(username="executive", password=PASSWORD, roles=["Executive"])
    metric = factories.MetricFactory(
        department=departments["Product"], name="Monthly active editors", slug="editors"
    )
    quarter = factories.QuarterFactory(fiscal_year=2020, number=3)
    session = factories.TuningSessionFactory(
        quarter=quarter, title="Thriving Movement Tuning Session Q3 FY20-21"
    )
    models.MetricDefinition.objects.create(
        session=session, metric=metric, outcome=metric.outcome, name=metric.name
    )
    return session, metric


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto(reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".account .who")


def test_submit_return_resubmit_approve_and_hold(page, quarter_open, screenshot):
    session, metric = quarter_open
    checkin = reverse(
        "metrics:checkin", kwargs={"department": "product", "fiscal_year": 2020, "number": 3}
    )
    value = f"[name='status-{metric.pk}-0-value']"

    # The lead enters a figure and submits: the check-in turns read-only.
    sign_in(page, "lead-product")
    page.goto(checkin)
    page.locator(value).fill("95000")
    page.click("#save-checkin")
    page.wait_for_selector(".messages li.success")
    page.click("button[value=submit]")
    page.wait_for_selector(".messages li.success")
    assert page.locator("#submission-state").inner_text() == "Submitted"
    assert page.locator("#save-checkin").count() == 0
    assert page.locator(value).is_disabled()
    assert "read-only until you withdraw it" in page.locator("#read-only-notice").inner_text()

    # The facilitator finds it from the session's pages and returns it with a comment.
    sign_in(page, "facilitator")
    page.goto(reverse("metrics:session", kwargs={"session_id": session.pk}))
    page.click("a.nav-review")
    row = page.locator("tr[data-department=product]")
    assert row.get_attribute("data-state") == "submitted"
    row.locator("textarea[name=comment]").fill("95K looks like September's; check October.")
    row.locator("button[value=return]").click()
    page.wait_for_selector(".messages li.success")
    assert page.locator("tr[data-department=product]").get_attribute("data-state") == "returned"
    screenshot(page, "review-01-returned")

    # The lead sees the comment at the top, fixes the figure and submits again.
    sign_in(page, "lead-product")
    page.goto(checkin)
    comment = page.locator("#review-comment")
    assert "95K looks like September's; check October." in comment.inner_text()
    assert "facilitator returned this check-in" in comment.inner_text()
    page.locator(value).fill("97000")
    page.click("#save-checkin")
    page.wait_for_selector(".messages li.success")
    page.click("button[value=submit]")
    page.wait_for_selector(".messages li.success")
    assert page.locator("#submission-state").inner_text() == "Submitted"
    assert page.locator("#review-comment").count() == 0
    screenshot(page, "review-02-resubmitted")

    # The facilitator approves, then holds after a confirmation naming who did not submit.
    sign_in(page, "facilitator")
    page.goto(reverse("metrics:session_review", kwargs={"session_id": session.pk}))
    page.locator("tr[data-department=product] button[value=approve]").click()
    page.wait_for_selector(".messages li.success")
    assert page.locator("tr[data-department=product]").get_attribute("data-state") == "approved"
    page.goto(reverse("metrics:session_edit", kwargs={"session_id": session.pk}))
    page.click("#hold-form button[type=submit]")
    missing = page.locator("#hold-missing").inner_text()
    for name in ("Legal", "Advancement", "Technology", "Communications"):
        assert name in missing
    assert "Product" not in missing
    screenshot(page, "review-03-hold-confirmation")
    page.click("#hold-confirm button[type=submit]")
    page.wait_for_selector(".messages li.success")
    assert page.locator("#session-edit").get_attribute("data-state") == "held"

    # The held overview states exactly who had submitted, and no live recompute strip.
    sign_in(page, "executive")
    page.goto(reverse("metrics:session_overview", kwargs={"session_id": session.pk}))
    assert page.locator(".submission-progress").inner_text().strip() == HELD
    assert "recomputed" not in page.locator(".exec-overview").first.inner_text()
    page.goto(reverse("metrics:session", kwargs={"session_id": session.pk}))
    assert page.locator(".checkin-progress .submission-progress").inner_text().strip() == HELD
    screenshot(page, "review-04-held-overview")
