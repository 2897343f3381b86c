"""The whole-deck page printed by Chromium (landscape A4, as a person would print it): one
PDF page per slide, every slide of the session (S1-S17 and the section slides), charts
across the page, and no slide taller or wider than its page."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from metrics import models
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A4 landscape less the 10 mm margins of print.css, in CSS pixels (96 per inch).
PAGE_WIDTH, PAGE_HEIGHT = 1047, 718

SLIDES = """() => Array.from(document.querySelectorAll('.page .slide')).map((slide) => {
  const box = slide.getBoundingClientRect();
  return {
    heading: (slide.querySelector('h1, h2') || {textContent: ''}).textContent.trim(),
    height: box.height, width: box.width,
    scrollWidth: slide.scrollWidth, clientWidth: slide.clientWidth,
    scrollHeight: slide.scrollHeight, clientHeight: slide.clientHeight,
  };
})"""


@pytest.fixture
def deck_page(page, login, transactional_db):
    call_command("loaddata", "seed_deck", verbosity=0)
    session = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)
    login(page, UserFactory(username="reader", roles=["Viewer"]))
    page.goto(reverse("metrics:session_deck", kwargs={"session_id": session.id}))
    # Every chart slide has its print copy, and the slides were fitted after the last one.
    page.wait_for_function(
        "document.querySelectorAll('.chart-slide [data-chart]').length > 0 && "
        "document.querySelectorAll('.chart-slide [data-chart]').length === "
        "document.querySelectorAll('.chart-slide [data-print-ready]').length"
    )
    page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
    return page


def test_the_pdf_has_one_landscape_page_per_slide_from_s1_to_s17(deck_page):
    slides = deck_page.evaluate(SLIDES)
    pdf = PdfReader(
        io.BytesIO(
            deck_page.pdf(
                landscape=True, format="A4", print_background=True, prefer_css_page_size=True
            )
        )
    )

    assert len(pdf.pages) == len(slides)
    width, height = pdf.pages[0].mediabox.width, pdf.pages[0].mediabox.height
    assert width > height  # landscape
    texts = [" ".join(p.extract_text().split()) for p in pdf.pages]
    # S1 keeps its actions on its own page.
    assert "pausing incubator project" in texts[0]
    headings = [s["heading"] for s in slides]
    for section in ("MTP Priority Update", "MTP Priority OKRs", "Appendix"):
        assert section in texts[headings.index(section)]
    assert "Acronyms" in texts[headings.index("Acronyms")]
    # S17: the earlier session's table, with its own definitions, closes the deck.
    assert "Q1 FY20-21" in texts[-1]
    assert "72% of newcomers feel empowered to succeed." in texts[-1]


def test_no_slide_overflows_its_page_and_charts_span_it(deck_page):
    deck_page.emulate_media(media="print")
    deck_page.set_viewport_size({"width": PAGE_WIDTH, "height": PAGE_HEIGHT})
    slides = deck_page.evaluate(SLIDES)

    assert len(slides) >= 30
    for slide in slides:
        assert slide["height"] <= PAGE_HEIGHT, slide
        assert slide["scrollHeight"] <= slide["clientHeight"] + 1, slide
        assert slide["scrollWidth"] <= slide["clientWidth"] + 1, slide
    chart_widths = deck_page.eval_on_selector_all(
        ".chart-slide .chart-print", "svgs => svgs.map((svg) => svg.getBoundingClientRect().width)"
    )
    assert len(chart_widths) == 4  # Monthly active editors and retention: series and YoY
    assert min(chart_widths) >= 0.95 * PAGE_WIDTH
