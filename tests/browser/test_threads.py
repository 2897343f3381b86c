"""A conversation on a cell in real Chromium: an executive asks about a figure on the
metrics tables and mentions the lead, the lead finds the count beside the cell, replies and
resolves; the executive sees the thread resolved."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from metrics import models
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CELL = "td[data-cell='monthly-active-editors||Q2']"


@pytest.fixture
def arranged(transactional_db):
    """The seed's Q2 session in preparation, an executive and the metric's department lead."""
    call_command("loaddata", "seed_deck", verbosity=0)
    models.TuningSession.objects.filter(quarter__number=2).update(state="draft")
    session = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)
    metric = models.Metric.objects.get(slug="monthly-active-editors")
    lead = factories.UserFactory(username="lena", roles=["Department lead"])
    metric.department.leads.add(lead)
    executive = factories.UserFactory(username="erin", roles=["Executive"])
    return session, executive, lead


def test_a_question_on_a_cell_a_mention_a_reply_and_resolve(page, login, arranged):
    session, executive, lead = arranged
    tables = reverse("metrics:session_metrics", kwargs={"session_id": session.pk})

    login(page, executive)
    page.goto(tables)
    page.locator(f"{CELL} a.thread-add").click()
    assert "Monthly active editors" in page.locator("h1").inner_text()
    page.fill("textarea[name=body]", "Why did it **jump** in Q2? @lena")
    page.click("text=Post comment")
    assert "jump" in page.locator(".comment-body strong").inner_text()
    question = models.Comment.objects.get()
    assert list(question.mentions.values_list("user__username", flat=True)) == ["lena"]

    page.context.clear_cookies()
    login(page, lead)
    page.goto(tables)
    count = page.locator(f"{CELL} a.thread-count")
    assert count.inner_text().split()[-2:] == ["1", "comments"]
    count.click()
    page.locator(".reply-form summary").first.click()
    page.fill(f"#reply-{question.pk}", "A campaign in Africa.")
    page.click("text=Post reply")
    assert "A campaign in Africa." in page.locator(".thread-replies").inner_text()
    page.click("text=Resolve thread")
    assert "Resolved by lena" in page.locator(".thread-state").inner_text()

    page.context.clear_cookies()
    login(page, executive)
    page.goto(tables)
    resolved = page.locator(f"{CELL} a.thread-count.resolved")
    assert resolved.inner_text().split()[-2:] == ["2", "comments"]
    page.goto(reverse("metrics:session_discussion", kwargs={"session_id": session.pk}))
    assert "1 resolved thread" in page.locator("main").inner_text()
