import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics import models
from metrics.selectors.deck import DECK_QUERIES, deck_rows, session_deck
from metrics.selectors.deck_build import deck_from_rows
from metrics.selectors.deck_types import WHOLE_DECK, DeckWindow
from metrics.selectors.errors import NotFoundError
from tests.selectors.builders import add_bulk, build_small_deck

pytestmark = pytest.mark.django_db


def displays(cells):
    return [cell.display for cell in cells]


def test_metric_rows_follow_the_sessions_definitions_grouped_by_outcome():
    deck = session_deck(build_small_deck().id)
    assert [g.statement for g in deck.outcomes] == [
        "We will welcome and support newcomers.",
        "We will have safe and secure spaces.",
    ]
    assert [m.slug for m in deck.outcomes[0].metrics] == [
        "monthly-active-editors",
        "new-editor-retention",
    ]


def test_cells_print_as_the_deck_and_later_quarters_are_dashes():
    deck = session_deck(build_small_deck().id)
    editors = deck.metric("monthly-active-editors")
    assert displays(editors.cells) == ["+7.3% YoY (89K/mo*)", "+8.1% YoY (92K/mo*)", "-", "-"]
    assert displays(editors.segments[0].cells) == ["-", "+4.8% YoY (74K/mo +)", "-", "-"]
    retention = deck.metric("new-editor-retention")
    assert retention.segments[0].cells[1].display == "not available# (9.3%/mo †)"


def test_inline_segments_print_inside_the_metric_cell_with_toned_arrows():
    safety = session_deck(build_small_deck().id).metric("threats-to-safety")
    assert safety.segments == ()
    assert safety.cells[0].display == "Measured annually Q2"
    q2 = safety.cells[1]
    assert q2.display == "34% Unsafe (↓) 21% Harassed (↑)"
    assert [(i.display, i.arrow_tone) for i in q2.inline] == [
        ("34% Unsafe (↓)", "good"),
        ("21% Harassed (↑)", "bad"),
    ]
    assert safety.attainment == "off_track"


def test_paused_metric_reads_paused():
    paused = session_deck(build_small_deck().id).metric("documentation-languages")
    assert paused.cells[1].display == "paused"
    assert paused.attainment == "paused"


def test_first_quarter_session_shows_only_first_quarter_cells():
    deck = session_deck(build_small_deck(quarter_number=1).id)
    assert displays(deck.metric("monthly-active-editors").cells) == [
        "+7.3% YoY (89K/mo*)",
        "-",
        "-",
        "-",
    ]
    prioritization = deck.objective("address-knowledge-gaps").key_results[0]
    assert displays(prioritization.cells) == ["1 of 4", "-", "-", "-"]


def test_key_results_show_text_milestones_and_metric_cells():
    deck = session_deck(build_small_deck().id)
    gaps = deck.objective("address-knowledge-gaps")
    prioritization, teachers = gaps.key_results
    assert displays(prioritization.cells) == ["1 of 4", "2 of 4", "-", "-"]
    assert prioritization.milestones_done == 2
    assert teachers.latest_status == "540 teachers in 3 countries/lang"
    armdeb_kr = deck.objective("armdeb").key_results[0]
    assert armdeb_kr.metric_row.cells[1].display == "+8.1% YoY (92K/mo*)"
    assert armdeb_kr.attainment == "on_track"


def test_drilldown_tables_and_footnotes_used():
    deck = session_deck(build_small_deck().id)
    table = deck.objective("address-knowledge-gaps").drilldowns[0].tables[0]
    assert table.columns == ("FY19/20", "FY20/21", "Q1-Q2")
    assert [r.is_group_heading for r in table.rows] == [True, False]
    assert table.rows[1].cells == ("64%", "66 %", "82%")
    assert {f.marker for f in deck.footnotes} == {"*", "+", "†", "#"}


def test_deck_is_plain_data_for_the_api():
    deck = session_deck(build_small_deck().id)
    data = dataclasses.asdict(deck)
    assert data["outcomes"][0]["metrics"][0]["cells"][1]["display"] == "+8.1% YoY (92K/mo*)"


def test_an_unknown_session_is_a_not_found_error_not_an_http_answer():
    with pytest.raises(NotFoundError):
        session_deck(999_999)


def test_query_count_is_bounded_and_independent_of_data_size():
    session = build_small_deck()
    with CaptureQueriesContext(connection) as small:
        session_deck(session.id)
    add_bulk(session, copies=30)
    with CaptureQueriesContext(connection) as large:
        deck = session_deck(session.id)
    assert len(deck.metric_rows) == 34
    assert len(small.captured_queries) == len(large.captured_queries) <= DECK_QUERIES


def test_the_loader_reads_the_rows_and_the_builders_run_no_query(django_assert_num_queries):
    session = build_small_deck()
    row = models.TuningSession.objects.select_related("priority", "quarter").get(pk=session.id)
    whole = session_deck(session.id)
    window = DeckWindow(
        metric_ids=frozenset({whole.metric("new-editor-retention").metric_id}),
        objective_ids=frozenset({whole.objective("address-knowledge-gaps").objective_id}),
        extras=False,
    )
    for part in (WHOLE_DECK, window):
        rows = deck_rows(row, part)
        with django_assert_num_queries(0):
            deck = deck_from_rows(rows, part)
        assert deck == session_deck(session.id, part)
