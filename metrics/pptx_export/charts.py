"""A ChartSpec (metrics.chart_spec) as a native PowerPoint chart: the chart the metric page
draws, from the same spec.

Lines become a line chart over the same categories (a break in a series stays a gap; a date
axis stays a date axis), bars a clustered column chart whose data labels are the spec's own
texts. What the chart has no series for (a reference line, a goal drawn over bars) and the
caption are printed under it (chart_notes). The chart's numbers live in the file's embedded
workbook, so the chart stays editable in PowerPoint.
"""

from __future__ import annotations

from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.util import Inches, Pt

from metrics.chart_spec import ChartSpec, Series, SeriesKind, ValueFormat, XAxisKind

GRID = RGBColor(0xE3, 0xE7, 0xEC)
NUMBER_FORMATS = {
    ValueFormat.PERCENT: '0.0"%"',
    ValueFormat.COUNT: "#,##0",
    ValueFormat.PLAIN: "General",
}
MARKER_STYLES = {
    "circle": XL_MARKER_STYLE.CIRCLE,
    "diamond": XL_MARKER_STYLE.DIAMOND,
    "dash": XL_MARKER_STYLE.DASH,
}
LINE_WIDTH = Pt(2.25)


def chart_type(spec: ChartSpec):
    return XL_CHART_TYPE.COLUMN_CLUSTERED if spec.has_bars else XL_CHART_TYPE.LINE_MARKERS


def _drawn(spec: ChartSpec) -> list[Series]:
    """The series the native chart holds: a bar chart's bars (a line drawn over them becomes
    a note, see chart_notes), else every line."""
    bars = [s for s in spec.series if s.kind == SeriesKind.BAR]
    return bars or list(spec.series)


def _categories(drawn: list[Series]) -> list[str]:
    """The x values of every series, in order of first appearance (the specs list them
    chronologically), without the breaks."""
    seen: dict[str, None] = {}
    for series in drawn:
        for x, _ in series.points():
            seen.setdefault(str(x), None)
    return list(seen)


def _colour(hex_colour: str) -> RGBColor | None:
    if hex_colour.startswith("#") and len(hex_colour) == 7:
        return RGBColor.from_string(hex_colour[1:].upper())
    return None


def add_native_chart(slide, spec: ChartSpec, left: float, top: float, width: float, height: float):
    """Draw the spec as a native chart in the box (inches); returns the graphic frame."""
    drawn = _drawn(spec)
    kind = chart_type(spec)
    number_format = NUMBER_FORMATS[spec.y_axis.format]
    # A date axis of its own, like the page's, never a row of labels.
    dated = spec.x_axis.kind == XAxisKind.DATE and kind == XL_CHART_TYPE.LINE_MARKERS
    categories, data = _chart_data(drawn, number_format, dated)
    frame = slide.shapes.add_chart(
        kind, Inches(left), Inches(top), Inches(width), Inches(height), data
    )
    chart = frame.chart
    _title_and_legend(chart, spec.title)
    _axes(chart, spec, number_format, dated)
    plot = chart.plots[0]
    bars = kind == XL_CHART_TYPE.COLUMN_CLUSTERED
    if bars:
        # Bars measure from zero, whatever range the application would pick.
        chart.value_axis.minimum_scale = min(
            [0.0] + [y for s in drawn for y in s.y if y is not None]
        )
        # Side by side, never stacked; a small gap between the bars of one category.
        plot.overlap = 0
        plot.gap_width = 60
    for chart_series, series in zip(plot.series, drawn, strict=True):
        if bars:
            _style_bars(chart_series, series, categories)
        else:
            _style_line(chart_series, series)
    return frame


def _chart_data(drawn: list[Series], number_format: str, dated: bool):
    """The chart's categories (ISO dates on a date axis, in time order) and its workbook's
    numbers: each series' value per category, None where it has none."""
    data = CategoryChartData(number_format=number_format)
    categories = _categories(drawn)
    if dated:
        days = sorted({x for s in drawn for x, _ in s.points()})
        categories = [day.isoformat() for day in days]
        _flat_categories(data, days)
    else:
        _flat_categories(data, categories)
    for series in drawn:
        by_x = {str(x): y for x, y in series.points()}
        data.add_series(series.name, [by_x.get(c) for c in categories])
    return categories, data


def _title_and_legend(chart, title: str):
    chart.has_title = True
    chart.chart_title.text_frame.text = title
    title_font = chart.chart_title.text_frame.paragraphs[0].runs[0].font
    title_font.size, title_font.bold = Pt(13), True
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(10)
    chart.font.size = Pt(10)


def _axes(chart, spec: ChartSpec, number_format: str, dated: bool):
    value_axis = chart.value_axis
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = GRID
    value_axis.tick_labels.number_format = number_format
    value_axis.tick_labels.number_format_is_linked = False
    _axis_title(value_axis, spec.y_axis.title)
    _axis_title(chart.category_axis, spec.x_axis.title)
    if dated:
        chart.category_axis.tick_labels.number_format = "mmm yyyy"
        chart.category_axis.tick_labels.number_format_is_linked = False


def _style_bars(chart_series, series: Series, categories: list[str]):
    fill = _colour(series.colour)
    if fill is not None:
        chart_series.format.fill.solid()
        chart_series.format.fill.fore_color.rgb = fill
    if not series.labels:
        return
    # The page's own labels ("10.4%", "+8.1% YoY"), not PowerPoint's rounding.
    by_x = dict(zip(series.x, series.labels, strict=True))
    for index, category in enumerate(categories):
        text = by_x.get(category)
        if not text:
            continue
        label = chart_series.points[index].data_label
        label.has_text_frame = True
        label.text_frame.text = text
        label.position = XL_LABEL_POSITION.OUTSIDE_END
        label.font.size = Pt(9)


def _style_line(chart_series, series: Series):
    colour = _colour(series.colour)
    if series.stroke is not None and colour is not None:
        chart_series.format.line.color.rgb = colour
        chart_series.format.line.width = LINE_WIDTH
        if series.stroke.dashed:
            chart_series.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        if series.markers is None:
            chart_series.marker.style = XL_MARKER_STYLE.NONE
    if series.stroke is None and series.markers is not None:
        # Whole quarters: markers of their own, no line through the months.
        chart_series.format.line.fill.background()
        chart_series.marker.style = MARKER_STYLES[series.markers.shape]
        chart_series.marker.size = 9
        if colour is not None:
            chart_series.marker.format.fill.solid()
            chart_series.marker.format.fill.fore_color.rgb = colour
    chart_series.smooth = False


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


def chart_notes(spec: ChartSpec) -> list[str]:
    """What the native chart shows no series for, printed under it: the reference lines
    ("Goal (+5% YoY): 5.0%"), lines drawn over bars at their level ("Goal (+5% YoY): 5%"),
    then the caption."""
    notes = [line.label for line in spec.reference_lines]
    suffix = "%" if spec.y_axis.format == ValueFormat.PERCENT else ""
    drawn = _drawn(spec)
    for series in spec.series:
        if series in drawn:
            continue
        levels = sorted({y for y in series.y if y is not None})
        level = f": {levels[0]:g}{suffix}" if len(levels) == 1 else ""
        notes.append(f"{series.name}{level}")
    return notes + ([spec.caption] if spec.caption else [])
