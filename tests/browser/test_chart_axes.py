"""The time-series charts in Chromium at a phone's and a desktop's width: months on a date
axis with whole quarters in a series of their own, and the axis titles never drawn over the
legend (or the tick labels)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from metrics import models
from tests.browser.test_charts import OVERLAPS
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = ".legendtext, .xtitle, .ytitle, .gtitle, .xtick text"


@pytest.fixture
def signed_in(page, login, transactional_db):
    call_command("loaddata", "seed_deck", verbosity=0)
    login(page, UserFactory(username="viewer", roles=["Viewer"]))
    page.session_id = models.TuningSession.objects.get(
        quarter__number=2, quarter__fiscal_year=2020
    ).id
    return page


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("slug", ["monthly-active-editors", "new-editor-retention"])
def test_axis_titles_never_sit_on_the_legend(signed_in, width, slug):
    page = signed_in
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(
        reverse("metrics:metric", kwargs={"session_id": page.session_id, "metric_slug": slug})
    )
    page.wait_for_selector("[data-chart] .main-svg")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')].every(c => c.dataset.laidOut)"
    )

    found = page.evaluate(OVERLAPS, TEXTS)

    assert found["count"] > 5
    assert found["clashes"] == []


def test_the_time_series_is_on_a_date_axis(signed_in):
    page = signed_in
    page.goto(
        reverse(
            "metrics:metric",
            kwargs={"session_id": page.session_id, "metric_slug": "monthly-active-editors"},
        )
    )
    page.wait_for_selector("[data-chart] .main-svg")

    axis_type = page.evaluate(
        "() => document.querySelector('[data-chart$=\"-series\"]')._fullLayout.xaxis.type"
    )

    assert axis_type == "date"
