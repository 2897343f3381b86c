"""The check-in on a phone (390 px) in Chromium: every control a lead touches has a label and
is at least 24 px tall and wide (the markers, the Done tick, the confidence); the lead sets a
key result's confidence there."""

import pytest
from django.urls import reverse

from metrics import models
from tests.browser.test_entry import checkin_path, demo, sign_in  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIN_PX = 24

SIZES = """
(selector) => [...document.querySelectorAll(selector)].map((el) => {
  const box = el.getBoundingClientRect();
  const labels = el.labels ? [...el.labels].map((l) => l.textContent.trim()) : [];
  return {name: el.name, width: box.width, height: box.height, labels: labels};
})
"""


def test_checkin_controls_are_labelled_and_big_enough_on_a_phone(page, demo):  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "lead-product")
    page.goto(checkin_path())

    controls = page.evaluate(
        SIZES,
        "#checkin-form .markers input, #checkin-form input[type=checkbox], "
        "#checkin-form select[name$=confidence], #checkin-form input[name$=confidence_score]",
    )

    assert {c["name"].rsplit("-", 1)[-1] for c in controls} >= {
        "footnote_markers",
        "state_markers",
        "is_done",
        "confidence",
        "confidence_score",
    }
    small = [c for c in controls if c["width"] < MIN_PX or c["height"] < MIN_PX]
    assert small == []
    unlabelled = [c["name"] for c in controls if not c["labels"]]
    assert unlabelled == []
    done = [c for c in controls if c["name"].endswith("is_done")]
    assert all("Done" in " ".join(c["labels"]) for c in done)
    markers = [c for c in controls if c["name"].endswith("markers")]
    assert all("Markers" in " ".join(c["labels"]) for c in markers)

    # The lead sets a key result's confidence on the phone and saves.
    select = page.locator("#checkin-form select[name$=confidence]").first
    name = select.get_attribute("name")
    select.select_option("at_risk")
    page.locator(f"[name='{name}_score']").fill("6")
    page.click("#save-checkin")
    page.wait_for_selector(".messages li.success")
    key_result_id = int(name.split("-")[1])
    status = models.KeyResultStatus.objects.get(key_result_id=key_result_id)
    assert (status.confidence, status.confidence_score) == ("at_risk", 6)
    assert (
        reverse(
            "metrics:checkin", kwargs={"department": "product", "fiscal_year": 2020, "number": 3}
        )
        in page.url
    )
