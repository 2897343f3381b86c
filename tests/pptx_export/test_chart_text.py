"""chartxml writes the chart (and workbook) python-pptx writes through charts.add_native_chart
for specs the seed deck has none of: escaped and control characters in the texts, breaks and
missing values, no axis titles, a line chart over categories, every marker and stroke; texts
python-pptx splits into paragraphs go python-pptx's way."""

import io
import zipfile
from dataclasses import replace
from datetime import date

import pytest
from lxml import etree
from pptx import Presentation

from metrics.chart_spec import (
    ChartSpec,
    Markers,
    Series,
    SeriesKind,
    Stroke,
    ValueAxis,
    ValueFormat,
    XAxis,
    XAxisKind,
)
from metrics.charts import Chart
from metrics.pptx_export.builder import DeckBuilder
from metrics.pptx_export.charts import add_native_chart
from metrics.pptx_export.chartxml import chart_parts
from metrics.pptx_export.fast import TextDeckBuilder
from metrics.selectors.deck import session_deck
from tests.pptx_export.test_fast_build import _assert_same_file
from tests.selectors.builders import build_small_deck


def _python_pptx(spec):
    slide = Presentation().slides.add_slide(Presentation().slide_layouts[6])
    part = add_native_chart(slide, spec, 0.5, 0.5, 6, 4).chart.part
    return part.blob, part.chart_workbook.xlsx_part.blob


def _workbook(blob):
    package = zipfile.ZipFile(io.BytesIO(blob))
    return {n: package.read(n) for n in package.namelist() if n != "docProps/core.xml"}


def _c14n(blob):
    return etree.tostring(etree.fromstring(blob), method="c14n")


BARS = ChartSpec(
    title="Growth & <retention> \x01 “quoted”",
    series=(
        Series("A & B", SeriesKind.BAR, ("Q1", "Q2", "Q3"), (1.5, None, -2.25), "#1f4e8c",
               labels=("+1.5% <YoY>", "", "-2.25 & more")),
        Series("C", SeriesKind.BAR, ("Q2", "Q4"), (3.0, 4.0), "not a colour"),
        Series("Goal", SeriesKind.LINE, ("Q1", "Q4"), (5.0, 5.0), "#b03a2e", stroke=Stroke(2)),
    ),
    x_axis=XAxis("", XAxisKind.CATEGORY),
    y_axis=ValueAxis("Change (%)", ValueFormat.PERCENT),
)  # fmt: skip
MONTHS = (date(2020, 1, 1), None, date(2020, 3, 1), date(2020, 4, 1))
LINES = ChartSpec(
    title="Editors",
    series=(
        Series("All", SeriesKind.LINE, MONTHS, (1.0, None, 3.0, 4.5), "#1f4e8c",
               stroke=Stroke(3), markers=Markers("circle", 7)),
        Series("Quarters", SeriesKind.LINE, (date(2020, 3, 31),), (90000.0,), "#d9822b",
               markers=Markers("diamond", 10)),
        Series("Goal", SeriesKind.LINE, MONTHS, (2.0, None, 2.0, 2.0), "#b03a2e",
               stroke=Stroke(2, dashed=True)),
        Series("Grey", SeriesKind.LINE, (date(2020, 2, 1),), (7.0,), ""),
    ),
    x_axis=XAxis("Month", XAxisKind.DATE),
    y_axis=ValueAxis("", ValueFormat.COUNT),
)  # fmt: skip
ON_CATEGORIES = ChartSpec(
    title="Scores",
    series=(
        Series("x > y", SeriesKind.LINE, ("2019", "2020"), (3.5, 3.75), "#1f4e8c",
               markers=Markers("dash", 9)),
    ),
    x_axis=XAxis("Year", XAxisKind.CATEGORY),
    y_axis=ValueAxis("Index", ValueFormat.PLAIN),
)  # fmt: skip


@pytest.mark.parametrize("spec", [BARS, LINES, ON_CATEGORIES], ids=["bars", "dates", "categories"])
def test_the_chart_and_its_workbook_are_python_pptx_s(spec):
    chart_xml, xlsx = chart_parts(spec)
    reference_xml, reference_xlsx = _python_pptx(spec)

    assert _c14n(chart_xml) == _c14n(reference_xml)
    assert _workbook(xlsx) == _workbook(reference_xlsx)


@pytest.mark.parametrize("name", ["=1+1", "{=1}", "http://example.org", " padded", ""])
def test_a_name_xlsxwriter_writes_otherwise_than_as_text_is_left_to_python_pptx(name):
    """XlsxWriter makes a formula, a link or a blank of these: the workbook is its own."""
    series = replace(LINES.series[0], name=name)
    spec = replace(LINES, series=(series,))

    assert chart_parts(spec) is None


def test_a_title_python_pptx_splits_into_paragraphs_is_left_to_it():
    spec = ChartSpec(
        title="Two\nlines", series=LINES.series, x_axis=LINES.x_axis, y_axis=LINES.y_axis
    )

    assert chart_parts(spec) is None


@pytest.mark.django_db
def test_a_chart_left_to_python_pptx_is_in_the_fast_build_as_in_python_pptx_s():
    deck = session_deck(build_small_deck().id)
    row = deck.metric("monthly-active-editors")
    split = ChartSpec(
        title="Two\nlines", series=BARS.series, x_axis=BARS.x_axis, y_axis=BARS.y_axis
    )
    files = []
    for builder_class in (TextDeckBuilder, DeckBuilder):
        builder = builder_class(deck)
        builder.chart_slide(row, [Chart(dom_id="a", spec=split), Chart(dom_id="b", spec=LINES)])
        files.append(builder.save())

    parts = _assert_same_file(*files)
    assert "ppt/charts/chart2.xml" in parts
