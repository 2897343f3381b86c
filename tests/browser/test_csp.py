"""The Content-Security-Policy holds in Chromium: the metric page's Plotly charts draw with no
violation reported, and an injected inline script is refused."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from metrics import models
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def metric_page(page, login):
    call_command("loaddata", "seed_deck", verbosity=0)
    session = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)
    login(page, UserFactory(username="exec", roles=["Executive"]))
    page.add_init_script(RECORD_VIOLATIONS)
    response = page.goto(
        reverse(
            "metrics:metric",
            kwargs={"session_id": session.id, "metric_slug": "monthly-active-editors"},
        )
    )
    return page, response


def test_metric_charts_render_under_the_policy_with_no_violation(metric_page):
    page, response = metric_page

    policy = response.headers["content-security-policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    page.wait_for_selector("#chart-monthly-active-editors-series svg.main-svg")
    assert page.locator("#chart-monthly-active-editors-series .trace").count() >= 1
    assert page.evaluate("window.__cspViolations") == []
    # The page fixture also fails on any console error (Chromium logs violations there).


def test_an_injected_inline_script_does_not_run(metric_page):
    page, _ = metric_page
    page.wait_for_selector("#chart-monthly-active-editors-series svg.main-svg")

    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.__injected = true";
        document.body.appendChild(script);
    }"""
    )

    assert page.evaluate("window.__injected === undefined")
    assert any("script-src" in v for v in page.evaluate("window.__cspViolations"))
    page.problems[:] = [p for p in page.problems if "Content Security Policy" not in p]
