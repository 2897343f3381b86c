"""A table longer than a slide continues on the next one: "(continued)" in the title, the
header row and the outcome repeated, every row printed once, no table past the slide."""

import pytest
from pptx.util import Emu

from metrics import models
from metrics.pptx_export import deck_pptx
from metrics.pptx_export.layout import SLIDE_HEIGHT
from tests.pptx_export.reading import body_rows, open_deck, rows_of, tables_of, texts_of, title_of
from tests.selectors.builders import add_bulk, build_small_deck

pytestmark = pytest.mark.django_db


def test_a_long_metrics_table_continues_on_the_next_slides():
    session = build_small_deck()
    add_bulk(session, copies=14)
    deck = open_deck(deck_pptx(session.id).content)

    slides = [s for s in deck.slides if title_of(s).startswith("Thriving Movement Metrics")]
    assert [title_of(s) for s in slides[:3]] == [
        "Thriving Movement Metrics",
        "Thriving Movement Metrics (continued)",
        "Thriving Movement Metrics (continued)",
    ]
    names = [row[1] for row in body_rows(slides)]
    bulk = [name for name in names if name.startswith("Bulk metric")]
    assert len(bulk) == len(set(bulk)) == 14
    for slide in slides:
        (table,) = tables_of(slide)
        rows = rows_of(table)
        assert rows[0][:3] == ["MTP Outcomes", "MTP Metrics", "Y2 Goal"]
        # The outcome starts every part of its table again.
        assert rows[1][0] != "" or rows[1][1] == ""
        frame = next(shape for shape in slide.shapes if shape.has_table)
        assert Emu(frame.top + frame.height).inches <= SLIDE_HEIGHT - 0.4


def test_a_long_narrative_continues_on_the_next_slide():
    session = build_small_deck()
    narrative = "\n\n".join(
        f"Paragraph {n}: the team kept shipping improvements to the reply tools." * 3
        for n in range(40)
    )
    models.Objective.objects.filter(slug="armdeb").update(narrative=narrative)
    deck = open_deck(deck_pptx(session.id).content)

    title = "Attract and Retain a Larger and More Diverse Editor Base"
    slides = [s for s in deck.slides if title_of(s) in (title, f"{title} (continued)")]
    text_slides = [s for s in slides if not tables_of(s)]
    assert len(text_slides) >= 2
    assert title_of(text_slides[1]) == f"{title} (continued)"
    printed = " ".join(t for s in text_slides for t in texts_of(s))
    for n in range(40):
        assert printed.count(f"Paragraph {n}:") == 3
    for slide in text_slides:
        for shape in slide.shapes:
            assert Emu(shape.top + shape.height).inches <= SLIDE_HEIGHT
