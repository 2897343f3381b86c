"""The facilitator, in Chromium, in the cycle's order: on the held Q2 session's editor leaves
an objective out of Q3 and opens Q3 from there (the preview names what is left behind); in
Q3's editor corrects a key result's goal and an objective's statement; the lead sets a key
result's confidence in the check-in and the objective page shows it. Q2 stays as presented."""

import pytest
from django.urls import reverse

from metrics import models
from tests.browser.test_quarterly_cycle import demo, sign_in  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_carry_marks_corrections_and_confidence_in_the_ui(page, demo, screenshot):  # noqa: F811
    q2 = demo
    left = q2.session_objectives.filter(is_retired=False).select_related("objective").first()
    objective = left.objective
    sign_in(page, "facilitator")
    q2_objective_url = reverse(
        "metrics:objective", kwargs={"session_id": q2.pk, "objective_slug": objective.slug}
    )
    page.goto(q2_objective_url)
    q2_statement = page.locator(".statement").first.inner_text()

    # Q2 is held: its editor has no authoring, but the carry marks and "Open Q3".
    page.goto(reverse("metrics:session_edit", kwargs={"session_id": q2.pk}))
    assert page.locator("button[value=objective-duplicate]").count() == 0
    page.click(
        f"#carry-over li[data-objective='{objective.slug}'] > form button[value=carry-unmark]"
    )
    page.wait_for_selector(".messages li.success")
    assert (
        "Left out of Q3 FY20-21"
        in page.locator(f"#carry-over li[data-objective='{objective.slug}']").inner_text()
    )
    screenshot(page, "okrs-01-carry-marks-on-held-q2")
    page.click("#carry-over a.button")
    assert objective.short_name in page.locator(".carry-over .left-behind").inner_text()
    page.click("#open-next-form button[type=submit]")
    page.wait_for_selector(".messages li.success")
    q3 = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=3)
    assert q3.session_objectives.get(objective=objective).is_retired

    # Q3's editor: correct a key result's goal and another objective's statement.
    row = q3.session_objectives.filter(is_retired=False).select_related("objective").first()
    key_result = row.objective.key_results.filter(is_retired=False).first()
    item = page.locator(f"li[data-key-result='{key_result.pk}']")
    item.locator("summary").click()
    item.locator(f"[name='kr-{key_result.pk}-goal_text']").fill("Corrected goal")
    item.locator("button", has_text="Save key result").click()
    page.wait_for_selector(".messages li.success")
    form_row = page.locator(f"tr[data-objective='{row.objective.slug}']")
    form_row.locator("summary", has_text="Edit statement").click()
    form_row.locator(f"[name='obj-{row.objective.pk}-statement']").fill("A corrected statement.")
    form_row.locator("button", has_text="Save objective").click()
    page.wait_for_selector(".messages li.success")
    screenshot(page, "okrs-02-corrections-in-q3")
    key_result.refresh_from_db()
    assert key_result.goal_text == "Corrected goal"

    # The department's lead sets the key result's confidence.
    department = row.objective.department
    lead = department.leads.first()
    sign_in(page, lead.username)
    page.goto(
        reverse(
            "metrics:checkin",
            kwargs={"department": department.slug, "fiscal_year": 2020, "number": 3},
        )
    )
    page.select_option(f"[name='kr-{key_result.pk}-confidence']", "off_track")
    page.click("#save-checkin")
    page.wait_for_selector(".messages li.success")

    page.goto(
        reverse(
            "metrics:objective", kwargs={"session_id": q3.pk, "objective_slug": row.objective.slug}
        )
    )
    confidence = page.locator(f"tr.kr-confidence[data-kr='{key_result.pk}']")
    assert "Off track" in confidence.inner_text()
    assert "A corrected statement." in page.locator(".statement").first.inner_text()
    screenshot(page, "okrs-03-confidence-on-the-objective-page")

    # Q2 shows what it presented.
    page.goto(q2_objective_url)
    assert page.locator(".statement").first.inner_text() == q2_statement
