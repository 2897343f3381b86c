"""Hostile text in real Chromium: a lead types a sample of the XSS payloads into the
narrative and drill-down forms; an executive then reads every page that shows them. No
dialog opens, no element or event handler from the text exists in the page, and every script
on it is the app's own."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from metrics import models
from tests.browser.test_entry import sign_in
from tests.security.inert import payloads_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every fourth payload: each kind (script, handler, URL, SVG, Markdown, entities, templates).
SAMPLE = "\n\n".join(payloads_load()[::4])
INJECTED = (
    "#xss-injected, .xss-injected, iframe, object, embed, frame, base, svg script, "
    "[onerror], [onload], [onclick], [onmouseover], [onfocus], [ontoggle], [onbegin], "
    "[onstart], [onpageshow], [srcdoc], a[href^='javascript' i], a[href^='data' i], "
    "a[href^='vbscript' i], img, input[autofocus], details[open]"
)
FOREIGN_SCRIPTS = """() => [...document.scripts]
    .filter(s => !(s.src && new URL(s.src).pathname.startsWith('/static/'))
                 && s.type !== 'application/json')
    .map(s => s.outerHTML.slice(0, 80))"""


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # The session still in preparation and its quarter open: the texts are the leads' to edit.
    models.TuningSession.objects.update(
        state=models.SessionState.DRAFT, snapshot=None, held_at=None
    )
    models.Submission.objects.update(state=models.SubmissionState.DRAFT)
    return models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)


def test_payloads_typed_by_a_lead_never_run_in_the_executives_browser(page, demo):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    drilldown = (
        models.Drilldown.objects.filter(objective__department__slug="product", session=demo).first()
        or models.Drilldown.objects.filter(session=demo).first()
    )
    objective = drilldown.objective
    lead = f"lead-{objective.department.slug}"

    sign_in(page, lead)
    page.goto(reverse("metrics:objective-edit", kwargs={"slug": objective.slug}))
    page.fill("textarea[name=narrative]", SAMPLE)
    page.click("#narrative-form button[type=submit]")
    page.wait_for_selector("#rendered")
    page.goto(reverse("metrics:drilldown-edit", kwargs={"pk": drilldown.pk}))
    for name in ("situation", "impact", "recommendation", "next_steps"):
        page.fill(f"textarea[name={name}]", SAMPLE)
    page.click("#narrative-form button[type=submit]")
    page.wait_for_selector("#rendered")
    assert models.Objective.objects.get(pk=objective.pk).narrative == SAMPLE
    assert models.Drilldown.objects.get(pk=drilldown.pk).next_steps == SAMPLE
    page.context.clear_cookies()

    sign_in(page, "executive")
    urls = [
        reverse(
            "metrics:objective",
            kwargs={"session_id": demo.pk, "objective_slug": objective.slug},
        ),
        reverse("metrics:session_deck", kwargs={"session_id": demo.pk}),
        reverse("metrics:session_overview", kwargs={"session_id": demo.pk}),
        reverse("metrics:session_compare"),
    ]
    for index, url in enumerate(urls):
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.locator(INJECTED).count() == 0, url
        assert page.evaluate(FOREIGN_SCRIPTS) == [], url
        if index < 2:  # the pages that print narratives and drill-downs in full
            assert "onerror=alert(1)" in page.inner_text("main"), url

    assert dialogs == []
