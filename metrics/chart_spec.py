"""A chart as data, for any renderer: what it shows, never how a library draws it.

metrics.charts builds one ChartSpec per chart from the chart data; metrics.chart_plotly
renders it as the Plotly figure the pages embed, metrics.pptx_export.charts as a native
PowerPoint chart. Both read the same series, labels, colours, axes and reference lines, so a
chart changes in both places or in neither.

A series is a column of points: `x` (a category's label, or a date on a date axis), `y`
(None: no value there) and, where given, a label printed at each point and a hover text. An x
of None is a break: a line never bridges it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class SeriesKind(StrEnum):
    LINE = "line"  # points over an axis, joined by a stroke and/or marked
    BAR = "bar"  # a bar per point, side by side with the other series' bars


class XAxisKind(StrEnum):
    DATE = "date"  # points at their place in time, ticks as "Oct 2020"
    CATEGORY = "category"  # one slot per label, in the axis's order


class ValueFormat(StrEnum):
    """How the value axis prints its numbers."""

    PERCENT = "percent"  # 7.3%
    COUNT = "count"  # 92K on a page, 92,000 in a workbook
    PLAIN = "plain"  # as the number is


@dataclass(frozen=True)
class Stroke:
    """The line through a series' points (its colour is the series')."""

    width: float
    dashed: bool = False


@dataclass(frozen=True)
class Markers:
    """A mark at each point: `shape` is "circle", "diamond" or "dash" (a short level line);
    `hollow` says for every point whether its mark is open (a tuple, one flag a point) or
    for all of them at once (a bool)."""

    shape: str
    size: int
    hollow: bool | tuple[bool, ...] = False


@dataclass(frozen=True)
class Series:
    name: str
    kind: SeriesKind
    x: tuple[str | date | None, ...]
    y: tuple[float | None, ...]
    colour: str  # "#rrggbb"
    stroke: Stroke | None = None  # lines only; None: the points are not joined
    markers: Markers | None = None  # lines only
    labels: tuple[str, ...] = ()  # printed at each point ("" for none), bars only
    hover: tuple[str, ...] = ()  # what a pointer over each point reads (may hold <b>, <i>)

    def __post_init__(self):
        if len(self.x) != len(self.y):
            raise ValueError(f"{self.name}: {len(self.x)} x values for {len(self.y)} y values")
        for extra in (self.labels, self.hover):
            if extra and len(extra) != len(self.x):
                raise ValueError(f"{self.name}: {len(extra)} texts for {len(self.x)} points")

    def points(self):
        """(x, y) of every point that has a place, breaks left out."""
        return [(x, y) for x, y in zip(self.x, self.y, strict=True) if x is not None]


@dataclass(frozen=True)
class XAxis:
    title: str
    kind: XAxisKind
    categories: tuple[str, ...] = ()  # a category axis's order
    range: tuple[date, date] | None = None  # a date axis's span


@dataclass(frozen=True)
class ValueAxis:
    title: str
    format: ValueFormat = ValueFormat.PLAIN
    range: tuple[float, float] | None = None  # None: the renderer's own


@dataclass(frozen=True)
class ReferenceLine:
    """A level across the whole plot (a target, a baseline to maintain), with its label."""

    value: float
    label: str
    colour: str
    stroke: Stroke


@dataclass(frozen=True)
class ChartSpec:
    title: str
    series: tuple[Series, ...]
    x_axis: XAxis
    y_axis: ValueAxis
    reference_lines: tuple[ReferenceLine, ...] = ()
    # Bars: the gap between categories and between the bars of one category, as a fraction
    # of a category's width (None: the renderer's own).
    bar_gap: float | None = None
    bar_group_gap: float | None = None
    caption: str = ""  # a footnote under the chart

    @property
    def has_bars(self) -> bool:
        return any(s.kind == SeriesKind.BAR for s in self.series)
