"""Notifications in real Chromium: a lead submits (the button says whom it notifies), the
admin reviewing sees the count in the header, finds the notice on their home and in the
inbox, opens it, and the count goes."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from metrics import models
from metrics.services.sessions import session_open_next

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def q3(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    q2 = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)
    facilitator = get_user_model().objects.get(username="facilitator")
    return session_open_next(actor=facilitator, source=q2, notify=False).session


def test_a_submission_reaches_the_reviewers_inbox_and_header_count(page, login, q3):
    users = get_user_model().objects
    login(page, users.get(username="lead-product"))
    page.goto(
        reverse(
            "metrics:checkin", kwargs={"department": "product", "fiscal_year": 2020, "number": 3}
        )
    )
    who = page.locator(".who-notified").inner_text()
    assert "admin" in who and "facilitator" in who
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state("load")

    page.context.clear_cookies()
    login(page, users.get(username="admin"))
    page.goto(reverse("metrics:session", kwargs={"session_id": q3.pk}))
    badge = page.locator(".unread-count")
    badge.wait_for(state="visible")
    assert badge.inner_text() == "1"

    page.goto(reverse("metrics:home"))
    assert "Product" in page.locator(".home-to-review").inner_text()
    page.get_by_role("link", name="Inbox").click()
    notice = page.locator(".inbox-list .notification.unread")
    assert "Product submitted its check-in for Q3 FY20-21" in notice.inner_text()
    notice.get_by_role("button", name="Open").click()
    # Reviewers are sent to the review page (facilitators may not open a check-in).
    page.wait_for_url(f"**/sessions/{q3.pk}/review/")
    # Once the count has been fetched (the script labels the badge), it is gone.
    page.locator(".unread-count[aria-label]").wait_for(state="attached")
    assert page.locator(".unread-count").is_hidden()
