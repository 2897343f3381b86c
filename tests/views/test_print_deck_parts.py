"""The whole-deck page of a large session comes in parts (?part=N): together they are every
slide of the deck once, in deck order, each part a bounded run of them built alone; the seed
deck is one part; a held session's parts come from its deck as presented."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from metrics import models
from metrics.management.commands.generate_demo_data import demo_data_generate
from metrics.selectors import deck_layout as layout_module
from metrics.selectors.deck import session_deck
from metrics.selectors.sessions import earlier_session_id
from metrics.services.sessions import session_hold
from tests.factories import UserFactory
from tests.views.test_dashboard_queries import PAGE_BOUNDS

pytestmark = pytest.mark.django_db

# What the deck prints, in order: every slide but a metrics table's (an outcome cut across two
# parts has a table in each), every row of the tables (the earlier session's too), every chart.
TOKEN = re.compile(
    r'<section class="slide(?! metrics-slide)[^"]*"[^>]*>|<tr[^>]*data-metric="[^"]*"[^>]*>'
    r'|data-chart="[^"]*"'
)


@pytest.fixture
def small_budgets(monkeypatch):
    monkeypatch.setattr(layout_module, "METRICS_PER_PAGE", 4)
    monkeypatch.setattr(layout_module, "KEY_RESULTS_PER_PAGE", 5)
    monkeypatch.setattr(layout_module, "ROWS_PER_PART", 9)


@pytest.fixture
def session():
    demo_data_generate(scale=3, seed=3)
    return models.TuningSession.objects.order_by(
        "-quarter__fiscal_year", "-quarter__number"
    ).first()


@pytest.fixture
def viewer(client):
    client.force_login(UserFactory(roles=["Viewer"]))
    return client


def deck_url(session_id):
    return reverse("metrics:session_deck", kwargs={"session_id": session_id})


def all_parts(client, session_id) -> list[str]:
    first = client.get(deck_url(session_id)).content.decode()
    found = re.search(r"Part 1 of (\d+)", first)
    count = int(found.group(1)) if found else 1
    return [first] + [
        client.get(deck_url(session_id), {"part": n}).content.decode() for n in range(2, count + 1)
    ]


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_parts_together_are_the_whole_deck_once_in_order(
    viewer, small_budgets, session, monkeypatch
):
    parts = all_parts(viewer, session.id)
    assert len(parts) >= 5
    monkeypatch.setattr(layout_module, "ROWS_PER_PART", 10**6)
    cache.clear()
    (whole,) = all_parts(viewer, session.id)

    # Every slide, row and chart once, in deck order: slides and rows as in the whole deck;
    # the chart slides of an outcome cut across two parts follow each part's half of its table.
    tokens = [t for part in parts for t in TOKEN.findall(part)]
    charts = re.compile(r"data-chart=|<section class=\"slide charts chart-slide")
    assert [t for t in tokens if not charts.match(t)] == [
        t for t in TOKEN.findall(whole) if not charts.match(t)
    ]
    assert sorted(t for t in tokens if charts.match(t)) == sorted(
        t for t in TOKEN.findall(whole) if charts.match(t)
    )
    deck = session_deck(session.id)
    earlier = session_deck(earlier_session_id(session.id))
    rows = re.findall(r'<tr class="metric-row[^"]*" data-metric="([^"]+)"', whole)
    assert rows == [r.slug for r in deck.metric_rows] + [r.slug for r in earlier.metric_rows]
    assert len(earlier.metric_rows) > 4  # the earlier session's table is cut too
    objectives = [t for part in parts for t in re.findall(r'id="objective-([^"]+)"', part)]
    assert objectives == [block.slug for block in deck.objectives]
    for title in ("MTP Priority Update", "MTP Priority OKRs", "Appendix"):
        assert sum(part.count(f'aria-label="{title}"') for part in parts) == 1
    assert sum(part.count('class="slide acronyms') for part in parts) <= 1
    # Each part a bounded run: at most nine rows (whole pages of four rows or fewer).
    for part in parts:
        assert len(re.findall(r'<tr class="metric-row(?! kr-row)[^"]*"', part)) <= 9


def test_outcomes_keep_the_whole_decks_numbers_across_parts(viewer, small_budgets, session):
    parts = all_parts(viewer, session.id)
    headings = [h for part in parts for h in re.findall(r"MTP outcome (\d+) of (\d+)", part)]
    numbers = [int(n) for n, _ in headings]
    total = len(session_deck(session.id).outcomes)
    assert sorted(set(numbers)) == list(range(1, total + 1))
    assert numbers == sorted(numbers)
    assert {t for _, t in headings} == {str(total)}
    # An outcome cut between two parts says so where it goes on.
    repeated = len(numbers) - len(set(numbers))
    assert sum(part.count('class="continued"') for part in parts) >= repeated


def test_each_part_says_which_it_is_and_links_the_others(viewer, small_budgets, session):
    parts = all_parts(viewer, session.id)
    count = len(parts)
    for number, html in enumerate(parts, start=1):
        assert f"Part {number} of {count} of the session's slides" in html
        assert html.count(f"Part {number} of {count}</span>") == 2  # pager above and below
        assert 'class="pager part-pager"' in html
        if number < count:
            assert f'href="?part={number + 1}" rel="next"' in html


@pytest.mark.parametrize("part", ["0", "999", "x", "-1", "²"])
def test_a_part_out_of_range_is_a_400_naming_the_parameter(viewer, small_budgets, session, part):
    response = viewer.get(deck_url(session.id), {"part": part})
    assert response.status_code == 400
    assert b"?part=" in response.content


def test_every_part_runs_no_more_queries_than_the_seeds_one_part(
    viewer, small_budgets, session, django_assert_max_num_queries
):
    count = len(all_parts(viewer, session.id))
    for number in range(1, count + 1):
        cache.clear()
        with django_assert_max_num_queries(PAGE_BOUNDS["session_deck"]):
            assert viewer.get(deck_url(session.id), {"part": number}).status_code == 200


def test_the_seed_deck_is_one_part(viewer, seed_deck):
    for session in models.TuningSession.objects.all():
        html = viewer.get(deck_url(session.id)).content.decode()
        assert "part-pager" not in html
        assert "Every slide of the session in deck order." in html
        assert viewer.get(deck_url(session.id), {"part": 1}).status_code == 200
        assert viewer.get(deck_url(session.id), {"part": 2}).status_code == 400


def test_a_held_sessions_parts_are_its_deck_as_presented(viewer, small_budgets, session):
    session_hold(actor=UserFactory(roles=["Admin"]), session=session)
    before = [without_csrf(html) for html in all_parts(viewer, session.id)]
    assert len(before) >= 5
    presented = session_deck(session.id)
    # Edits after the hold (even to the earlier session's table) change none of the parts.
    models.MetricDefinition.objects.update(name="Renamed after the hold")
    models.MetricDefinition.objects.filter(session=session).order_by("id").first().delete()
    models.QuarterlyStatus.objects.update(comment="edited")
    cache.clear()
    after = [without_csrf(html) for html in all_parts(viewer, session.id)]
    assert after == before
    assert "Renamed after the hold" not in "".join(after)
    rows = [
        t
        for part in after
        for t in re.findall(
            r"<tr class=\"metric-row(?! kr-row)[^\"]*\" data-metric=\"([^\"]+)\"", part
        )
    ]
    assert rows[: len(presented.metric_rows)] == [r.slug for r in presented.metric_rows]
