"""The metric pages' Plotly figures (metrics.charts) as native PowerPoint charts.

The figure already holds what the page draws: one trace per series with its name, x and y,
bar labels as the deck prints them, axis titles. Lines become a line chart over the same
categories (a None in a trace stays a gap), bars a clustered column chart whose data labels
are the figure's own texts. The chart's numbers live in the file's embedded workbook, so the
chart stays editable in PowerPoint.
"""

from __future__ import annotations

from datetime import date

from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.util import Inches, Pt

GRID = RGBColor(0xE3, 0xE7, 0xEC)


def _text(value) -> str:
    if isinstance(value, dict):
        return str(value.get("text") or "")
    return str(value or "")


def _categories(traces: list[dict]) -> list[str]:
    """The x values of every trace, in order of first appearance (the figures list them
    chronologically), without the gaps."""
    seen: dict[str, None] = {}
    for trace in traces:
        for x in trace.get("x") or []:
            if x is not None:
                seen.setdefault(str(x), None)
    return list(seen)


def _is_date_axis(layout: dict) -> bool:
    return (layout.get("xaxis") or {}).get("type") == "date"


def _date_categories(categories: list[str]) -> list[date]:
    """A date axis's x values (ISO dates: months and quarters at their middles) in time
    order: the chart gets a date axis of its own, like the page's, never a row of labels."""
    return sorted({date.fromisoformat(x) for x in categories})


def _number_format(layout: dict) -> str:
    axis = layout.get("yaxis") or {}
    if axis.get("ticksuffix") == "%":
        return '0.0"%"'
    if axis.get("tickformat") == "~s":
        return "#,##0"
    return "General"


def _colour(trace: dict, kind: str) -> RGBColor | None:
    colour = (trace.get(kind) or {}).get("color")
    if isinstance(colour, str) and colour.startswith("#") and len(colour) == 7:
        return RGBColor.from_string(colour[1:].upper())
    return None


def figure_chart_type(figure: dict):
    if any(t.get("type") == "bar" for t in figure.get("data") or []):
        return XL_CHART_TYPE.COLUMN_CLUSTERED
    return XL_CHART_TYPE.LINE_MARKERS


def _drawn_traces(figure: dict) -> list[dict]:
    """The traces the native chart holds: a bar chart's bars (a reference line drawn over
    them becomes a note, see figure_notes), else every line."""
    traces = [t for t in figure.get("data") or [] if t.get("x") is not None]
    bars = [t for t in traces if t.get("type") == "bar"]
    return bars or traces


def add_figure_chart(slide, figure: dict, left: float, top: float, width: float, height: float):
    """Draw one figure as a native chart in the box (inches); returns the graphic frame."""
    traces = _drawn_traces(figure)
    layout = figure.get("layout") or {}
    chart_type = figure_chart_type(figure)
    categories = _categories(traces)
    number_format = _number_format(layout)
    data = CategoryChartData(number_format=number_format)
    dated = _is_date_axis(layout) and chart_type == XL_CHART_TYPE.LINE_MARKERS
    if dated:
        days = _date_categories(categories)
        categories = [day.isoformat() for day in days]
        _flat_categories(data, days)
    else:
        _flat_categories(data, categories)
    for trace in traces:
        by_x: dict[str, float | None] = {}
        for x, y in zip(trace.get("x") or [], trace.get("y") or [], strict=False):
            if x is not None:
                by_x[str(x)] = y
        data.add_series(_text(trace.get("name")), [by_x.get(c) for c in categories])
    frame = slide.shapes.add_chart(
        chart_type, Inches(left), Inches(top), Inches(width), Inches(height), data
    )
    chart = frame.chart
    chart.has_title = True
    chart.chart_title.text_frame.text = _text(layout.get("title"))
    title_font = chart.chart_title.text_frame.paragraphs[0].runs[0].font
    title_font.size, title_font.bold = Pt(13), True
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(10)
    chart.font.size = Pt(10)

    value_axis = chart.value_axis
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = GRID
    value_axis.tick_labels.number_format = number_format
    value_axis.tick_labels.number_format_is_linked = False
    _axis_title(value_axis, _text((layout.get("yaxis") or {}).get("title")))
    _axis_title(chart.category_axis, _text((layout.get("xaxis") or {}).get("title")))
    if dated:
        chart.category_axis.tick_labels.number_format = "mmm yyyy"
        chart.category_axis.tick_labels.number_format_is_linked = False

    plot = chart.plots[0]
    if chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED:
        # Bars measure from zero, whatever range the application would pick.
        value_axis.minimum_scale = min(
            [0.0] + [v for t in traces for v in t.get("y") or [] if v is not None]
        )
        # Side by side, never stacked; a small gap between the bars of one category.
        plot.overlap = 0
        plot.gap_width = 60
    for series, trace in zip(plot.series, traces, strict=True):
        fill = _colour(trace, "marker") if chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED else None
        line = _colour(trace, "line")
        if fill is not None:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = fill
        if line is not None:
            series.format.line.color.rgb = line
            series.format.line.width = Pt(2.25)
            if (trace.get("line") or {}).get("dash"):
                series.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
            if trace.get("mode") == "lines":
                series.marker.style = XL_MARKER_STYLE.NONE
        if trace.get("mode") == "markers" and chart_type == XL_CHART_TYPE.LINE_MARKERS:
            # Whole quarters: markers of their own, no line through the months.
            series.format.line.fill.background()
            series.marker.style = XL_MARKER_STYLE.DIAMOND
            series.marker.size = 9
            marker_fill = _colour(trace, "marker")
            if marker_fill is not None:
                series.marker.format.fill.solid()
                series.marker.format.fill.fore_color.rgb = marker_fill
        if chart_type == XL_CHART_TYPE.LINE_MARKERS:
            series.smooth = False
        labels = trace.get("text")
        if chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED and isinstance(labels, list):
            # The page's own labels ("10.4%", "+8.1% YoY"), not PowerPoint's rounding.
            by_x = dict(zip(trace.get("x") or [], labels, strict=False))
            for index, category in enumerate(categories):
                text = by_x.get(category)
                if not text:
                    continue
                label = series.points[index].data_label
                label.has_text_frame = True
                label.text_frame.text = str(text)
                label.position = XL_LABEL_POSITION.OUTSIDE_END
                label.font.size = Pt(9)
    return frame


def _flat_categories(data: CategoryChartData, labels: list):
    """Set the chart's categories, each one's position looked up rather than counted:
    python-pptx finds a category's index by walking the categories before it, once per
    category for the chart's XML and again for its workbook, which is quadratic in a time
    series' hundreds of periods. Ours are one level deep, so the index is the position."""
    data.categories = labels
    categories = data.categories
    position = {id(category): index for index, category in enumerate(categories)}
    categories.index = lambda category: position[id(category)]


def _axis_title(axis, text: str):
    if not text:
        return
    axis.has_title = True
    axis.axis_title.text_frame.text = text
    font = axis.axis_title.text_frame.paragraphs[0].runs[0].font
    font.size, font.bold = Pt(10), False


def figure_notes(figure: dict) -> list[str]:
    """Reference lines the native chart has no series for (a goal drawn as a shape, or as a
    line over bars), printed under the chart instead: "Goal (+5% YoY): 5.0%"."""
    notes = [_text(a.get("text")) for a in (figure.get("layout") or {}).get("annotations") or []]
    drawn = _drawn_traces(figure)
    suffix = ((figure.get("layout") or {}).get("yaxis") or {}).get("ticksuffix") or ""
    for trace in figure.get("data") or []:
        if trace in drawn or trace.get("x") is None:
            continue
        levels = sorted({y for y in trace.get("y") or [] if y is not None})
        level = f": {levels[0]:g}{suffix}" if len(levels) == 1 else ""
        notes.append(f"{_text(trace.get('name'))}{level}")
    return notes
