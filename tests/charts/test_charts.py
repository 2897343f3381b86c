from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from metrics import models
from metrics.charts import (
    CHART_CONFIG,
    _period_label,
    metric_charts,
    survey_figure,
    time_series_figure,
    yoy_figure,
)
from metrics.selectors.charts import metric_chart_data, metrics_chart_data
from metrics.selectors.deck import session_deck
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db

END_OF_Q2 = date(2020, 12, 31)


@pytest.fixture
def deck_and_data():
    session = build_small_deck()
    deck = session_deck(session.id)
    editors = deck.metric("monthly-active-editors")
    return deck, editors, metric_chart_data(editors.metric_id, until=END_OF_Q2)


def test_time_series_has_a_line_per_series_and_the_goal(deck_and_data):
    _, _, data = deck_and_data
    figure = time_series_figure(data)
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["All", "Established markets", "Goal (+5% YoY)"]
    assert figure["layout"]["title"]["text"] == "Monthly Active Editors"


def test_time_series_breaks_the_line_where_months_are_missing(deck_and_data):
    _, _, data = deck_and_data
    total = time_series_figure(data)["data"][0]
    # July-December 2019, a gap, July-December 2020.
    assert total["x"].count(None) == 1
    assert len(total["x"]) == 13


def test_goal_line_is_the_year_earlier_value_raised_by_the_goal(deck_and_data):
    _, _, data = deck_and_data
    goal = time_series_figure(data)["data"][-1]
    assert goal["y"][0] == pytest.approx(85000 * 1.05)


def test_hover_text_gives_the_exact_value(deck_and_data):
    _, _, data = deck_and_data
    total = time_series_figure(data)["data"][0]
    assert "Dec 2020: <b>91K/mo</b> (91,200)" in total["hovertext"][-1]


def test_yoy_bars_per_quarter_with_deck_text(deck_and_data):
    _, editors, data = deck_and_data
    figure = yoy_figure(editors, data)
    total, established, goal = figure["data"]
    assert total["x"] == ["Q1", "Q2"]
    assert total["y"] == pytest.approx([7.3, 8.1])
    assert total["text"] == ["+7.3% YoY", "+8.1% YoY"]
    assert established["x"] == ["Q2"]
    assert (goal["name"], goal["y"]) == ("Goal (+5% YoY)", [5.0, 5.0])


def test_survey_metric_compares_baseline_and_measurement():
    session = build_small_deck()
    deck = session_deck(session.id)
    safety = deck.metric("threats-to-safety")
    data = metric_chart_data(safety.metric_id, until=END_OF_Q2)
    figure = survey_figure(data)
    baseline, measured = figure["data"]
    assert list(baseline["x"]) == ["Unsafe", "Harassed"]
    assert baseline["y"] == pytest.approx([37, 19])
    assert measured["y"] == pytest.approx([34, 21])
    assert measured["text"] == ["34%", "21%"]
    assert "Unsafe, baseline: 37% (37%)" in baseline["hovertext"][0]
    assert [c.dom_id for c in metric_charts(safety, data)] == ["chart-threats-to-safety-survey"]


def test_metric_without_observations_has_no_chart():
    session = build_small_deck()
    deck = session_deck(session.id)
    paused = deck.metric("documentation-languages")
    data = metric_chart_data(paused.metric_id, until=END_OF_Q2)
    assert metric_charts(paused, data) == []


def test_observations_after_the_session_quarter_are_left_out(deck_and_data):
    _, editors, _ = deck_and_data
    data = metric_chart_data(editors.metric_id, until=date(2020, 9, 30))
    assert max(p.period_start for s in data.series for p in s.points) == date(2020, 9, 1)


def test_bulk_chart_data_runs_three_queries(deck_and_data, django_assert_num_queries):
    deck, _, _ = deck_and_data
    ids = [row.metric_id for row in deck.metric_rows]
    with django_assert_num_queries(3):
        data = metrics_chart_data(ids, until=END_OF_Q2)
    assert set(data) == set(ids)
    assert data[ids[0]].series[0].points[0].value == Decimal("85000")


def test_every_chart_is_configured_for_an_internal_tool(deck_and_data):
    _, editors, data = deck_and_data
    for chart in metric_charts(editors, data):
        config = chart.embedded["config"]
        assert config["displaylogo"] is False
        assert config["showSendToCloud"] is False
        assert config["plotlyServerURL"] == ""
        assert {"sendChartToCloud", "sendDataToCloud"} <= set(config["modeBarButtonsToRemove"])
        assert "toImage" not in config["modeBarButtonsToRemove"]
        assert config["toImageButtonOptions"]["format"] == "png"
        assert chart.embedded["data"] == chart.figure["data"]
    assert CHART_CONFIG["displaylogo"] is False


def test_the_time_axis_is_a_date_axis_spanning_the_periods_with_data(deck_and_data):
    _, _, data = deck_and_data
    figure = time_series_figure(data)
    layout = figure["layout"]
    assert layout["xaxis"]["type"] == "date"
    assert "categoryarray" not in layout["xaxis"]
    assert layout["xaxis"]["range"] == ["2019-06-16", "2021-01-15"]
    total = figure["data"][0]
    # Each month at its middle, as a date, never as a label a category axis would sort.
    assert total["x"][0] == "2019-07-16" and total["x"][-1] == "2020-12-16"


def test_months_and_quarters_never_share_a_series_or_an_axis_of_labels(deck_and_data):
    _, _, data = deck_and_data
    total = data.series[0]
    quarter = replace(
        total.points[-1],
        period_start=date(2021, 1, 1),
        period_end=date(2021, 3, 31),
        value=Decimal("95000"),
    )
    mixed = replace(data, series=(replace(total, points=(*total.points, quarter)),))

    figure = time_series_figure(mixed)

    months, quarters = figure["data"][0], figure["data"][1]
    assert months["name"] == "All" and quarters["name"] == "All, quarters"
    assert None not in quarters["x"] and quarters["x"] == ["2021-02-14"]
    assert quarters["mode"] == "markers"
    assert all(x is None or x[:4].isdigit() for trace in figure["data"] for x in trace["x"])
    assert figure["layout"]["xaxis"]["type"] == "date"
    assert "Q3 FY20-21: <b>95K/mo</b>" in quarters["hovertext"][0]


def test_a_whole_quarter_is_named_as_the_fiscal_quarter(deck_and_data):
    deck, _, _ = deck_and_data
    safety = deck.metric("threats-to-safety")
    data = metric_chart_data(safety.metric_id, until=END_OF_Q2)
    assert {p.period_start for s in data.series for p in s.points} == {
        date(2019, 10, 1),
        date(2020, 10, 1),
    }
    labels = {_period_label(p) for s in data.series for p in s.points}
    assert labels == {"Q2 FY19-20", "Q2 FY20-21"}


def test_axes_have_titles_with_units(deck_and_data):
    _, editors, data = deck_and_data
    series = time_series_figure(data)["layout"]
    assert series["xaxis"]["title"]["text"] == "Month"
    assert series["yaxis"]["title"]["text"] == "Number per month"
    yoy = yoy_figure(editors, data)["layout"]
    assert yoy["yaxis"]["title"]["text"] == "Change year over year (%)"
    assert yoy["xaxis"]["title"]["text"] == "Fiscal quarter"


def test_bars_sit_side_by_side_with_room_for_their_labels(deck_and_data):
    _, editors, data = deck_and_data
    layout = yoy_figure(editors, data)["layout"]
    assert layout["barmode"] == "group"
    bottom, top = layout["yaxis"]["range"]
    assert bottom == 0 and top >= 8.1 * 1.1


def test_grouped_segments_get_bars_of_their_own_with_exact_labels(seed_deck):
    deck = session_deck(models.TuningSession.objects.get(quarter__number=2).id)
    leaders = deck.metric("movement-leaders-diversity")
    figure = survey_figure(metric_chart_data(leaders.metric_id, until=END_OF_Q2))
    traces = {trace["name"]: trace for trace in figure["data"]}
    assert list(traces) == [
        "Organizers, baseline",
        "Organizers, measured",
        "Admins, baseline",
        "Admins, measured",
    ]
    for trace in traces.values():
        assert list(trace["x"]) == ["Women", "GM", "outside NA/EU"]
    # "outside NA/EU": 46% for organizers and 30% for admins, two bars, not one of 76%.
    assert traces["Organizers, baseline"]["y"][2] == 46
    assert traces["Admins, baseline"]["y"][2] == 30
    assert traces["Admins, baseline"]["text"] == ["10.4%", "1.9%", "30%"]
    assert traces["Organizers, measured"]["text"] == ["29%", "5.4%", "29%"]
    assert figure["layout"]["barmode"] == "group"


def test_every_figure_is_what_plotly_py_would_write(seed_deck):
    """The figures are written as plain dicts for speed: plotly.py must read each one back
    (validating every property) and write it out unchanged, so the page draws the same chart
    as a figure built through plotly.graph_objects."""
    import json

    import plotly.graph_objects as go

    from metrics.selectors.charts import chart_window_start

    seen = set()
    for session in models.TuningSession.objects.all():
        deck = session_deck(session.id)
        rows = deck.metric_rows
        data = metrics_chart_data(
            [row.metric_id for row in rows],
            since=chart_window_start(deck.fiscal_year),
            until=deck.quarter_end_date,
        )
        for row in rows:
            chart_data = data[row.metric_id]
            # A target goal is drawn as a labelled line across the plot.
            with_target = replace(chart_data, goal_kind="target", goal_value=Decimal("5"))
            for chart in [*metric_charts(row, chart_data), *metric_charts(row, with_target)]:
                figure = json.loads(json.dumps(chart.figure))
                assert json.loads(go.Figure(figure).to_json()) == figure, chart.dom_id
                seen.add(chart.dom_id.rsplit("-", 1)[-1])
                if figure["layout"].get("shapes"):
                    seen.add("goal line")
    assert seen == {"series", "yoy", "survey", "goal line"}
