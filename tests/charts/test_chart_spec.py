"""One chart spec, two renderers: the page's Plotly figure (metrics.chart_plotly) and the
PowerPoint's native chart (metrics.pptx_export.charts) show the same series, values, labels
and titles, read from the same ChartSpec, so that a change to the spec changes both."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pptx import Presentation

from metrics import models
from metrics.chart_plotly import plotly_figure
from metrics.chart_spec import (
    ChartSpec,
    ReferenceLine,
    Series,
    SeriesKind,
    Stroke,
    ValueFormat,
    XAxisKind,
)
from metrics.charts import (
    GOAL_COLOUR,
    PALETTE,
    metric_charts,
    survey_spec,
    time_series_spec,
    yoy_spec,
)
from metrics.pptx_export.builder import DeckBuilder
from metrics.pptx_export.charts import add_native_chart, chart_notes
from metrics.selectors.charts import chart_window_start, metric_chart_data, metrics_chart_data
from metrics.selectors.deck import session_deck
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db

END_OF_Q2 = date(2020, 12, 31)
EXCEL_EPOCH = date(1899, 12, 30)


@pytest.fixture
def small_deck():
    return build_small_deck()


@pytest.fixture
def editors(small_deck):
    row = session_deck(small_deck.id).metric("monthly-active-editors")
    return row, metric_chart_data(row.metric_id, until=END_OF_Q2)


@pytest.fixture
def safety(small_deck):
    row = session_deck(small_deck.id).metric("threats-to-safety")
    return row, metric_chart_data(row.metric_id, until=END_OF_Q2)


def native_chart(spec: ChartSpec):
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    return add_native_chart(slide, spec, 0.5, 0.5, 9, 5).chart


def _category(label: str, dated: bool) -> str:
    """A native chart's category as the figure names it: a date axis holds Excel serials."""
    return (EXCEL_EPOCH + timedelta(days=float(label))).isoformat() if dated else label


def native_series(chart, dated: bool) -> dict[str, dict[str, tuple]]:
    """Per series of the native chart: each category with a value, its value and label."""
    plot = chart.plots[0]
    categories = [_category(c, dated) for c in plot.categories]
    drawn = {}
    for series in plot.series:
        points = {}
        for index, value in enumerate(series.values):
            if value is None:
                continue
            label = series.points[index].data_label
            text = label.text_frame.text if label.has_text_frame else ""
            points[categories[index]] = (value, text)
        drawn[series.name] = points
    return drawn


def figure_series(figure: dict, names) -> dict[str, dict[str, tuple]]:
    """The same, read from the figure's traces of those names."""
    drawn = {}
    for trace in figure["data"]:
        if trace["name"] not in names:
            continue
        texts = trace.get("text") or [""] * len(trace["x"])
        drawn[trace["name"]] = {
            x: (y, text)
            for x, y, text in zip(trace["x"], trace["y"], texts, strict=True)
            if x is not None and y is not None
        }
    return drawn


def assert_same_chart(spec: ChartSpec):
    figure = plotly_figure(spec)
    chart = native_chart(spec)
    dated = spec.x_axis.kind == XAxisKind.DATE
    native = native_series(chart, dated)

    assert chart.chart_title.text_frame.text == figure["layout"]["title"]["text"] == spec.title
    assert native == figure_series(figure, set(native))
    drawn = [s.name for s in spec.series if s.kind == SeriesKind.BAR] or [
        s.name for s in spec.series
    ]
    assert list(native) == drawn
    # What the native chart has no series for is printed under it.
    notes = chart_notes(spec)
    for series in spec.series:
        if series.name not in native:
            assert any(note.startswith(series.name) for note in notes)
    for annotation in figure["layout"].get("annotations", []):
        assert annotation["text"] in notes
    assert chart.value_axis.axis_title.text_frame.text == figure["layout"]["yaxis"]["title"]["text"]
    x_title = figure["layout"]["xaxis"]["title"]["text"]
    if x_title:
        assert chart.category_axis.axis_title.text_frame.text == x_title
    return figure, chart


# --- the spec ---------------------------------------------------------------------------


def test_the_time_series_spec_holds_each_line_at_its_dates_and_the_goal(editors):
    _, data = editors
    spec = time_series_spec(data)

    total, established, goal = spec.series
    assert (total.name, established.name, goal.name) == ("All", "Established markets", goal.name)
    assert goal.name == "Goal (+5% YoY)"
    assert {s.kind for s in spec.series} == {SeriesKind.LINE}
    assert total.x[0] == date(2019, 7, 16) and total.x.count(None) == 1
    assert total.y[0] == 85000.0
    assert (total.colour, established.colour, goal.colour) == (PALETTE[0], PALETTE[1], GOAL_COLOUR)
    # The total's line is the thicker; the goal dashed, without markers.
    assert total.stroke.width > established.stroke.width
    assert goal.stroke.dashed and goal.markers is None
    assert spec.x_axis.kind == XAxisKind.DATE
    assert spec.x_axis.range == (date(2019, 6, 16), date(2021, 1, 15))
    assert spec.y_axis.format == ValueFormat.COUNT
    assert spec.y_axis.title == "Number per month"
    assert "Dec 2020: <b>91K/mo</b> (91,200)" in total.hover[-1]


def test_a_target_is_a_reference_line_not_a_series(editors):
    _, data = editors
    spec = time_series_spec(replace(data, goal_kind="target", goal_value=Decimal("90000")))

    assert [s.name for s in spec.series] == ["All", "Established markets"]
    (line,) = spec.reference_lines
    assert line.value == 90000.0 and line.label.startswith("Goal")
    assert line.stroke.dashed


def test_the_yoy_spec_holds_bars_with_the_deck_s_labels_and_the_goal_level(editors):
    row, data = editors
    spec = yoy_spec(row, data)

    total, established, goal = spec.series
    assert (total.kind, established.kind, goal.kind) == (
        SeriesKind.BAR,
        SeriesKind.BAR,
        SeriesKind.LINE,
    )
    assert total.x == ("Q1", "Q2") and total.y == pytest.approx((7.3, 8.1))
    assert total.labels == ("+7.3% YoY", "+8.1% YoY")
    assert goal.y == (5.0, 5.0) and goal.markers.shape == "dash"
    assert spec.x_axis.categories == ("Q1", "Q2")
    assert spec.y_axis.format == ValueFormat.PERCENT
    assert spec.y_axis.range[0] == 0
    assert spec.caption.startswith("Change against the same quarter")


def test_the_survey_spec_holds_baseline_and_measured_bars_with_exact_labels(safety):
    _, data = safety
    spec = survey_spec(data)

    baseline, measured = spec.series
    assert (baseline.name, measured.name) == ("Baseline", "Measured")
    assert baseline.x == ("Unsafe", "Harassed") == spec.x_axis.categories
    assert measured.y == pytest.approx((34, 21))
    assert measured.labels == ("34%", "21%")
    assert spec.has_bars and spec.bar_group_gap is not None


def test_a_series_needs_a_value_and_texts_for_every_point():
    with pytest.raises(ValueError):
        Series("All", SeriesKind.BAR, x=("Q1", "Q2"), y=(1.0,), colour="#000000")
    with pytest.raises(ValueError):
        Series("All", SeriesKind.BAR, x=("Q1",), y=(1.0,), colour="#000000", labels=("a", "b"))


def test_the_powerpoint_reads_the_spec_and_never_writes_the_page_s_figure(small_deck, editors):
    row, data = editors
    charts = metric_charts(row, data)
    builder = DeckBuilder(session_deck(small_deck.id))

    builder.chart_slide(row, charts)

    assert all("figure" not in chart.__dict__ for chart in charts)
    assert charts[0].figure == plotly_figure(charts[0].spec)


# --- both renderers from one spec -------------------------------------------------------


def test_both_renderers_draw_the_same_series_for_every_seed_chart(seed_deck):
    kinds = set()
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
            with_target = replace(chart_data, goal_kind="target", goal_value=Decimal("5"))
            for chart in [*metric_charts(row, chart_data), *metric_charts(row, with_target)]:
                assert_same_chart(chart.spec)
                kinds.add(chart.dom_id.rsplit("-", 1)[-1])
                kinds.update("reference line" for _ in chart.spec.reference_lines)
    assert kinds == {"series", "yoy", "survey", "reference line"}


def test_a_change_to_a_bar_series_changes_both_renderings(editors):
    row, data = editors
    spec = yoy_spec(row, data)
    total = spec.series[0]
    changed = replace(
        spec,
        title="Edited title",
        series=(
            replace(total, name="Total", y=(1.5, 12.25), labels=("one", "two"), colour="#123456"),
            *spec.series[1:],
        ),
    )

    figure, chart = assert_same_chart(changed)

    trace = figure["data"][0]
    bars = chart.plots[0].series[0]
    assert trace["name"] == bars.name == "Total"
    assert trace["y"] == list(bars.values) == [1.5, 12.25]
    assert trace["text"] == [p.data_label.text_frame.text for p in bars.points] == ["one", "two"]
    assert trace["marker"]["color"] == "#123456"
    assert str(bars.format.fill.fore_color.rgb) == "123456"
    assert chart.chart_title.text_frame.text == figure["layout"]["title"]["text"] == "Edited title"


def test_a_change_to_a_line_changes_both_renderings(editors):
    _, data = editors
    spec = time_series_spec(data)
    total = spec.series[0]
    y = tuple(None if v is None else v + 1000 for v in total.y)
    changed = replace(spec, series=(replace(total, name="Everyone", y=y), *spec.series[1:]))

    figure, chart = assert_same_chart(changed)

    line = chart.plots[0].series[0]
    assert figure["data"][0]["name"] == line.name == "Everyone"
    assert list(line.values)[0] == figure["data"][0]["y"][0] == 86000.0


def test_a_change_to_a_reference_line_changes_both_renderings(editors):
    _, data = editors
    spec = time_series_spec(replace(data, goal_kind="target", goal_value=Decimal("90000")))
    changed = replace(
        spec,
        reference_lines=(ReferenceLine(70000.0, "Floor: 70K", "#000000", Stroke(1)),),
        caption="A caption",
    )

    figure, chart = assert_same_chart(changed)

    (annotation,) = figure["layout"]["annotations"]
    (shape,) = figure["layout"]["shapes"]
    assert (annotation["text"], shape["y0"]) == ("Floor: 70K", 70000.0)
    assert chart_notes(changed) == ["Floor: 70K", "A caption"]


def test_a_goal_over_bars_is_a_note_under_the_native_chart(editors):
    row, data = editors
    spec = yoy_spec(row, data)

    assert chart_notes(spec) == ["Goal (+5% YoY): 5%", spec.caption]
    moved = replace(spec, series=(*spec.series[:-1], replace(spec.series[-1], y=(6.0, 6.0))))
    assert chart_notes(moved)[0] == "Goal (+5% YoY): 6%"
    assert plotly_figure(moved)["data"][-1]["y"] == [6.0, 6.0]
