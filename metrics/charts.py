"""Plotly figures for the metric pages, built on the server as plain dicts.

Each builder returns the figure as a plain dict (`{"data": [...], "layout": {...}}`) that the
page embeds as JSON and static/js/charts.js draws with the bundled plotly.min.js; None when
there is nothing to draw.

The dicts are written directly, in the form plotly.py's `Figure(...).to_json()` gives them
(each trace's `type`, the layout's default `template`), not built through
plotly.graph_objects: its validation of every property cost about 50 ms a figure, which made a
whole deck of 433 figures take minutes to build cold at 100x the deck. tests/charts checks
that plotly.py reads every figure back unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import cache

from metrics.fiscal import day_year_earlier, quarter_of
from metrics.formatting import DEFAULT_DECIMALS, format_value, format_yoy, plain_decimal
from metrics.selectors.charts import ChartSeries, MetricChartData, SeriesPoint
from metrics.selectors.deck import MetricRow

PALETTE = ["#1f4e8c", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d"]
# The baseline bars of each group, a light shade of the group's colour.
LIGHT_PALETTE = ["#9db7d9", "#f0c39a", "#a9d5bb", "#cfb3dc", "#e8aaa3", "#a3d9cf", "#c4c9cd"]
BASELINE_COLOUR = "#9aa5b1"
GOAL_COLOUR = "#b03a2e"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
BAR_LABEL_SIZE = 11

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


def chart_config(filename: str) -> dict:
    """CHART_CONFIG with the PNG download named after the chart."""
    config = dict(CHART_CONFIG)
    config["toImageButtonOptions"] = {**CHART_CONFIG["toImageButtonOptions"], "filename": filename}
    return config


@dataclass(frozen=True)
class Chart:
    dom_id: str
    title: str
    figure: dict
    caption: str = ""

    @property
    def data_id(self) -> str:
        return f"{self.dom_id}-data"

    @property
    def embedded(self) -> dict:
        """What the page embeds for static/js/charts.js: the figure and its plotly config."""
        return {**self.figure, "config": chart_config(self.dom_id.removeprefix("chart-"))}


def _exact(value: Decimal, unit: str) -> str:
    """The stored value in full, for hover text: 92,300 or 7.62%."""
    text = plain_decimal(value, grouped=True)
    return f"{text}%" if unit == "percent" else text


def _layout(
    title: str,
    *,
    y_title: str = "",
    x_title: str = "",
    tickformat: str = "",
    ticksuffix: str = "",
) -> dict:
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 18}},
        "font": {"family": FONT, "size": 13, "color": "#1d2733"},
        "margin": {"l": 70, "r": 20, "t": 60, "b": 40},
        "height": 420,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        # Below the axis title, never over the tick labels.
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.22, "yanchor": "top"},
        "hovermode": "closest",
        "yaxis": {
            "title": {"text": y_title},
            "gridcolor": "#e3e7ec",
            "zerolinecolor": "#9aa5b1",
            "tickformat": tickformat,
            "ticksuffix": ticksuffix,
            "automargin": True,
        },
        "xaxis": {"title": {"text": x_title}, "gridcolor": "#f0f2f5", "automargin": True},
    }


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


def _bar_range(values) -> list[float]:
    """The value axis of a bar chart, from zero, with room above (and below) the bars for
    their labels, which sit outside the bars."""
    values = [float(v) for v in values if v is not None]
    top = max([0.0, *values])
    bottom = min([0.0, *values])
    span = (top - bottom) or 1.0
    return [bottom - (0.14 * span if bottom < 0 else 0), top + 0.14 * span]


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


def _period_date(point: SeriesPoint) -> str:
    """Where a point sits on the date axis: the middle of its period (a month's middle, a
    quarter's middle month), as an ISO date."""
    start, end = point.period_start, point.period_end
    return (start + (end - start) / 2).isoformat()


def _time_axis_title(points: list[SeriesPoint]) -> str:
    if all(_is_month(p) for p in points):
        return "Month"
    if all(_period_label(p).startswith("Q") for p in points):
        return "Fiscal quarter"
    return "Date"


@cache
def _template() -> dict:
    """plotly.py's default template ("plotly"), which it writes into every figure's layout:
    read once per process and shared by every figure (parsing a copy for each cost 2 ms a
    figure, a tenth of a whole-deck part's time). Figures are data to serialise, never
    changed once built, so sharing it is safe."""
    import plotly.io as pio

    return pio.templates[pio.templates.default].to_plotly_json()


def _trace(kind: str, **props) -> dict:
    """A trace as plotly.py writes it: its properties (None ones left out), then its type."""
    return {**{k: v for k, v in sorted(props.items()) if v is not None}, "type": kind}


def _figure(traces: list[dict], layout: dict, *, shapes=(), annotations=()) -> dict:
    full = {}
    if shapes:
        full["shapes"] = list(shapes)
    if annotations:
        full["annotations"] = list(annotations)
    full.update(layout)
    full["template"] = _template()
    return {"data": traces, "layout": full}


def _hline(y: float, *, line: dict, text: str) -> tuple[dict, dict]:
    """The shape and the label plotly.py's `add_hline(..., annotation_position="top left")`
    adds: a line across the whole plot at y, labelled above its left end."""
    shape = {
        "line": line,
        "type": "line",
        "x0": 0,
        "x1": 1,
        "xref": "x domain",
        "y0": y,
        "y1": y,
        "yref": "y",
    }
    annotation = {
        "showarrow": False,
        "text": text,
        "x": 0,
        "xanchor": "left",
        "xref": "x domain",
        "y": y,
        "yanchor": "bottom",
        "yref": "y",
    }
    return shape, annotation


def _y_axis(unit: str) -> tuple[str, str]:
    if unit == "percent":
        return "", "%"
    if unit == "count":
        return "~s", ""
    return "", ""


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
    """x, y, hover texts and marker symbols, with a break wherever periods are missing, so
    that a line never bridges months without data."""
    x, y, texts, symbols = [], [], [], []
    previous = None
    for point, text in zip(points, hover, strict=True):
        if previous is not None and point.period_start > previous.period_end + timedelta(days=1):
            x.append(None)
            y.append(None)
            texts.append("")
            symbols.append("circle")
        x.append(_period_date(point))
        y.append(float(point.value))
        texts.append(text)
        symbols.append("circle-open" if point.is_derived else "circle")
        previous = point
    return x, y, texts, symbols


def time_series_figure(data: MetricChartData) -> dict | None:
    """The observations per segment over time, with the goal as a reference."""
    if not data.has_observations:
        return None
    traces: list[dict] = []
    shapes, annotations = [], []
    for index, series in enumerate(data.series):
        colour = PALETTE[index % len(PALETTE)]
        # Months and whole quarters never share a line: a quarter's figure is its own series
        # (its own markers, no line through the months), both on one date axis.
        months = [p for p in series.points if _is_month(p)]
        longer = [p for p in series.points if not _is_month(p)]
        if months:
            traces.append(_series_trace(data, series, months, name=series.name, colour=colour))
        if longer:
            name = f"{series.name}, {_longer_words(longer)}" if months else series.name
            traces.append(
                _series_trace(data, series, longer, name=name, colour=colour, whole_periods=True)
            )
    total = next((s for s in data.series if s.segment_id is None), None)
    goal, goal_name = _goal_points(data, total)
    if isinstance(goal, list):
        traces.append(
            _trace(
                "scatter",
                x=[_period_date(p) for p, _ in goal],
                y=[float(v) for _, v in goal],
                name=goal_name,
                mode="lines",
                line={"color": GOAL_COLOUR, "dash": "dash", "width": 2},
                hovertext=[
                    f"{goal_name}<br>{_period_label(p)}: {format_value(v, unit=data.unit, unit_suffix=data.unit_suffix)}"
                    f" ({_exact(v.quantize(Decimal('0.01')), data.unit)})"
                    for p, v in goal
                ],
                hoverinfo="text",
            )
        )
    elif goal is not None:
        shape, annotation = _hline(
            float(goal),
            line={"color": GOAL_COLOUR, "dash": "dash", "width": 2},
            text=f"{goal_name}: {format_value(goal, unit=data.unit, unit_suffix=data.unit_suffix)}",
        )
        shapes.append(shape)
        annotations.append(annotation)
    tickformat, suffix = _y_axis(data.unit)
    points = [p for series in data.series for p in series.points]
    layout = _layout(
        data.chart_title,
        y_title=_value_title(data.chart_title, _unit_words(data.unit, data.unit_suffix)),
        x_title=_time_axis_title(points),
        tickformat=tickformat,
        ticksuffix=suffix,
    )
    # A date axis: months and quarters at their place in time, spanning the periods shown.
    first = min(p.period_start for p in points)
    last = max(p.period_end for p in points)
    layout["xaxis"].update(
        type="date",
        tickformat="%b %Y",
        hoverformat="%b %Y",
        range=[(first - timedelta(days=15)).isoformat(), (last + timedelta(days=15)).isoformat()],
    )
    return _figure(traces, layout, shapes=shapes, annotations=annotations)


def _longer_words(points: list[SeriesPoint]) -> str:
    return "quarters" if all(_period_label(p).startswith("Q") for p in points) else "periods"


def _series_trace(
    data: MetricChartData,
    series: ChartSeries,
    points: list[SeriesPoint],
    *,
    name: str,
    colour: str,
    whole_periods: bool = False,
) -> dict:
    hover = [
        f"{series.name}<br>{_period_label(p)}"
        + f": <b>{format_value(p.value, unit=data.unit, unit_suffix=data.unit_suffix, decimals=series.decimals)}</b>"
        + f" ({_exact(p.value, data.unit)})"
        + ("<br><i>derived from the reported YoY change</i>" if p.is_derived else "")
        for p in points
    ]
    x, y, texts, symbols = _with_gaps(points, hover)
    primary = series.segment_id is None
    return _trace(
        "scatter",
        x=x,
        y=y,
        name=name,
        mode="markers" if whole_periods else "lines+markers",
        line=None if whole_periods else {"color": colour, "width": 3 if primary else 2},
        marker={
            "size": 10 if whole_periods else 7,
            "symbol": ["diamond" if s == "circle" else "diamond-open" for s in symbols]
            if whole_periods
            else symbols,
            "color": colour,
        },
        hovertext=texts,
        hoverinfo="text",
    )


def yoy_figure(row: MetricRow, data: MetricChartData) -> dict | None:
    """Quarterly YoY changes as bars side by side, one colour per row, each labelled as the
    deck prints it, with the YoY goal as a dashed line listed in the legend."""
    rows = [(row.name if not row.segments else "All", row.cells)] + [
        (segment.name, segment.cells) for segment in row.segments
    ]
    traces: list[dict] = []
    values = []
    quarters = [f"Q{cell.quarter}" for cell in row.cells]
    for index, (name, cells) in enumerate(rows):
        with_yoy = [c for c in cells if c.yoy_delta is not None]
        if not with_yoy:
            continue
        values += [c.yoy_delta * 100 for c in with_yoy]
        traces.append(
            _trace(
                "bar",
                x=[f"Q{c.quarter}" for c in with_yoy],
                y=[float(c.yoy_delta * 100) for c in with_yoy],
                name=name,
                marker={"color": PALETTE[index % len(PALETTE)]},
                text=[format_yoy(c.yoy_delta) for c in with_yoy],
                textposition="outside",
                textangle=0,
                textfont={"size": BAR_LABEL_SIZE},
                cliponaxis=False,
                hovertext=[f"{name}, Q{c.quarter}: {c.display}" for c in with_yoy],
                hoverinfo="text",
            )
        )
    if not values:
        return None
    shown = [q for q in quarters if any(q in trace["x"] for trace in traces)]
    if data.goal_kind == "yoy_change" and data.goal_value is not None:
        goal_name = f"Goal ({data.goal_text or format_yoy(data.goal_value / 100)})"
        values.append(data.goal_value)
        traces.append(
            _trace(
                "scatter",
                x=shown,
                y=[float(data.goal_value)] * len(shown),
                name=goal_name,
                mode="lines+markers",
                marker={"symbol": "line-ew-open", "size": 28, "color": GOAL_COLOUR},
                line={"color": GOAL_COLOUR, "dash": "dash", "width": 2},
                hovertext=[f"{goal_name}, {q}" for q in shown],
                hoverinfo="text",
            )
        )
    layout = _layout(
        f"{data.chart_title}: change year over year",
        y_title="Change year over year (%)",
        x_title="Fiscal quarter",
        ticksuffix="%",
    )
    layout["barmode"] = "group"
    layout["bargap"] = 0.25
    layout["xaxis"].update(type="category", categoryorder="array", categoryarray=shown)
    layout["yaxis"]["range"] = _bar_range(values)
    return _figure(traces, layout)


def survey_figure(data: MetricChartData) -> dict | None:
    """An annual survey metric: baseline against the latest measurement, per segment. Bars
    sit side by side, never stacked; segments in groups (Organizers, Admins) get a pair of
    bars per group, so that "Women" shows the Organizers' and the Admins' figures apart."""
    groups: dict[str, list[tuple[ChartSeries, Decimal | None, SeriesPoint]]] = {}
    for series in data.series:
        measurements = [p for p in series.points if not p.is_derived] or list(series.points)
        if not measurements:
            continue
        latest = measurements[-1]
        baseline = series.baseline_value
        if baseline is None and len(series.points) > 1 and series.points[0] is not latest:
            baseline = series.points[0].value
        groups.setdefault(series.group, []).append((series, baseline, latest))
    if not groups:
        return None
    grouped = len(groups) > 1
    traces: list[dict] = []
    values = []
    categories = list(dict.fromkeys(s.name for members in groups.values() for s, _, _ in members))
    for group_index, (group, members) in enumerate(groups.items()):
        kinds = (
            ("Baseline", LIGHT_PALETTE if grouped else None),
            ("Measured", PALETTE),
        )
        for kind, palette in kinds:
            x, y, labels, hover = [], [], [], []
            for series, baseline, latest in members:
                value = baseline if kind == "Baseline" else latest.value
                when = "baseline" if kind == "Baseline" else f"{latest.period_start:%b %Y}"
                who = f"{group} {series.name}" if group else series.name
                x.append(series.name)
                y.append(float(value) if value is not None else None)
                labels.append(
                    _exact_label(value, data.unit, series.decimals) if value is not None else ""
                )
                hover.append(
                    f"{who}, {when}: {format_value(value, unit=data.unit, decimals=series.decimals)}"
                    f" ({_exact(value, data.unit)})"
                    if value is not None
                    else f"{who}: no {when}"
                )
                if value is not None:
                    values.append(value)
            colour = palette[group_index % len(palette)] if palette is not None else BASELINE_COLOUR
            traces.append(
                _trace(
                    "bar",
                    x=x,
                    y=y,
                    name=f"{group}, {kind.lower()}" if group else kind,
                    marker={"color": colour},
                    text=labels,
                    textposition="outside",
                    textangle=0,
                    textfont={"size": BAR_LABEL_SIZE},
                    cliponaxis=False,
                    hovertext=hover,
                    hoverinfo="text",
                )
            )
    _, suffix = _y_axis(data.unit)
    layout = _layout(
        f"{data.chart_title}: baseline and measurement",
        y_title=f"Baseline and measurement ({_unit_words(data.unit)})",
        x_title="Segment" if len(categories) > 1 or data.series[0].segment_id else "",
        ticksuffix=suffix,
    )
    layout["barmode"] = "group"
    layout["bargap"] = 0.3 if grouped else 0.4
    layout["bargroupgap"] = 0.05
    layout["xaxis"].update(type="category", categoryorder="array", categoryarray=categories)
    layout["yaxis"]["range"] = _bar_range(values)
    return _figure(traces, layout)


def metric_charts(row: MetricRow, data: MetricChartData) -> list[Chart]:
    """Every chart a metric page shows, in order."""
    slug = data.slug
    if data.is_survey:
        built = [("survey", survey_figure(data))]
    else:
        built = [("series", time_series_figure(data)), ("yoy", yoy_figure(row, data))]
    derived = any(p.is_derived for s in data.series for p in s.points)
    captions = {
        "series": "Open markers: prior-year values worked back from the reported YoY change."
        if derived
        else "",
        "yoy": "Change against the same quarter a year earlier; the dashed line is the goal.",
        "survey": "Baseline against the latest measurement, per segment.",
    }
    return [
        Chart(
            dom_id=f"chart-{slug}-{kind}",
            title=figure["layout"]["title"]["text"],
            figure=figure,
            caption=captions[kind],
        )
        for kind, figure in built
        if figure is not None
    ]
