"""The deck's fast build gives the file python-pptx's own way would: the same parts under the
same names, the same document in each.

deck_pptx writes the slides, charts and workbooks as text (metrics.pptx_export.fast, xmltext,
chartxml, workbook, writer); builder.DeckBuilder builds the same deck through python-pptx's
objects, here without any of our shortcuts (package.py's bookkeeping from counters, oxml.py's
cells and paragraphs, charts.py's category positions). XML parts are compared canonicalised
(C14N: attribute order and redundant namespace declarations aside, the same document), the
embedded workbooks by each of their parts but the time XlsxWriter stamps (docProps/core.xml),
byte for byte."""

import io
import re
import zipfile
from dataclasses import replace

import pytest
from lxml import etree
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.opc.constants import RELATIONSHIP_TYPE as RT

from metrics import models
from metrics.charts import metric_charts
from metrics.models.threads import SESSION_KEY, metric_cell_key, objective_key
from metrics.pptx_export import builder, charts, deck_pptx
from metrics.pptx_export.builder import DeckBuilder
from metrics.pptx_export.export import deck_pptx_built, earlier_tables
from metrics.pptx_export.package import fast_bookkeeping
from metrics.selectors.deck import session_deck
from metrics.selectors.snapshots import session_chart_data, session_earlier_deck
from metrics.services.threads import thread_comment_add
from tests.factories import UserFactory
from tests.pptx_export.test_seed_deck_pptx import Q2_TITLE
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db


def _python_pptx_way(session_id: int, monkeypatch) -> bytes:
    monkeypatch.setattr(builder, "fast_bookkeeping", lambda prs: None)
    monkeypatch.setattr(builder, "append_paras", lambda *args, **kwargs: False)
    monkeypatch.setattr(builder, "prepare_cell", lambda *args: False)
    monkeypatch.setattr(
        charts, "_flat_categories", lambda data, labels: setattr(data, "categories", labels)
    )
    return deck_pptx_built(session_id, DeckBuilder).content


def _parts(content: bytes) -> dict[str, bytes]:
    """The file's parts, XML ones canonicalised; an embedded workbook by its own parts, less
    the time xlsxwriter stamps it with (docProps/core.xml), which differs between any two
    builds."""
    package = zipfile.ZipFile(io.BytesIO(content))
    parts = {}
    for name in package.namelist():
        blob = package.read(name)
        if name.endswith(".xlsx"):
            workbook = zipfile.ZipFile(io.BytesIO(blob))
            for inner in workbook.namelist():
                if inner != "docProps/core.xml":
                    parts[f"{name}!{inner}"] = workbook.read(inner)
        elif name.endswith((".xml", ".rels")):
            parts[name] = etree.tostring(etree.fromstring(blob), method="c14n")
        else:
            parts[name] = blob
    return parts


def _assert_same_file(fast: bytes, slow: bytes):
    fast_parts, slow_parts = _parts(fast), _parts(slow)
    assert sorted(fast_parts) == sorted(slow_parts)
    assert [name for name in fast_parts if fast_parts[name] != slow_parts[name]] == []
    return fast_parts


def test_the_seed_deck_is_the_same_file_as_python_pptx_builds_it(seed_deck, monkeypatch):
    session_id = models.TuningSession.objects.get(title=Q2_TITLE).id
    fast = _assert_same_file(
        deck_pptx(session_id).content, _python_pptx_way(session_id, monkeypatch)
    )

    # The comparison covers charts and their workbooks, and tables.
    assert any(name.startswith("ppt/charts/chart") for name in fast)
    assert any(name.endswith(".xlsx!xl/worksheets/sheet1.xml") for name in fast)
    assert any(b"<a:tbl>" in blob for blob in fast.values())


def test_a_deck_with_notes_is_the_same_file_as_python_pptx_builds_it(monkeypatch):
    session = build_small_deck()
    editors = models.Metric.objects.get(slug="monthly-active-editors")
    objective = models.Objective.objects.order_by("pk").first()
    lead = UserFactory(username="lena", roles=["Department lead"])
    for key in (
        SESSION_KEY,
        metric_cell_key(editors.pk, None, session.quarter.fiscal_year, 2),
        objective_key(objective.pk),
    ):
        thread_comment_add(actor=lead, session=session, target_key=key, body="On <track> & *so*")

    fast = _assert_same_file(
        deck_pptx(session.id).content, _python_pptx_way(session.id, monkeypatch)
    )

    assert (
        len([name for name in fast if re.fullmatch(r"ppt/notesSlides/notesSlide\d+\.xml", name)])
        == 3
    )
    assert "ppt/notesMasters/notesMaster1.xml" in fast


def _charts(deck):
    return [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]


def test_the_file_reads_back_with_its_charts_data_in_their_workbooks(seed_deck):
    """Opened as PowerPoint would: the slides, native charts of the reference build's kinds
    and series, each series holding the values its embedded workbook holds (read with
    openpyxl)."""
    session_id = models.TuningSession.objects.get(title=Q2_TITLE).id
    deck = Presentation(io.BytesIO(deck_pptx(session_id).content))
    reference = Presentation(io.BytesIO(deck_pptx_built(session_id, DeckBuilder).content))

    assert len(deck.slides) == len(reference.slides)
    charts_read, reference_charts = _charts(deck), _charts(reference)
    assert [c.chart_type for c in charts_read] == [c.chart_type for c in reference_charts]
    assert {c.chart_type for c in charts_read} >= {XL_CHART_TYPE.COLUMN_CLUSTERED}
    for chart, expected in zip(charts_read, reference_charts, strict=True):
        series = list(chart.plots[0].series)
        assert [(s.name, s.values) for s in series] == [
            (s.name, s.values) for s in expected.plots[0].series
        ]
        sheet = load_workbook(
            io.BytesIO(chart.part.chart_workbook.xlsx_part.blob), read_only=True
        ).active
        table = list(sheet.iter_rows(values_only=True))
        assert len(table) == len(list(chart.plots[0].categories)) + 1
        for column, one in enumerate(series, start=1):
            assert table[0][column] == one.name
            assert tuple(row[column] for row in table[1:]) == one.values
    assert charts_read


def _numbers(names, pattern: str) -> list[int]:
    return sorted(int(m.group(1)) for name in names if (m := re.fullmatch(pattern, name)))


def test_part_names_are_unique_and_numbered_from_one(seed_deck):
    session_id = models.TuningSession.objects.get(title=Q2_TITLE).id
    names = zipfile.ZipFile(io.BytesIO(deck_pptx(session_id).content)).namelist()

    assert len(names) == len(set(names))
    for pattern in (
        r"ppt/slides/slide(\d+)\.xml",
        r"ppt/charts/chart(\d+)\.xml",
        r"ppt/embeddings/Microsoft_Excel_Sheet(\d+)\.xlsx",
    ):
        numbers = _numbers(names, pattern)
        assert numbers == list(range(1, len(numbers) + 1)), pattern
        assert numbers


def test_slide_ids_and_relationships_count_on_from_those_in_use():
    prs = Presentation()
    fast_bookkeeping(prs)
    layout = prs.slide_layouts[5]
    slides = [prs.slides.add_slide(layout) for _ in range(3)]

    ids = [int(sld_id.get("id")) for sld_id in prs.slides._sldIdLst]
    assert ids == [256, 257, 258]
    rIds = [sld_id.rId for sld_id in prs.slides._sldIdLst]
    assert len(set(rIds)) == 3
    assert [prs.part.related_part(rId) for rId in rIds] == [slide.part for slide in slides]
    # Relating a slide the presentation already knows gives its relationship back.
    assert prs.part.relate_to(slides[0].part, RT.SLIDE) == rIds[0]


def test_part_names_fill_from_those_in_use():
    prs = Presentation()
    package = prs.part.package
    python_pptx_first = package.next_partname("/ppt/charts/chart%d.xml")
    fast_bookkeeping(prs)

    first = package.next_partname("/ppt/charts/chart%d.xml")
    second = package.next_partname("/ppt/charts/chart%d.xml")
    theme = package.next_partname("/ppt/theme/theme%d.xml")

    assert (python_pptx_first, first, second) == (
        "/ppt/charts/chart1.xml",
        "/ppt/charts/chart1.xml",
        "/ppt/charts/chart2.xml",
    )
    # The template's own theme is theme1 (or more): the next is counted on from those.
    existing = [p.partname for p in package.iter_parts() if p.partname.startswith("/ppt/theme")]
    assert theme == f"/ppt/theme/theme{len(existing) + 1}.xml"


def _without_hover(spec):
    return replace(spec, series=tuple(replace(s, hover=()) for s in spec.series))


def test_the_deck_s_charts_are_the_page_s_less_their_hover_texts(seed_deck):
    """deck_pptx makes each metric's time series without hover texts
    (metric_charts(hover=False)): the same specs as the page's otherwise."""
    session_id = models.TuningSession.objects.get(title=Q2_TITLE).id
    deck = session_deck(session_id)
    ids = [row.metric_id for row in deck.metric_rows]
    data = session_chart_data(deck, ids, until=deck.quarter_end_date)
    compared = 0
    for row in deck.metric_rows:
        if row.metric_id not in data:
            continue
        page = metric_charts(row, data[row.metric_id])
        pptx = metric_charts(row, data[row.metric_id], hover=False)
        assert [_without_hover(c.spec) for c in pptx] == [_without_hover(c.spec) for c in page]
        if page and not data[row.metric_id].is_survey:  # the first: the time series
            assert any(s.hover for s in page[0].spec.series)
            assert not any(s.hover for s in pptx[0].spec.series)
            compared += 1
    assert compared


def test_the_earlier_session_s_tables_are_those_of_its_whole_deck(seed_deck):
    """The deck reads only the earlier session's metrics tables (export.earlier_tables): the
    same outcomes, rows and footnotes as its whole deck's."""
    deck = session_deck(models.TuningSession.objects.get(title=Q2_TITLE).id)
    whole = session_earlier_deck(deck)
    part = session_earlier_deck(deck, build=earlier_tables)

    assert whole is not None and whole.outcomes
    assert part.outcomes == whole.outcomes
    assert (part.title, part.priority, part.quarters) == (
        whole.title,
        whole.priority,
        whole.quarters,
    )
