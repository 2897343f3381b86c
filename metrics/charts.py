"""Plotly figures for the metric pages, built on the server with plotly.py.

Each builder returns the figure as a plain dict (`{"data": [...], "layout": {...}}`) that the
page embeds as JSON and static/js/charts.js draws with the bundled plotly.min.js; None when
there is nothing to draw.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import plotly.graph_objects as go

from metrics.formatting import format_value, format_yoy
from metrics.selectors.charts import ChartSeries, MetricChartData
from metrics.selectors.deck import MetricRow

PALETTE = ["#1f4e8c", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d"]
GOAL_COLOUR = "#b03a2e"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


@dataclass(frozen=True)
class Chart:
    dom_id: str
    title: str
    figure: dict
    caption: str = ""

    @property
    def data_id(self) -> str:
        return f"{self.dom_id}-data"


def _exact(value: Decimal, unit: str) -> str:
    """The stored value in full, for hover text: 92,300 or 7.62%."""
    text = f"{value.normalize():,f}"
    return f"{text}%" if unit == "percent" else text


def _layout(title: str, *, y_title: str = "", tickformat: str = "", ticksuffix: str = "") -> dict:
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 18}},
        "font": {"family": FONT, "size": 13, "color": "#1d2733"},
        "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
        "height": 380,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "legend": {"orientation": "h", "y": -0.18},
        "hovermode": "closest",
        "yaxis": {
            "title": {"text": y_title},
            "gridcolor": "#e3e7ec",
            "zerolinecolor": "#9aa5b1",
            "tickformat": tickformat,
            "ticksuffix": ticksuffix,
        },
        "xaxis": {"gridcolor": "#f0f2f5"},
    }


def _as_dict(figure: go.Figure) -> dict:
    # plotly's own JSON encoder turns dates and numpy values into what plotly.js reads.
    return json.loads(figure.to_json())


def _y_axis(unit: str) -> tuple[str, str]:
    if unit == "percent":
        return "", "%"
    if unit == "count":
        return "~s", ""
    return "", ""


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _goal_points(data: MetricChartData, total: ChartSeries | None):
    """The goal as a reference line: for a YoY goal, each period's value a year earlier
    raised by the goal; for a target, the target; for "maintain", the baseline."""
    if data.goal_kind == "yoy_change" and data.goal_value is not None and total:
        by_start = {p.period_start: p.value for p in total.points}
        factor = 1 + data.goal_value / 100
        points = [
            (p.period_start, by_start[_year_earlier(p.period_start)] * factor)
            for p in total.points
            if _year_earlier(p.period_start) in by_start
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
        x.append(point.period_start.isoformat())
        y.append(float(point.value))
        texts.append(text)
        symbols.append("circle-open" if point.is_derived else "circle")
        previous = point
    return x, y, texts, symbols


def time_series_figure(data: MetricChartData) -> dict | None:
    """The observations per segment over time, with the goal as a reference."""
    if not data.has_observations:
        return None
    figure = go.Figure()
    for index, series in enumerate(data.series):
        if not series.points:
            continue
        hover = [
            f"{series.name}<br>{p.period_start:%b %Y}"
            + ("" if p.period_end.month == p.period_start.month else f" to {p.period_end:%b %Y}")
            + f": <b>{format_value(p.value, unit=data.unit, unit_suffix=data.unit_suffix, decimals=series.decimals)}</b>"
            + f" ({_exact(p.value, data.unit)})"
            + ("<br><i>derived from the reported YoY change</i>" if p.is_derived else "")
            for p in series.points
        ]
        x, y, texts, symbols = _with_gaps(series.points, hover)
        figure.add_trace(
            go.Scatter(
                x=x,
                y=y,
                name=series.name,
                mode="lines+markers",
                line={"color": PALETTE[index % len(PALETTE)], "width": 3 if index == 0 else 2},
                marker={"size": 7, "symbol": symbols},
                hovertext=texts,
                hoverinfo="text",
            )
        )
    total = next((s for s in data.series if s.segment_id is None), None)
    goal, goal_name = _goal_points(data, total)
    if isinstance(goal, list):
        figure.add_trace(
            go.Scatter(
                x=[d.isoformat() for d, _ in goal],
                y=[float(v) for _, v in goal],
                name=goal_name,
                mode="lines",
                line={"color": GOAL_COLOUR, "dash": "dash", "width": 2},
                hovertext=[
                    f"{goal_name}<br>{d:%b %Y}: {format_value(v, unit=data.unit, unit_suffix=data.unit_suffix)}"
                    f" ({_exact(v.quantize(Decimal('0.01')), data.unit)})"
                    for d, v in goal
                ],
                hoverinfo="text",
            )
        )
    elif goal is not None:
        figure.add_hline(
            y=float(goal),
            line={"color": GOAL_COLOUR, "dash": "dash", "width": 2},
            annotation_text=f"{goal_name}: {format_value(goal, unit=data.unit, unit_suffix=data.unit_suffix)}",
            annotation_position="top left",
        )
    tickformat, suffix = _y_axis(data.unit)
    figure.update_layout(**_layout(data.chart_title, tickformat=tickformat, ticksuffix=suffix))
    return _as_dict(figure)


def yoy_figure(row: MetricRow, data: MetricChartData) -> dict | None:
    """Quarterly YoY changes as bars, one colour per row, with the YoY goal as a line."""
    rows = [(row.name if not row.segments else "All", row.cells)] + [
        (segment.name, segment.cells) for segment in row.segments
    ]
    figure = go.Figure()
    drawn = False
    for index, (name, cells) in enumerate(rows):
        with_yoy = [c for c in cells if c.yoy_delta is not None]
        if not with_yoy:
            continue
        drawn = True
        figure.add_trace(
            go.Bar(
                x=[f"Q{c.quarter}" for c in with_yoy],
                y=[float(c.yoy_delta * 100) for c in with_yoy],
                name=name,
                marker={"color": PALETTE[index % len(PALETTE)]},
                text=[format_yoy(c.yoy_delta) for c in with_yoy],
                textposition="outside",
                hovertext=[f"{name}, Q{c.quarter}: {c.display}" for c in with_yoy],
                hoverinfo="text",
            )
        )
    if not drawn:
        return None
    if data.goal_kind == "yoy_change" and data.goal_value is not None:
        figure.add_hline(
            y=float(data.goal_value),
            line={"color": GOAL_COLOUR, "dash": "dash", "width": 2},
            annotation_text=f"Goal {format_yoy(data.goal_value / 100)}",
            annotation_position="top right",
        )
    layout = _layout(f"{data.chart_title}: change year over year", ticksuffix="%")
    layout["barmode"] = "group"
    layout["xaxis"]["categoryorder"] = "array"
    layout["xaxis"]["categoryarray"] = ["Q1", "Q2", "Q3", "Q4"]
    figure.update_layout(**layout)
    return _as_dict(figure)


def survey_figure(data: MetricChartData) -> dict | None:
    """An annual survey metric: baseline against the latest measurement, per segment."""
    bars = {"Baseline": ([], [], []), "Measured": ([], [], [])}  # y, labels, hover
    names = []
    for series in data.series:
        measurements = [p for p in series.points if not p.is_derived] or list(series.points)
        if not measurements:
            continue
        latest = measurements[-1]
        baseline = series.baseline_value
        if baseline is None and len(series.points) > 1 and series.points[0] is not latest:
            baseline = series.points[0].value
        names.append(series.name)
        fmt = {"unit": data.unit, "decimals": series.decimals}
        for kind, value, when in (
            ("Baseline", baseline, "baseline"),
            ("Measured", latest.value, f"{latest.period_start:%b %Y}"),
        ):
            y, labels, hover = bars[kind]
            y.append(float(value) if value is not None else None)
            labels.append(format_value(value, **fmt) if value is not None else "")
            hover.append(
                f"{series.name}, {when}: {format_value(value, **fmt)} ({_exact(value, data.unit)})"
                if value is not None
                else f"{series.name}: no {when}"
            )
    if not names:
        return None
    figure = go.Figure()
    for kind, colour in (("Baseline", "#9aa5b1"), ("Measured", PALETTE[0])):
        y, labels, hover = bars[kind]
        figure.add_trace(
            go.Bar(
                x=names,
                y=y,
                name=kind,
                marker={"color": colour},
                text=labels,
                textposition="outside",
                hovertext=hover,
                hoverinfo="text",
            )
        )
    _, suffix = _y_axis(data.unit)
    layout = _layout(f"{data.chart_title}: baseline and measurement", ticksuffix=suffix)
    layout["barmode"] = "group"
    figure.update_layout(**layout)
    return _as_dict(figure)


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
