"""A held session's snapshot: the deck and its charts survive the JSON round trip unchanged."""

import json

import pytest

from metrics import models
from metrics.selectors.charts import MetricChartData, metrics_chart_data
from metrics.selectors.deck import build_live_deck, session_deck
from metrics.selectors.deck_types import Deck
from metrics.selectors.snapshots import from_data, snapshot_build, snapshot_head, to_data
from metrics.services.recompute_runs import recompute_run


@pytest.fixture
def q2(seed_deck):
    recompute_run(task_name="test", metric_ids=None)
    return models.TuningSession.objects.get(quarter__number=2)


def test_deck_round_trip_is_lossless(q2):
    deck = build_live_deck(q2.pk)
    assert from_data(Deck, json.loads(json.dumps(to_data(deck)))) == deck
    # Decimals keep their exponent, not just their value.
    cell = deck.metric("monthly-active-editors").cells[1]
    back = from_data(Deck, json.loads(json.dumps(to_data(deck)))).metric("monthly-active-editors")
    assert str(back.cells[1].value) == str(cell.value)


def test_chart_data_round_trip_is_lossless(q2):
    deck = build_live_deck(q2.pk)
    charts = metrics_chart_data(
        [row.metric_id for row in deck.metric_rows], until=deck.quarter_end_date
    )
    for data in charts.values():
        assert from_data(MetricChartData, json.loads(json.dumps(to_data(data)))) == data


def test_a_held_session_reads_its_snapshot(q2, django_assert_max_num_queries):
    live = build_live_deck(q2.pk)
    snapshot = snapshot_build(q2.pk)
    models.TuningSession.objects.filter(pk=q2.pk).update(
        snapshot=snapshot, snapshot_head=snapshot_head(snapshot)
    )
    # The session, then its stored deck read out of the snapshot (nothing else of it).
    with django_assert_max_num_queries(2):
        presented = session_deck(q2.pk)
    assert presented.session_state == "held"
    assert presented.outcomes == live.outcomes and presented.objectives == live.objectives


def generic_data(value):
    """The JSON data of a value by the plain recursive rule to_data stands for."""
    import dataclasses
    from datetime import date, datetime
    from decimal import Decimal

    if dataclasses.is_dataclass(value):
        return {f.name: generic_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [generic_data(item) for item in value]
    if isinstance(value, dict):
        return {str(key): generic_data(item) for key, item in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def test_to_data_gives_what_the_generic_recursion_gives(q2):
    deck = build_live_deck(q2.pk)

    assert json.dumps(to_data(deck)) == json.dumps(generic_data(deck))


def test_a_held_earlier_sessions_stored_deck_is_kept_as_it_reads(q2):
    q1 = models.TuningSession.objects.get(quarter__number=1, quarter__fiscal_year=2020)
    q1_snapshot = snapshot_build(q1.pk)
    models.TuningSession.objects.filter(pk=q1.pk).update(
        state=models.SessionState.HELD,
        snapshot=q1_snapshot,
        snapshot_head=snapshot_head(q1_snapshot),
    )

    earlier = snapshot_build(q2.pk)["earlier"]

    # As session_deck reads the held earlier session back, without turning it into objects.
    assert earlier == json.loads(json.dumps(to_data(session_deck(q1.pk))))
    assert earlier["session_state"] == "held"


@pytest.mark.parametrize("part", [1, 2, 100])
def test_the_snapshot_in_pieces_is_the_snapshot_built_whole(q2, monkeypatch, part):
    """What the store writes piece by piece (snapshot_chunks: the deck built in parts, the
    charts read in batches) is snapshot_build's document, whatever the size of the parts."""
    from metrics.selectors import snapshots

    for name in ("CHART_BATCH", "METRICS_PER_PART", "OBJECTIVES_PER_PART"):
        monkeypatch.setattr(snapshots, name, part)
    monkeypatch.setattr(snapshots, "CHUNK_CHARS", 1000)
    whole = json.loads(json.dumps(snapshot_build(q2.pk)))
    head = {}
    chunks = list(
        snapshots.snapshot_chunks(
            q2.pk, token=whole["token"], earlier=snapshots.EARLIER_BUILT, head=head
        )
    )

    assert len(chunks) > 1
    # The seed's deck has what the parts must put back together.
    deck = whole["deck"]
    assert deck["footnotes"] and deck["threads"] is not None and len(deck["objectives"]) > 2
    assert len(deck["outcomes"]) > 2 and deck["key_deliverables"] and deck["acronyms"]
    assert json.loads("".join(chunks)) == whole
    assert head == {"title": whole["deck"]["title"], "priority": whole["deck"]["priority"]}
    copied = "".join(snapshots.snapshot_chunks(q2.pk, token="t", earlier=snapshots.EARLIER_COPIED))
    assert "earlier" not in json.loads(copied)
