"""The metric pages' charts, each built once as a ChartSpec (metrics.chart_spec) from the chart
data: the time series with its goal, the quarterly YoY bars, a survey's baseline against its
latest measurement.

A page draws a spec as a Plotly figure (metrics.chart_plotly: the JSON static/js/charts.js
hands to the bundled plotly.min.js), the PowerPoint as a native chart
(metrics.pptx_export.charts): both from the same series, labels, colours and axes. The
`*_figure` functions give a spec's Plotly figure directly; None when there is nothing to draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from metrics.chart_plotly import plotly_figure
from metrics.chart_spec import (
    ChartSpec,
    Markers,
    ReferenceLine,
    Series,
    SeriesKind,
    Stroke,
    ValueAxis,
    ValueFormat,
    XAxis,
    XAxisKind,
)
from metrics.fiscal import day_year_earlier, quarter_of
from metrics.formatting import DEFAULT_DECIMALS, format_value, format_yoy, plain_decimal
from metrics.selectors.charts import ChartSeries, MetricChartData, SeriesPoint
from metrics.selectors.deck_types import MetricRow

PALETTE = ["#1f4e8c", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d"]
# The baseline bars of each group, a light shade of the group's colour.
LIGHT_PALETTE = ["#9db7d9", "#f0c39a", "#a9d5bb", "#cfb3dc", "#e8aaa3", "#a3d9cf", "#c4c9cd"]
BASELINE_COLOUR = "#9aa5b1"
GOAL_COLOUR = "#b03a2e"
GOAL_STROKE = Stroke(width=2, dashed=True)

# plotly.js options for an internal tool: figures never leave the app. No "Share chart"
# (an upload to Plotly's cloud) and no server to send to, no Plotly logo; the PNG download
# stays. static/js/charts.js applies the same safety settings to any figure it draws.
CHART_CONFIG = {
    "displaylogo": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "showLink": False,
    "plotlyServerURL": "",
    "responsive": True,
    "modeBarButtonsToRemove": ["sendChartToCloud", "sendDataToCloud", "select2d", "lasso2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}

UNIT_WORDS = {"percent": "%", "count": "number", "index": "index"}
SUFFIX_WORDS = {"/mo": "per month", "/month": "per month", "/yr": "per year", "/q": "per quarter"}

CAPTION_DERIVED = "Open markers: prior-year values worked back from the reported YoY change."
CAPTION_YOY = "Change against the same quarter a year earlier; the dashed line is the goal."
CAPTION_SURVEY = "Baseline against the latest measurement, per segment."


def chart_config(filename: str) -> dict:
    """CHART_CONFIG with the PNG download named after the chart."""
    config = dict(CHART_CONFIG)
    config["toImageButtonOptions"] = {**CHART_CONFIG["toImageButtonOptions"], "filename": filename}
    return config


@dataclass(frozen=True)
class Chart:
    """One chart of a metric: its spec, which the page draws as `figure` (Plotly) and the
    PowerPoint as a native chart."""

    dom_id: str
    spec: ChartSpec

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def caption(self) -> str:
        return self.spec.caption

    @property
    def data_id(self) -> str:
        return f"{self.dom_id}-data"

    @cached_property
    def figure(self) -> dict:
        """The spec as a Plotly figure: written on first use (a page's), never for the
        PowerPoint, which reads the spec."""
        return plotly_figure(self.spec)

    @property
    def embedded(self) -> dict:
        """What the page embeds for static/js/charts.js: the figure and its plotly config."""
        return {**self.figure, "config": chart_config(self.dom_id.removeprefix("chart-"))}


def _exact(value: Decimal, unit: str) -> str:
    """The stored value in full, for hover text: 92,300 or 7.62%."""
    text = plain_decimal(value, grouped=True)
    return f"{text}%" if unit == "percent" else text


def _unit_words(unit: str, unit_suffix: str = "") -> str:
    """An axis title's unit: "number per month", "% per month", "%", "index"."""
    per = SUFFIX_WORDS.get(unit_suffix.strip(), unit_suffix.strip())
    return " ".join(w for w in (UNIT_WORDS.get(unit, unit), per) if w)


def _value_title(title: str, units: str) -> str:
    """The value axis title: the chart's subject and its unit, or the unit alone where the
    subject would not fit the axis's height."""
    full = f"{title} ({units})"
    return full if len(full) <= 32 else units[:1].upper() + units[1:]


def _exact_label(value: Decimal, unit: str, decimals: int | None) -> str:
    """A bar's label with every decimal the value has (10.4%, never "10%"), and at least
    the decimals the deck prints (15.0%)."""
    if unit not in ("percent", "index"):
        return format_value(value, unit=unit, decimals=decimals)
    places = max(0, -value.normalize().as_tuple().exponent)
    shown = DEFAULT_DECIMALS[unit] if decimals is None else decimals
    return format_value(value, unit=unit, decimals=max(shown, places))


def _bar_range(values) -> tuple[float, float]:
    """The value axis of a bar chart, from zero, with room above (and below) the bars for
    their labels, which sit outside the bars."""
    values = [float(v) for v in values if v is not None]
    top = max([0.0, *values])
    bottom = min([0.0, *values])
    span = (top - bottom) or 1.0
    return (bottom - (0.14 * span if bottom < 0 else 0), top + 0.14 * span)


def _period_label(point: SeriesPoint) -> str:
    """A point's period as the time axis names it: "Oct 2020" for a month, "Q2 FY20-21"
    for a whole fiscal quarter."""
    start, end = point.period_start, point.period_end
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%b %Y}"
    quarter = quarter_of(start)
    if (quarter.start_date, quarter.end_date) == (start, end):
        return quarter.label
    return f"{start:%b %Y} to {end:%b %Y}"


def _is_month(point: SeriesPoint) -> bool:
    start, end = point.period_start, point.period_end
    return (start.year, start.month) == (end.year, end.month)


def _period_date(point: SeriesPoint) -> date:
    """Where a point sits on the date axis: the middle of its period (a month's middle, a
    quarter's middle month)."""
    start, end = point.period_start, point.period_end
    return start + (end - start) / 2


def _time_axis_title(points: list[SeriesPoint]) -> str:
    if all(_is_month(p) for p in points):
        return "Month"
    if all(_period_label(p).startswith("Q") for p in points):
        return "Fiscal quarter"
    return "Date"


def _value_format(unit: str) -> ValueFormat:
    if unit == "percent":
        return ValueFormat.PERCENT
    if unit == "count":
        return ValueFormat.COUNT
    return ValueFormat.PLAIN


def _goal_points(data: MetricChartData, total: ChartSeries | None):
    """The goal as a reference line: for a YoY goal, each period's value a year earlier
    raised by the goal; for a target, the target; for "maintain", the baseline."""
    if data.goal_kind == "yoy_change" and data.goal_value is not None and total:
        by_start = {p.period_start: p.value for p in total.points}
        factor = 1 + data.goal_value / 100
        points = [
            (p, by_start[day_year_earlier(p.period_start)] * factor)
            for p in total.points
            if day_year_earlier(p.period_start) in by_start
        ]
        goal_text = data.goal_text or format_yoy(data.goal_value / 100)
        if points:
            return points, f"Goal ({goal_text})"
        if data.baseline_value is not None:
            return data.baseline_value * factor, f"Goal ({goal_text} on the baseline)"
    if data.goal_kind == "target" and data.goal_value is not None:
        return data.goal_value, f"Goal ({data.goal_text})" if data.goal_text else "Goal"
    if data.goal_kind == "maintain" and data.baseline_value is not None:
        return data.baseline_value, "Baseline (maintain)"
    return None, None


def _with_gaps(points, hover):
    """x, y, hover texts and whether each point's marker is hollow (a derived value), with a
    break wherever periods are missing, so that a line never bridges months without data."""
    x, y, texts, hollow = [], [], [], []
    previous = None
    for point, text in zip(points, hover, strict=True):
        if previous is not None and point.period_start > previous.period_end + timedelta(days=1):
            x.append(None)
            y.append(None)
            texts.append("")
            hollow.append(False)
        x.append(_period_date(point))
        y.append(float(point.value))
        texts.append(text)
        hollow.append(point.is_derived)
        previous = point
    return tuple(x), tuple(y), tuple(texts), tuple(hollow)


def _value_text(value: Decimal, data: MetricChartData, decimals: int | None = None) -> str:
    return format_value(value, unit=data.unit, unit_suffix=data.unit_suffix, decimals=decimals)


def time_series_spec(data: MetricChartData, *, hover: bool = True) -> ChartSpec | None:
    """The observations per segment over time, with the goal as a reference; `hover=False`
    leaves the series' hover texts out (the PowerPoint has none: a third of the time a deck's
    charts take)."""
    if not data.has_observations:
        return None
    series: list[Series] = []
    for index, chart_series in enumerate(data.series):
        series += _period_series(data, chart_series, PALETTE[index % len(PALETTE)], hover)
    total = next((s for s in data.series if s.segment_id is None), None)
    goal, goal_name = _goal_points(data, total)
    references = ()
    if isinstance(goal, list):
        series.append(_goal_series(data, goal, goal_name, hover))
    elif goal is not None:
        label = f"{goal_name}: {_value_text(goal, data)}"
        references = (ReferenceLine(float(goal), label, GOAL_COLOUR, GOAL_STROKE),)
    points = [p for s in data.series for p in s.points]
    first = min(p.period_start for p in points)
    last = max(p.period_end for p in points)
    derived = any(p.is_derived for p in points)
    return ChartSpec(
        title=data.chart_title,
        series=tuple(series),
        # A date axis: months and quarters at their place in time, spanning the periods shown.
        x_axis=XAxis(
            _time_axis_title(points),
            XAxisKind.DATE,
            range=(first - timedelta(days=15), last + timedelta(days=15)),
        ),
        y_axis=ValueAxis(
            _value_title(data.chart_title, _unit_words(data.unit, data.unit_suffix)),
            _value_format(data.unit),
        ),
        reference_lines=references,
        caption=CAPTION_DERIVED if derived else "",
    )


def _period_series(
    data: MetricChartData, series: ChartSeries, colour: str, hover: bool = True
) -> list[Series]:
    """A series' months as a line; its whole quarters (or longer periods) as a series of
    their own, markers with no line through the months, on the same date axis."""
    months = [p for p in series.points if _is_month(p)]
    longer = [p for p in series.points if not _is_month(p)]
    drawn = []
    if months:
        drawn.append(
            _line_series(data, series, months, name=series.name, colour=colour, hover=hover)
        )
    if longer:
        name = f"{series.name}, {_longer_words(longer)}" if months else series.name
        drawn.append(
            _line_series(
                data, series, longer, name=name, colour=colour, whole_periods=True, hover=hover
            )
        )
    return drawn


def _goal_series(data: MetricChartData, goal: list, name: str, hover: bool = True) -> Series:
    """A YoY goal: each period's value a year earlier raised by the goal, dashed."""
    return Series(
        name=name,
        kind=SeriesKind.LINE,
        x=tuple(_period_date(p) for p, _ in goal),
        y=tuple(float(v) for _, v in goal),
        colour=GOAL_COLOUR,
        stroke=GOAL_STROKE,
        hover=tuple(
            f"{name}<br>{_period_label(p)}: {_value_text(v, data)}"
            f" ({_exact(v.quantize(Decimal('0.01')), data.unit)})"
            for p, v in goal
        )
        if hover
        else (),
    )


def _longer_words(points: list[SeriesPoint]) -> str:
    return "quarters" if all(_period_label(p).startswith("Q") for p in points) else "periods"


def _line_series(
    data: MetricChartData,
    series: ChartSeries,
    points: list[SeriesPoint],
    *,
    name: str,
    colour: str,
    whole_periods: bool = False,
    hover: bool = True,
) -> Series:
    texts = (
        [
            f"{series.name}<br>{_period_label(p)}"
            + f": <b>{_value_text(p.value, data, series.decimals)}</b>"
            + f" ({_exact(p.value, data.unit)})"
            + ("<br><i>derived from the reported YoY change</i>" if p.is_derived else "")
            for p in points
        ]
        if hover
        else [""] * len(points)
    )
    x, y, texts, hollow = _with_gaps(points, texts)
    if whole_periods:
        stroke, markers = None, Markers("diamond", 10, hollow)
    else:
        stroke = Stroke(width=3 if series.segment_id is None else 2)
        markers = Markers("circle", 7, hollow)
    return Series(
        name=name,
        kind=SeriesKind.LINE,
        x=x,
        y=y,
        colour=colour,
        stroke=stroke,
        markers=markers,
        hover=texts if hover else (),
    )


def yoy_spec(row: MetricRow, data: MetricChartData) -> ChartSpec | None:
    """Quarterly YoY changes as bars side by side, one colour per row, each labelled as the
    deck prints it, with the YoY goal as a dashed line listed in the legend."""
    bars = _yoy_bars(row)
    if not bars:
        return None
    values = [y for bar in bars for y in bar.y]
    quarters = [f"Q{cell.quarter}" for cell in row.cells]
    shown = tuple(q for q in quarters if any(q in bar.x for bar in bars))
    series = list(bars)
    if data.goal_kind == "yoy_change" and data.goal_value is not None:
        goal_name = f"Goal ({data.goal_text or format_yoy(data.goal_value / 100)})"
        values.append(data.goal_value)
        series.append(
            Series(
                name=goal_name,
                kind=SeriesKind.LINE,
                x=shown,
                y=(float(data.goal_value),) * len(shown),
                colour=GOAL_COLOUR,
                stroke=GOAL_STROKE,
                markers=Markers("dash", 28, hollow=True),
                hover=tuple(f"{goal_name}, {q}" for q in shown),
            )
        )
    return ChartSpec(
        title=f"{data.chart_title}: change year over year",
        series=tuple(series),
        x_axis=XAxis("Fiscal quarter", XAxisKind.CATEGORY, categories=shown),
        y_axis=ValueAxis("Change year over year (%)", ValueFormat.PERCENT, _bar_range(values)),
        bar_gap=0.25,
        caption=CAPTION_YOY,
    )


def _yoy_bars(row: MetricRow) -> list[Series]:
    """A bar series per row (the metric's total, then its segments) with a YoY change."""
    rows = [(row.name if not row.segments else "All", row.cells)] + [
        (segment.name, segment.cells) for segment in row.segments
    ]
    bars = []
    for index, (name, cells) in enumerate(rows):
        with_yoy = [c for c in cells if c.yoy_delta is not None]
        if not with_yoy:
            continue
        bars.append(
            Series(
                name=name,
                kind=SeriesKind.BAR,
                x=tuple(f"Q{c.quarter}" for c in with_yoy),
                y=tuple(float(c.yoy_delta * 100) for c in with_yoy),
                colour=PALETTE[index % len(PALETTE)],
                labels=tuple(format_yoy(c.yoy_delta) for c in with_yoy),
                hover=tuple(f"{name}, Q{c.quarter}: {c.display}" for c in with_yoy),
            )
        )
    return bars


# A survey bar per segment: (the segment's series, its baseline, its latest measurement).
SurveyMember = tuple[ChartSeries, Decimal | None, SeriesPoint]


def survey_spec(data: MetricChartData) -> ChartSpec | None:
    """An annual survey metric: baseline against the latest measurement, per segment. Bars
    sit side by side, never stacked; segments in groups (Organizers, Admins) get a pair of
    bars per group, so that "Women" shows the Organizers' and the Admins' figures apart."""
    groups = _survey_groups(data)
    if not groups:
        return None
    grouped = len(groups) > 1
    series = [
        _survey_bars(data, group, members, baseline=baseline, colour=colour)
        for group_index, (group, members) in enumerate(groups.items())
        for baseline, colour in (
            (True, _baseline_colour(group_index, grouped)),
            (False, PALETTE[group_index % len(PALETTE)]),
        )
    ]
    values = [y for bars in series for y in bars.y if y is not None]
    categories = tuple(dict.fromkeys(s.name for members in groups.values() for s, _, _ in members))
    segments = len(categories) > 1 or data.series[0].segment_id
    return ChartSpec(
        title=f"{data.chart_title}: baseline and measurement",
        series=tuple(series),
        x_axis=XAxis("Segment" if segments else "", XAxisKind.CATEGORY, categories=categories),
        y_axis=ValueAxis(
            f"Baseline and measurement ({_unit_words(data.unit)})",
            ValueFormat.PERCENT if data.unit == "percent" else ValueFormat.PLAIN,
            _bar_range(values),
        ),
        bar_gap=0.3 if grouped else 0.4,
        bar_group_gap=0.05,
        caption=CAPTION_SURVEY,
    )


def _baseline_colour(group_index: int, grouped: bool) -> str:
    """One grey for the baselines of ungrouped segments; in groups, each group's light shade."""
    return LIGHT_PALETTE[group_index % len(LIGHT_PALETTE)] if grouped else BASELINE_COLOUR


def _survey_groups(data: MetricChartData) -> dict[str, list[SurveyMember]]:
    """The segments with measurements by group ("" for none), each with its baseline (the
    first measurement where it has no baseline of its own) and its latest measurement."""
    groups: dict[str, list[SurveyMember]] = {}
    for series in data.series:
        measurements = [p for p in series.points if not p.is_derived] or list(series.points)
        if not measurements:
            continue
        latest = measurements[-1]
        baseline = series.baseline_value
        if baseline is None and len(series.points) > 1 and series.points[0] is not latest:
            baseline = series.points[0].value
        groups.setdefault(series.group, []).append((series, baseline, latest))
    return groups


def _survey_bars(
    data: MetricChartData,
    group: str,
    members: list[SurveyMember],
    *,
    baseline: bool,
    colour: str,
) -> Series:
    """One group's baselines (or latest measurements), a bar per segment."""
    kind = "Baseline" if baseline else "Measured"
    y, labels, hover = [], [], []
    for series, first, latest in members:
        value = first if baseline else latest.value
        when = "baseline" if baseline else f"{latest.period_start:%b %Y}"
        who = f"{group} {series.name}" if group else series.name
        if value is None:
            y.append(None)
            labels.append("")
            hover.append(f"{who}: no {when}")
            continue
        shown = format_value(value, unit=data.unit, decimals=series.decimals)
        y.append(float(value))
        labels.append(_exact_label(value, data.unit, series.decimals))
        hover.append(f"{who}, {when}: {shown} ({_exact(value, data.unit)})")
    return Series(
        name=f"{group}, {kind.lower()}" if group else kind,
        kind=SeriesKind.BAR,
        x=tuple(series.name for series, _, _ in members),
        y=tuple(y),
        colour=colour,
        labels=tuple(labels),
        hover=tuple(hover),
    )


def _figure(spec: ChartSpec | None) -> dict | None:
    return plotly_figure(spec) if spec is not None else None


def time_series_figure(data: MetricChartData) -> dict | None:
    return _figure(time_series_spec(data))


def yoy_figure(row: MetricRow, data: MetricChartData) -> dict | None:
    return _figure(yoy_spec(row, data))


def survey_figure(data: MetricChartData) -> dict | None:
    return _figure(survey_spec(data))


def metric_charts(row: MetricRow, data: MetricChartData, *, hover: bool = True) -> list[Chart]:
    """Every chart a metric page shows, in order (`hover=False`: the time series without
    its hover texts, for the PowerPoint)."""
    if data.is_survey:
        built = [("survey", survey_spec(data))]
    else:
        built = [
            ("series", time_series_spec(data, hover=hover)),
            ("yoy", yoy_spec(row, data)),
        ]
    return [
        Chart(dom_id=f"chart-{data.slug}-{kind}", spec=spec)
        for kind, spec in built
        if spec is not None
    ]
