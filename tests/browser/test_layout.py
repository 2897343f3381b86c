"""Every page type at a phone's width (390 px) and a laptop's (1280 px), in real Chromium:
no horizontal page scroll, no console error, no word broken across lines inside a table
cell ("+7.3% YoY" over 8 lines, "De/pa/rt/me/nt"), a header that leaves the phone's screen
to the page, and a check-in that shows one metric at a time.

One browser page visits every URL at both widths (no new context per page) to keep the
added time small."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from metrics import models
from metrics.services.sessions import session_open_next
from tests.factories import WebhookEndpointFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = ((390, 844), (1280, 800))

# Each word of the text in table cells and headings: its rectangles must sit on one line.
# Hyphens, slashes and dashes are places a line may break, so they end a word here.
BROKEN_WORDS_JS = """
() => {
  const broken = [];
  const scope = [...document.querySelectorAll('td, th, h1, h2, caption')].slice(0, 1500);
  for (const element of scope) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      // Text for screen readers only (a 1 px box) is never seen, so never seen broken.
      const parent = node.parentElement;
      if (parent.getBoundingClientRect().width < 2 || !parent.checkVisibility()) continue;
      const pattern = /[^\\s\\-\\/\\u2010-\\u2015]{2,}/g;
      let match;
      while ((match = pattern.exec(node.textContent))) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set(
          [...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))
        );
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken.slice(0, 20);
}
"""


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)


def page_urls(session_id, draft_id):
    session = {"session_id": session_id}
    status = models.QuarterlyStatus.objects.filter(value__isnull=False).order_by("pk").first()
    return {
        "session overview": reverse("metrics:session", kwargs=session),
        "metrics tables": reverse("metrics:session_metrics", kwargs=session),
        "metric page": reverse(
            "metrics:metric", kwargs={**session, "metric_slug": "monthly-active-editors"}
        ),
        "objective page": reverse(
            "metrics:objective", kwargs={**session, "objective_slug": "community-programs"}
        ),
        "objectives index": reverse("metrics:objectives_index", kwargs=session),
        "executive overview": reverse("metrics:session_overview", kwargs=session),
        "comparison": reverse("metrics:session_compare"),
        "appendix": reverse("metrics:session_appendix", kwargs=session),
        "whole deck": reverse("metrics:session_deck", kwargs=session),
        "check-in": reverse(
            "metrics:checkin", kwargs={"department": "product", "fiscal_year": 2020, "number": 2}
        ),
        "backfill": reverse("metrics:entry-backfill", kwargs={"department": "product"}),
        "cell history": reverse("metrics:cell_history", kwargs={"status_id": status.pk}),
        "search": reverse("metrics:search") + "?q=editors",
        "open next session": reverse("metrics:session_open_next"),
        "session authoring": reverse("metrics:session_edit", kwargs={"session_id": draft_id}),
        "check-in review": reverse("metrics:session_review", kwargs={"session_id": draft_id}),
        "hold confirmation": reverse("metrics:session_hold", kwargs={"session_id": draft_id}),
        "delete confirmation": reverse("metrics:session_delete", kwargs={"session_id": draft_id}),
        "check-in index": reverse("metrics:checkin-index"),
        "csv import": reverse("metrics:entry-import", kwargs={"department": "product"}),
        "narrative edit": reverse("metrics:objective-edit", kwargs={"slug": "armdeb"}),
        "token page": reverse("api:token"),
        "home": reverse("metrics:home"),
        "inbox": reverse("metrics:inbox"),
        "notification preferences": reverse("metrics:notification_preferences"),
        "password change": reverse("password_change"),
        "webhooks": reverse("metrics:webhooks"),
        "webhook and its delivery log": reverse(
            "metrics:webhook", kwargs={"endpoint_id": webhook_with_a_log().pk}
        ),
        "404": "/no-such-page/",
        "discussion": reverse("metrics:session_discussion", kwargs=session),
        "thread": reverse("metrics:thread", kwargs={**session, "target_key": "session"}),
    }


def webhook_with_a_log():
    endpoint = models.WebhookEndpoint.objects.first() or WebhookEndpointFactory(
        name="Chat notifications",
        url="https://hooks.example.org/services/okrtracker/a-rather-long-path-segment",
    )
    delivery = models.WebhookDelivery.objects.create(
        endpoint=endpoint, event="status.saved", body="{}", next_attempt_at=timezone.now()
    )
    models.WebhookAttempt.objects.create(
        delivery=delivery,
        attempted_at=timezone.now(),
        error="NewConnectionError: Failed to establish a new connection",
        duration_ms=12,
    )
    return endpoint


def check_layout(page, name, width):
    where = f"{name} at {width} px"
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{where}: the page scrolls sideways by {overflow} px"
    broken = page.evaluate(BROKEN_WORDS_JS)
    assert broken == [], f"{where}: words broken across lines: {broken}"


def test_every_page_fits_a_phone_and_a_laptop_without_breaking_words(page, login, demo):
    admin = get_user_model().objects.get(username="admin")
    # A session in preparation: its authoring page has every row's buttons.
    draft = session_open_next(actor=admin, source=demo, notify=False).session
    # The inbox with a notice in it (its buttons and text must fit a phone too).
    from metrics.services.notifications import Notice, notifications_create

    notifications_create(
        notices=[
            Notice(admin.pk, "mention", "You were mentioned on Monthly active editors", link="/")
        ],
        event_key="layout",
        actor_id=None,
    )
    for width, height in WIDTHS:
        page.context.clear_cookies()
        page.set_viewport_size({"width": width, "height": height})
        page.goto(reverse("login"), wait_until="load")
        check_layout(page, "login", width)
        login(page, admin)
        for name, url in page_urls(demo.id, draft.id).items():
            response = page.goto(url, wait_until="load")
            assert response.status == (404 if name == "404" else 200), name
            assert page.locator("header.topbar").is_visible()
            check_layout(page, name, width)
            if width == 390:
                header = page.locator("header.topbar").bounding_box()
                assert header["height"] <= 130, f"{name}: the header is {header['height']} px"
            if name == "check-in" and width == 390:
                check_one_metric_at_a_time(page)
            if width == 390:
                check_buttons_can_be_tapped(page, name)
    # The 404 page is expected to answer 404; nothing else may fail.
    page.problems[:] = [p for p in page.problems if "/no-such-page/" not in p]


def check_buttons_can_be_tapped(page, name):
    """WCAG 2.2's minimum target: 24 x 24 px (the authoring page's ↑ ↓ were 23 x 21). The
    buttons that submit forms; the charts' toolbar is Plotly's."""
    small = page.evaluate(
        """() => [...document.querySelectorAll('main form button, main button[form]')]
            .map(b => [b.textContent.trim().slice(0, 20), b.getBoundingClientRect()])
            .filter(([, r]) => r.width > 0 && (r.width < 24 || r.height < 24))
            .map(([text, r]) => `${text} ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )
    assert small == [], f"{name}: buttons too small to tap: {small[:5]}"


def check_one_metric_at_a_time(page):
    """Each metric's fields stack in a card as wide as the screen."""
    row = page.locator("table.metrics-entry tbody tr.metric-row").first
    box = row.bounding_box()
    assert box["width"] <= 390
    value = row.locator("td.value-cell").bounding_box()
    state = row.locator("td[data-label=State]").bounding_box()
    assert state["y"] >= value["y"] + value["height"] - 1, "fields side by side, not stacked"
    # The header does not follow the page down on a phone.
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).position") != (
        "sticky"
    )


def test_the_comparison_fits_a_phone_whatever_long_titles_the_sessions_have(page, login, seed_deck):
    """The session pickers are as wide as their longest title: they shrink to the screen."""
    from tests.factories import UserFactory

    models.TuningSession.objects.filter(quarter__number=2).update(
        title="Thriving Movement Tuning Session Q2 FY20-21, as revised after the board's review"
    )
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, UserFactory(roles=["Viewer"]))

    response = page.goto(reverse("metrics:session_compare"), wait_until="load")

    assert response.status == 200
    check_layout(page, "comparison", 390)
    button = page.locator(".compare-form button").bounding_box()
    assert button["x"] + button["width"] <= 390
