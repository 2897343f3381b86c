"""The charts as drawn by plotly.js in Chromium: a toolbar without Plotly's cloud share or
logo (the PNG download kept), and bar labels, legend and axis titles that never overlap."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from metrics import models
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every text plotly draws that a reader must be able to read on its own.
TEXTS = ".bartext, .legendtext, .xtitle, .ytitle, .gtitle, .xtick text"

OVERLAPS = """
(selector) => {
  const boxes = [];
  document.querySelectorAll('[data-chart]').forEach((chart) => {
    chart.querySelectorAll(selector).forEach((el) => {
      const r = el.getBoundingClientRect();
      if (r.width && r.height && el.textContent.trim()) {
        boxes.push({chart: chart.id, text: el.textContent.trim(), l: r.left, r: r.right, t: r.top, b: r.bottom});
      }
    });
  });
  const clashes = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.chart !== b.chart) continue;
      // A pixel of slack: glyph boxes of neighbours may touch.
      if (a.l < b.r - 1 && b.l < a.r - 1 && a.t < b.b - 1 && b.t < a.b - 1) {
        clashes.push(a.text + ' / ' + b.text);
      }
    }
  }
  return {count: boxes.length, clashes: clashes};
}
"""


@pytest.fixture
def signed_in(page, login, transactional_db):
    call_command("loaddata", "seed_deck", verbosity=0)
    login(page, UserFactory(username="viewer", roles=["Viewer"]))
    page.session_id = models.TuningSession.objects.get(
        quarter__number=2, quarter__fiscal_year=2020
    ).id
    return page


def open_metric(page, slug):
    page.goto(
        reverse("metrics:metric", kwargs={"session_id": page.session_id, "metric_slug": slug})
    )
    page.wait_for_selector("[data-chart] .main-svg")
    return page


def test_the_chart_toolbar_has_no_share_button_and_no_plotly_logo(signed_in):
    page = open_metric(signed_in, "monthly-active-editors")
    page.hover("[data-chart] .main-svg")
    titles = page.eval_on_selector_all(
        ".modebar-btn", "buttons => buttons.map(b => b.getAttribute('data-title') || '')"
    )
    assert "Download plot as a PNG" in titles
    assert not [t for t in titles if "share" in t.lower() or "cloud" in t.lower()]
    assert not [t for t in titles if "chart studio" in t.lower()]
    assert page.locator(".modebar-btn--logo, a[href*='plotly.com']").count() == 0
    assert (
        page.locator("[data-val='sendChartToCloud'], [data-attr='sendChartToCloud']").count() == 0
    )


@pytest.mark.parametrize(
    "slug", ["movement-leaders-diversity", "monthly-active-editors", "new-editor-retention"]
)
def test_chart_labels_legend_and_axis_titles_do_not_overlap(signed_in, slug):
    page = open_metric(signed_in, slug)
    found = page.evaluate(OVERLAPS, TEXTS)
    assert found["count"] > 5
    assert found["clashes"] == []


def test_movement_leaders_bars_are_side_by_side_with_exact_labels(signed_in):
    page = open_metric(signed_in, "movement-leaders-diversity")
    labels = page.eval_on_selector_all(
        "[data-chart] .bartext", "texts => texts.map(t => t.textContent)"
    )
    assert "10.4%" in labels and "10%" not in labels
    # Twelve bars: two groups x (baseline, measured) x three segments, none stacked.
    assert page.locator("[data-chart] .bars .point").count() == 12
