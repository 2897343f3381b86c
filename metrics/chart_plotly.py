"""A ChartSpec (metrics.chart_spec) as the Plotly figure a page embeds.

The figure is a plain dict (`{"data": [...], "layout": {...}}`) that static/js/charts.js draws
with the bundled plotly.min.js, written directly in the form plotly.py's `Figure(...).to_json()`
gives it (each trace's `type`, the layout's default `template`), not built through
plotly.graph_objects: its validation of every property cost about 50 ms a figure, which made a
whole deck of 433 figures take minutes to build cold at 100x the deck. tests/charts checks
that plotly.py reads every figure back unchanged.
"""

from __future__ import annotations

from datetime import date

from metrics.chart_spec import (
    ChartSpec,
    Markers,
    ReferenceLine,
    Series,
    SeriesKind,
    Stroke,
    ValueFormat,
    XAxisKind,
)
from metrics.plotly_template import TEMPLATE

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
BAR_LABEL_SIZE = 11
# The value axis's tick format and suffix: 92K for a count, 7.3% for a percentage.
TICKS = {
    ValueFormat.PERCENT: ("", "%"),
    ValueFormat.COUNT: ("~s", ""),
    ValueFormat.PLAIN: ("", ""),
}
# A marker's shape as plotly.js names its symbols ("-open": hollow).
SYMBOLS = {"circle": "circle", "diamond": "diamond", "dash": "line-ew"}


def plotly_figure(spec: ChartSpec) -> dict:
    shapes, annotations = [], []
    for line in spec.reference_lines:
        shape, annotation = _hline(line)
        shapes.append(shape)
        annotations.append(annotation)
    return _figure([_series_trace(s) for s in spec.series], _layout(spec), shapes, annotations)


def _trace(kind: str, **props) -> dict:
    """A trace as plotly.py writes it: its properties (None ones left out), then its type."""
    return {**{k: v for k, v in sorted(props.items()) if v is not None}, "type": kind}


def _x(value):
    return value.isoformat() if isinstance(value, date) else value


def _series_trace(series: Series) -> dict:
    common = {
        "x": [_x(x) for x in series.x],
        "y": list(series.y),
        "name": series.name,
        "hovertext": list(series.hover) if series.hover else None,
        "hoverinfo": "text" if series.hover else None,
    }
    if series.kind == SeriesKind.BAR:
        return _trace(
            "bar",
            **common,
            marker={"color": series.colour},
            text=list(series.labels) if series.labels else None,
            textposition="outside",
            textangle=0,
            textfont={"size": BAR_LABEL_SIZE},
            cliponaxis=False,
        )
    modes = [mode for mode, on in (("lines", series.stroke), ("markers", series.markers)) if on]
    return _trace(
        "scatter",
        **common,
        mode="+".join(modes),
        line=_line(series.stroke, series.colour) if series.stroke else None,
        marker=_marker(series.markers, series.colour) if series.markers else None,
    )


def _line(stroke: Stroke, colour: str) -> dict:
    return {"color": colour, **({"dash": "dash"} if stroke.dashed else {}), "width": stroke.width}


def _symbol(shape: str, hollow: bool) -> str:
    return SYMBOLS[shape] + ("-open" if hollow else "")


def _marker(markers: Markers, colour: str) -> dict:
    if isinstance(markers.hollow, tuple):
        symbols = [_symbol(markers.shape, hollow) for hollow in markers.hollow]
        return {"size": markers.size, "symbol": symbols, "color": colour}
    return {"symbol": _symbol(markers.shape, markers.hollow), "size": markers.size, "color": colour}


def _hline(line: ReferenceLine) -> tuple[dict, dict]:
    """The shape and the label plotly.py's `add_hline(..., annotation_position="top left")`
    adds: a line across the whole plot at the value, labelled above its left end."""
    shape = {
        "line": _line(line.stroke, line.colour),
        "type": "line",
        "x0": 0,
        "x1": 1,
        "xref": "x domain",
        "y0": line.value,
        "y1": line.value,
        "yref": "y",
    }
    annotation = {
        "showarrow": False,
        "text": line.label,
        "x": 0,
        "xanchor": "left",
        "xref": "x domain",
        "y": line.value,
        "yanchor": "bottom",
        "yref": "y",
    }
    return shape, annotation


def _layout(spec: ChartSpec) -> dict:
    tickformat, ticksuffix = TICKS[spec.y_axis.format]
    layout = {
        "title": {"text": spec.title, "x": 0, "xanchor": "left", "font": {"size": 18}},
        "font": {"family": FONT, "size": 13, "color": "#1d2733"},
        "margin": {"l": 70, "r": 20, "t": 60, "b": 40},
        "height": 420,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        # Below the axis title, never over the tick labels.
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.22, "yanchor": "top"},
        "hovermode": "closest",
        "yaxis": {
            "title": {"text": spec.y_axis.title},
            "gridcolor": "#e3e7ec",
            "zerolinecolor": "#9aa5b1",
            "tickformat": tickformat,
            "ticksuffix": ticksuffix,
            "automargin": True,
        },
        "xaxis": {"title": {"text": spec.x_axis.title}, "gridcolor": "#f0f2f5", "automargin": True},
    }
    if spec.has_bars:
        # Side by side, never stacked.
        layout["barmode"] = "group"
    for key, gap in (("bargap", spec.bar_gap), ("bargroupgap", spec.bar_group_gap)):
        if gap is not None:
            layout[key] = gap
    layout["xaxis"].update(_x_axis(spec))
    if spec.y_axis.range is not None:
        layout["yaxis"]["range"] = list(spec.y_axis.range)
    return layout


def _x_axis(spec: ChartSpec) -> dict:
    axis = spec.x_axis
    if axis.kind == XAxisKind.DATE:
        # Months and quarters at their place in time, ticks and hover naming the month.
        span = {"range": [day.isoformat() for day in axis.range]} if axis.range else {}
        return {"type": "date", "tickformat": "%b %Y", "hoverformat": "%b %Y", **span}
    return {"type": "category", "categoryorder": "array", "categoryarray": list(axis.categories)}


def _figure(traces: list[dict], layout: dict, shapes: list, annotations: list) -> dict:
    full = {}
    if shapes:
        full["shapes"] = shapes
    if annotations:
        full["annotations"] = annotations
    full.update(layout)
    full["template"] = TEMPLATE
    return {"data": traces, "layout": full}
