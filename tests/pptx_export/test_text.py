"""Cells and Markdown as runs: the text is the pages' own (metrics.formatting via
session_deck()), only styled; Markdown is read back from metrics.markdown's sanitised HTML."""

import pytest

from metrics import models
from metrics.pptx_export.text import (
    GOOD,
    kr_cell_paras,
    markdown_paras,
    metric_cell_paras,
    paras_text,
)
from metrics.selectors.deck import session_deck

pytestmark = pytest.mark.django_db


def every_metric_cell(deck):
    rows = list(deck.metric_rows) + [
        kr.metric_row for o in deck.objectives for kr in o.key_results if kr.metric_row
    ]
    for row in rows:
        yield from row.cells
        for segment in row.segments:
            yield from segment.cells


@pytest.mark.parametrize("quarter", [1, 2])
def test_every_cell_of_the_seed_reads_as_the_page_prints_it(seed_deck, quarter):
    session = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=quarter)
    deck = session_deck(session.id)
    cells = list(every_metric_cell(deck))
    assert len(cells) > 40
    for cell in cells:
        assert paras_text(metric_cell_paras(cell)) == " ".join(cell.display.split())
    for objective in deck.objectives:
        for kr in objective.key_results:
            for cell in kr.cells:
                if not cell.text:
                    assert paras_text(kr_cell_paras(cell)) == cell.display


def test_markdown_keeps_bold_lists_and_drops_markup():
    paras = markdown_paras(
        "Growth in **newcomer empowerment** & more.\n\n- one\n    - nested\n- <script>x()</script>two"
    )
    first = paras[0]
    assert first.text == "Growth in newcomer empowerment & more."
    assert [r.text for r in first.runs if r.bold] == ["newcomer empowerment"]
    assert [(p.text, p.level) for p in paras[1:]] == [("one", 1), ("nested", 2), ("two", 1)]


def test_a_done_key_result_starts_with_a_green_tick(seed_deck):
    session = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)
    deck = session_deck(session.id)
    consultation = deck.objective("movement-consultation")
    done = next(c for kr in consultation.key_results for c in kr.cells if c.is_done)
    runs = kr_cell_paras(done)[0].runs
    assert (runs[0].text, runs[0].colour) == ("✓", GOOD)
