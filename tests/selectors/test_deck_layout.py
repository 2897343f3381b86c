"""A session's deck cut into pages: every row and objective on exactly one page, in deck
order, each page bounded; a page's part is exactly that part of the whole deck; the overview's
tally counts what the whole deck's rows say."""

from collections import Counter

import pytest

from metrics import models
from metrics.management.commands.generate_demo_data import demo_data_generate
from metrics.selectors import deck_layout as layout_module
from metrics.selectors.deck import session_deck
from metrics.selectors.deck_layout import deck_layout, metric_paged, paged
from metrics.selectors.deck_types import DeckWindow
from metrics.selectors.overview import attainment_tally
from metrics.selectors.session_pages import session_header
from metrics.services.sessions import session_hold
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(layout_module, "METRICS_PER_PAGE", 4)
    monkeypatch.setattr(layout_module, "KEY_RESULTS_PER_PAGE", 5)


@pytest.fixture
def generated():
    demo_data_generate(scale=3, seed=7)
    session = models.TuningSession.objects.order_by(
        "-quarter__fiscal_year", "-quarter__number"
    ).first()
    return session_header(session.id)


def test_items_are_packed_whole_in_order_up_to_the_budget():
    assert paged([(1, 2), (2, 2), (3, 1), (4, 9), (5, 1)], 5) == ((1, 2, 3), (4,), (5,))
    assert paged([], 5) == ()


def test_an_outcome_table_stays_on_one_page_when_it_fits_and_is_cut_when_it_cannot():
    rows = [(10, 1), (10, 2), (20, 3), (20, 4), (20, 5), (30, 6), (30, 7), (30, 8), (30, 9),
            (30, 10), (30, 11)]  # fmt: skip
    assert metric_paged(rows, 4) == (
        ((10, 1), (10, 2)),
        ((20, 3), (20, 4), (20, 5)),
        ((30, 6), (30, 7), (30, 8), (30, 9)),
        ((30, 10), (30, 11)),
    )


def test_the_seed_deck_is_one_page_of_metrics_and_one_of_objectives(seed_deck):
    for session in models.TuningSession.objects.all():
        layout = deck_layout(session_header(session.id))
        assert layout.metrics_page_count == 1
        assert layout.page_count == 1


def test_every_row_and_objective_is_on_one_page_in_deck_order(small_pages, generated):
    whole = session_deck(generated.session_id)
    layout = deck_layout(generated)
    assert layout.metrics_page_count > 3 and len(layout.objective_pages) > 2
    assert [m for page in layout.metric_pages for _, m in page] == [
        row.metric_id for row in whole.metric_rows
    ]
    assert [o for page in layout.objective_pages for o in page] == [
        block.objective_id for block in whole.objectives
    ]
    assert all(len(page) <= 4 for page in layout.metric_pages)
    assert layout.outcome_count == len(whole.outcomes)


def test_each_part_is_that_part_of_the_whole_deck(small_pages, generated):
    whole = session_deck(generated.session_id)
    layout = deck_layout(generated)
    for number in range(1, layout.page_count + 1):
        window = layout.window(number)
        assert session_deck(generated.session_id, window) == window.applied(whole)
    assert window.applied(whole).key_deliverables == whole.key_deliverables


def test_a_key_result_metric_is_named_as_the_session_defines_it_in_a_part(generated):
    whole = session_deck(generated.session_id)
    block = next(b for b in whole.objectives if any(kr.metric_row for kr in b.key_results))
    part = session_deck(
        generated.session_id,
        DeckWindow(metric_ids=frozenset(), objective_ids=frozenset({block.objective_id})),
    )
    assert part.outcomes == ()
    assert part.objectives == (block,)


def test_a_department_sees_only_pages_with_its_rows(small_pages, generated):
    department = models.Department.objects.order_by("slug").first().slug
    whole = session_deck(generated.session_id)
    layout = deck_layout(generated, department=department)
    shown = [m for page in layout.metric_pages for _, m in page]
    assert shown == [r.metric_id for r in whole.metric_rows if r.department_slug == department]
    assert [o for page in layout.objective_pages for o in page] == [
        b.objective_id for b in whole.objectives if b.department_slug == department
    ]


def test_the_tally_counts_the_attainment_the_rows_print(generated, django_assert_num_queries):
    whole = session_deck(generated.session_id)
    expected = Counter(row.attainment for row in whole.metric_rows)
    assert len(expected) >= 3  # the generated statuses spread over several attainments
    with django_assert_num_queries(3):
        tally = attainment_tally(generated)
    assert {i["attainment"]: i["count"] for i in tally if i["count"]} == dict(expected)


def test_the_tally_of_the_seed_deck_and_of_one_department(seed_deck):
    for session in models.TuningSession.objects.all():
        header = session_header(session.id)
        whole = session_deck(session.id)
        for department in ["", "product", "advancement"]:
            expected = Counter(
                r.attainment
                for r in whole.metric_rows
                if not department or r.department_slug == department
            )
            tally = attainment_tally(header, department=department)
            assert {i["attainment"]: i["count"] for i in tally if i["count"]} == dict(expected)


def test_a_held_session_is_laid_out_and_counted_from_its_deck_as_presented(small_pages, generated):
    session = models.TuningSession.objects.get(pk=generated.session_id)
    session_hold(actor=UserFactory(roles=["Admin"]), session=session)
    held = session_header(session.id)
    presented = session_deck(session.id)
    # Edits after the hold change neither the pages nor the counts.
    models.QuarterlyStatus.objects.filter(quarter_id=held.quarter_id).update(attainment="")
    layout = deck_layout(held)
    assert [m for page in layout.metric_pages for _, m in page] == [
        r.metric_id for r in presented.metric_rows
    ]
    part = session_deck(session.id, layout.window(2))
    assert part == layout.window(2).applied(presented)
    tally = attainment_tally(held)
    assert sum(i["count"] for i in tally) == len(presented.metric_rows)
    assert {i["attainment"]: i["count"] for i in tally if i["count"]} == dict(
        Counter(r.attainment for r in presented.metric_rows)
    )


def test_the_whole_deck_is_cut_in_parts_of_whole_pages_each_section_slide_with_its_first(
    monkeypatch,
):
    from metrics.selectors.deck_layout import DeckLayout, DeckPart, deck_parts

    layout = DeckLayout(
        metric_pages=(((1, 1), (1, 2)), ((1, 3),), ((2, 4), (2, 5))),
        objective_pages=((7,), (8,)),
        objective_weights=(3, 2),
    )
    earlier = DeckLayout(metric_pages=(((1, 1),), ((1, 2),)), objective_pages=())
    # Parts weigh their rows: pages of 2, 1, 2 metric rows, 3 and 2 key results, 1 and 1.
    monkeypatch.setattr(layout_module, "ROWS_PER_PART", 8)
    assert deck_parts(layout, earlier) == (
        DeckPart(1, intro=True, metric_pages=(1, 2, 3), okrs_slide=True, objective_pages=(1,)),
        DeckPart(2, objective_pages=(2,), appendix=True, earlier_pages=(1, 2)),
    )
    monkeypatch.setattr(layout_module, "ROWS_PER_PART", 3)
    assert deck_parts(layout, None) == (
        DeckPart(1, intro=True, metric_pages=(1, 2)),
        DeckPart(2, metric_pages=(3,)),
        DeckPart(3, okrs_slide=True, objective_pages=(1,)),
        DeckPart(4, objective_pages=(2,), appendix=True),
    )
    # A session without metrics prints its "no metrics" slide (page 0).
    assert deck_parts(DeckLayout((), ()), None) == (
        DeckPart(1, intro=True, metric_pages=(0,), okrs_slide=True, appendix=True),
    )
