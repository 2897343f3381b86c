"""One quarter as a conversation, in real Chromium, between five people (issue 18):

1. the facilitator opens Q3 FY20-21;
2. the Product lead fills a figure in and submits;
3. the facilitator returns it with a comment;
4. the lead finds it in the inbox and the mail, answers in the cell's thread and resubmits;
5. the facilitator approves;
6. the executive asks a question on a cell and mentions the Legal lead;
7. the Legal lead is notified and answers;
8. the facilitator holds after a confirmation naming Legal as not submitted;
9. the held pages state exactly who submitted and show the threads read-only; later edits
   and comments change none of it.

What exists before anyone arrives is set up in code (the seed and the accounts); everything
a person does, they do in the pages."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from metrics import broker, models
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "okrtracker-demo"
CELL = "td[data-cell='monthly-active-editors||Q3']"
HELD = (
    "1 of 5 departments submitted (1 approved); Advancement, Communications, Legal and "
    "Technology had not submitted when the session was held."
)


@pytest.fixture
def organisation(transactional_db, settings, live_server):
    """The seed (Q1 and Q2 held), the demo accounts with their email addresses."""
    settings.SITE_URL = live_server.url
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    users = get_user_model().objects
    if not users.filter(username="facilitator").exists():
        factories.UserFactory(username="facilitator", password=PASSWORD, roles=["Facilitator"])
    for name in ("lead-product", "lead-legal", "facilitator", "executive"):
        users.filter(username=name).update(email=f"{name}@example.org")
    return models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto(reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_selector(".account .who")


def mails_to(username):
    broker.flush()  # the notifications' publishes run in the process's sender thread
    return [m for m in mail.outbox if f"{username}@example.org" in m.to]


def held_views(page, q3):
    """What the held session shows: the overview's sentence, the cell, its thread."""
    page.goto(reverse("metrics:session_overview", kwargs={"session_id": q3.pk}))
    progress = page.locator(".submission-progress").inner_text().strip()
    page.goto(reverse("metrics:session_metrics", kwargs={"session_id": q3.pk}))
    cell = page.locator(CELL).inner_text()
    page.locator(f"{CELL} a.thread-count").click()
    thread = page.locator(".thread-comments").inner_text()
    return progress, cell, thread


def test_one_quarter_as_a_conversation(page, organisation, screenshot):
    q2 = organisation

    # 1. The facilitator opens Q3 from Q2.
    sign_in(page, "facilitator")
    page.goto(reverse("metrics:session", kwargs={"session_id": q2.pk}))
    page.click("a.nav-open-next")
    page.click("#open-next-form button[type=submit]")
    page.wait_for_selector(".messages li.success")
    q3 = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=3)
    opened = mails_to("lead-product")
    assert len(opened) == 1 and "Q3 FY20-21" in opened[0].subject

    # 2. The Product lead follows the mail's link, enters a figure and submits.
    link = re.search(r"(http://\S+/checkin/\S+)", opened[0].body).group(1)
    sign_in(page, "lead-product")
    page.goto(link)
    editors = models.Metric.objects.get(slug="monthly-active-editors")
    page.locator(f"[name='status-{editors.pk}-0-value']").fill("95000")
    page.click("#save-checkin")
    page.wait_for_selector(".messages li.success")
    page.click("button[value=submit]")
    page.wait_for_selector(".messages li.success")
    assert page.locator("#submission-state").inner_text() == "Submitted"

    # 3. The facilitator is told, opens the review and returns it with a comment.
    sign_in(page, "facilitator")
    page.get_by_role("link", name="Inbox").click()
    assert (
        "Product submitted its check-in for Q3 FY20-21" in page.locator(".inbox-list").inner_text()
    )
    page.goto(reverse("metrics:session_review", kwargs={"session_id": q3.pk}))
    row = page.locator("tr[data-department=product]")
    row.locator("textarea[name=comment]").fill("95K looks like September's; check October.")
    row.locator("button[value=return]").click()
    page.wait_for_selector(".messages li.success")
    screenshot(page, "conversation-01-returned")

    # 4. The lead finds it in the inbox and the mail, answers in the cell's thread, resubmits.
    returned = mails_to("lead-product")[-1]
    assert "returned" in returned.subject and "check October" in returned.body
    sign_in(page, "lead-product")
    page.get_by_role("link", name="Inbox").click()
    notice = page.locator(".inbox-list .notification.unread").first
    assert "returned" in notice.inner_text()
    notice.get_by_role("button", name="Open").click()
    assert "check October" in page.locator("#review-comment").inner_text()
    page.goto(reverse("metrics:session_metrics", kwargs={"session_id": q3.pk}))
    page.locator(f"{CELL} a.thread-add").click()
    page.fill(
        ".comment-form textarea[name=body]", "Checked: October is 97K; corrected. @facilitator"
    )
    page.click("text=Post comment")
    page.wait_for_selector(".comment-body")
    page.goto(link)
    page.locator(f"[name='status-{editors.pk}-0-value']").fill("97000")
    page.click("#save-checkin")
    page.wait_for_selector(".messages li.success")
    page.click("button[value=submit]")
    page.wait_for_selector(".messages li.success")

    # 5. The facilitator approves.
    sign_in(page, "facilitator")
    page.goto(reverse("metrics:session_review", kwargs={"session_id": q3.pk}))
    page.locator("tr[data-department=product] button[value=approve]").click()
    page.wait_for_selector(".messages li.success")
    assert page.locator("tr[data-department=product]").get_attribute("data-state") == "approved"

    # 6. The executive asks on the cell and mentions the Legal lead.
    sign_in(page, "executive")
    page.goto(reverse("metrics:session_metrics", kwargs={"session_id": q3.pk}))
    assert "97K/mo" in page.locator(CELL).inner_text()
    page.locator(f"{CELL} a.thread-count").click()
    page.fill(
        ".comment-form textarea[name=body]",
        "Does the **legal** review of the campaign explain it? @lead-legal",
    )
    page.click("text=Post comment")
    page.wait_for_selector(".comment-body strong")

    # 7. The Legal lead is notified (inbox and mail) and answers.
    assert any("mentioned" in m.subject.lower() for m in mails_to("lead-legal"))
    sign_in(page, "lead-legal")
    page.get_by_role("link", name="Inbox").click()
    mention = page.locator(".inbox-list .notification.unread", has_text="mentioned").first
    mention.get_by_role("button", name="Open").click()
    question = models.Comment.objects.filter(body__contains="legal").get()
    page.locator(".reply-form summary").last.click()
    page.fill(f"#reply-{question.pk}", "No: the review ended in August.")
    page.locator(f"#reply-{question.pk}").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    assert "the review ended in August" in page.locator(".thread-replies").inner_text()
    screenshot(page, "conversation-02-thread")

    # 8. The facilitator holds after a confirmation naming Legal as not submitted.
    sign_in(page, "facilitator")
    page.goto(reverse("metrics:session_edit", kwargs={"session_id": q3.pk}))
    page.click("#hold-form button[type=submit]")
    missing = page.locator("#hold-missing").inner_text()
    assert "Legal" in missing and "Product" not in missing
    screenshot(page, "conversation-03-hold-confirmation")
    page.click("#hold-confirm button[type=submit]")
    page.wait_for_selector(".messages li.success")

    # 9. The held pages state who submitted and show the thread, read-only...
    sign_in(page, "executive")
    progress, cell, thread = held_views(page, q3)
    assert progress == HELD
    assert "97K/mo" in cell
    assert "the review ended in August" in thread and "October is 97K" in thread
    assert page.locator(".thread-held").count() == 1
    assert page.locator(".comment-form").count() == 0
    screenshot(page, "conversation-04-held-thread")

    # ...and later edits and comments change none of it.
    sign_in(page, "lead-product")
    page.goto(link)
    assert page.locator("#save-checkin").count() == 0  # locked by the hold
    sign_in(page, "admin")
    page.goto(reverse("metrics:session_metrics", kwargs={"session_id": q3.pk}))
    page.locator(f"{CELL} a.thread-count").click()
    assert page.locator(".comment-form").count() == 0
    models.Comment.objects.filter(pk=question.pk).update(body="rewritten behind the app's back")
    sign_in(page, "executive")
    assert held_views(page, q3) == (progress, cell, thread)
