"""The whole-deck page holds every slide of the session in deck order: S1, the section
slides, the metrics tables with a slide per chart, the objectives, the appendix and the
earlier session's table (S17)."""

import re

import pytest
from django.urls import reverse

from metrics import models
from tests.factories import UserFactory
from tests.views.dashboard_html import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def html(client, seed_deck):
    client.force_login(UserFactory(roles=["Viewer"]))
    session = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)
    response = client.get(reverse("metrics:session_deck", kwargs={"session_id": session.id}))
    assert response.status_code == 200
    return response.content.decode()


def slide_headings(html) -> list[str]:
    slides = re.findall(r'<section class="slide[^"]*"[^>]*>(.*?)</section>', html, re.S)
    return [page_text(re.search(r"<h[12][^>]*>(.*?)</h[12]>", s, re.S).group(1)) for s in slides]


def test_the_section_slides_stand_between_the_parts(html):
    headings = slide_headings(html)
    update, okrs, appendix = (
        headings.index(t) for t in ("MTP Priority Update", "MTP Priority OKRs", "Appendix")
    )
    assert headings[0] == "Thriving Movement Tuning Session Q2 FY20-21"
    assert update < headings.index("Thriving Movement Metrics") < okrs
    assert okrs < headings.index("Community Programs") < appendix
    assert headings[appendix + 1] == "Acronyms"


def test_each_chart_has_a_slide_of_its_own(html):
    assert html.count('class="slide charts chart-slide"') == 4
    assert html.count("data-chart=") == 4


def test_the_earlier_sessions_table_is_the_last_slide_s17(html):
    earlier = html[html.index("earlier-slide") :]
    text = page_text(earlier)
    assert "Q1 FY20-21" in text
    assert "72% of newcomers feel empowered to succeed." in text
    assert "75% (+5% YoY)" in text
    assert slide_headings(html)[-1] == "Thriving Movement Metrics"
