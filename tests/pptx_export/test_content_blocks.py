"""An objective's content blocks (S15's quote and example) get slides of their own after its
key results: a quote in italics with its speaker's lines."""

from dataclasses import replace

import pytest

from metrics.pptx_export.builder import DeckBuilder
from metrics.selectors.deck import session_deck
from metrics.selectors.deck_types import ContentBlockItem
from tests.pptx_export.reading import texts_of, title_of
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db


def test_a_quote_block_has_a_slide_of_its_own():
    deck = session_deck(build_small_deck().id)
    objective = deck.objective("address-knowledge-gaps")
    quote = ContentBlockItem(
        kind="quote",
        title="Reading Wikipedia in the Classroom",
        body="It changed how my students **read** sources.",
        attribution=("A teacher", "Pilot school"),
    )
    presented = replace(objective, content_blocks=(quote,))
    builder = DeckBuilder(deck)
    builder.objective_slides(presented)

    slides = list(builder.prs.slides)
    quote_slide = next(s for s in slides if title_of(s) == "Reading Wikipedia in the Classroom")
    text = " ".join(texts_of(quote_slide))
    assert "It changed how my students read sources. A teacher Pilot school" in text
    runs = [
        run
        for shape in quote_slide.shapes
        if shape.has_text_frame
        for p in shape.text_frame.paragraphs
        for run in p.runs
        if run.text == "read"
    ]
    assert runs and runs[0].font.italic and runs[0].font.bold
    titles = [title_of(s) for s in slides]
    assert titles.index("Reading Wikipedia in the Classroom") > titles.index(objective.title)
