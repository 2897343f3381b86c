"""The deck's fast build (metrics.pptx_export.package and .oxml: python-pptx's bookkeeping from
counters, cells and paragraphs written straight into the XML; charts.py's category positions)
gives the file python-pptx's own way would: the same parts under the same names, the same XML
in each."""

import io
import re
import zipfile

import pytest
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT

from metrics import models
from metrics.pptx_export import builder, charts, deck_pptx
from metrics.pptx_export.package import fast_bookkeeping
from tests.pptx_export.test_seed_deck_pptx import Q2_TITLE

pytestmark = pytest.mark.django_db


def _python_pptx_way(monkeypatch):
    monkeypatch.setattr(builder, "fast_bookkeeping", lambda prs: None)
    monkeypatch.setattr(builder, "append_paras", lambda *args, **kwargs: False)
    monkeypatch.setattr(builder, "prepare_cell", lambda *args: False)
    monkeypatch.setattr(
        charts, "_flat_categories", lambda data, labels: setattr(data, "categories", labels)
    )


def _parts(content: bytes) -> dict[str, bytes]:
    """The file's parts; an embedded workbook by its own parts, less the time xlsxwriter
    stamps it with (docProps/core.xml), which differs between any two builds."""
    package = zipfile.ZipFile(io.BytesIO(content))
    parts = {}
    for name in package.namelist():
        blob = package.read(name)
        if name.endswith(".xlsx"):
            workbook = zipfile.ZipFile(io.BytesIO(blob))
            for inner in workbook.namelist():
                if inner != "docProps/core.xml":
                    parts[f"{name}!{inner}"] = workbook.read(inner)
        else:
            parts[name] = blob
    return parts


def _numbers(names, pattern: str) -> list[int]:
    return sorted(int(m.group(1)) for name in names if (m := re.fullmatch(pattern, name)))


def test_the_seed_deck_is_the_same_file_as_python_pptx_builds_it(seed_deck, monkeypatch):
    session_id = models.TuningSession.objects.get(title=Q2_TITLE).id
    fast = _parts(deck_pptx(session_id).content)
    _python_pptx_way(monkeypatch)
    slow = _parts(deck_pptx(session_id).content)

    assert list(fast) == list(slow)
    assert [name for name in fast if fast[name] != slow[name]] == []
    # The comparison covers charts and their workbooks, and tables.
    assert any(name.startswith("ppt/charts/chart") for name in fast)
    assert any(b"<a:tbl>" in blob for blob in fast.values())


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
