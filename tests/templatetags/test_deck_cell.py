"""A deck cell's HTML, built in Python (16,000 cells on a scale-100 metrics table)."""

import pytest

from metrics.selectors.deck import session_deck
from metrics.templatetags.deck import deck_cell
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db


@pytest.fixture
def deck():
    return session_deck(build_small_deck().id)


def test_a_figure_with_its_detail_and_markers(deck):
    cell = deck.metric("monthly-active-editors").cells[1]

    assert deck_cell(cell) == (
        '<strong class="figure">+8.1% YoY</strong> <span class="detail">(92K/mo'
        '<sup class="marker">*</sup>)</span>'
    )


def test_a_state_with_its_marker_and_the_value_kept(deck):
    segment = deck.metric("new-editor-retention").segments[0]

    html = deck_cell(segment.cells[1])

    assert html.startswith('<span class="state">not available<sup class="marker">#</sup></span>')
    assert "9.3%" in html


def test_inline_segments_print_inside_the_metric_cell(deck):
    html = deck_cell(deck.metric("threats-to-safety").cells[1])

    assert html.startswith('<span class="inline-cell">')
    assert html.count('<span class="inline-seg">') == 2
    assert 'arrow-good" title="Good for this metric">(↓)' in html  # fewer unsafe: good
    assert 'arrow-bad" title="Bad for this metric">(↑)' in html  # more harassed: bad


def test_an_empty_cell_prints_a_dash(deck):
    assert deck_cell(deck.metric("monthly-active-editors").cells[3]) == (
        '<span class="empty">-</span>'
    )


def test_text_is_escaped(deck):
    from dataclasses import replace

    cell = deck.metric("monthly-active-editors").cells[1]
    hostile = replace(cell, parts=replace(cell.parts, detail="<script>x</script>"))

    assert "<script>" not in deck_cell(hostile)
    assert "&lt;script&gt;" in deck_cell(hostile)
