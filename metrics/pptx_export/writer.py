"""The deck's package written as it is built: each slide, chart, workbook and notes page goes
into the zip when it is made, and python-pptx only keeps what its template brings (masters,
layouts, theme, the presentation part with its slide list and relationships).

A slide python-pptx has to know about (the presentation's slide list and relationships,
the notes pages' relationship to their slide) is a bodiless stand-in part: python-pptx
numbers, relates and lists it as it would the slide, and `close()` writes every part but
the stand-ins, then the content types of all of them. The names, relationship ids and slide
ids are python-pptx's own (the deck's tests compare the two builds part for part).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field

from pptx.opc.constants import CONTENT_TYPE as CT
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.package import Part
from pptx.opc.packuri import PACKAGE_URI, PackURI
from pptx.opc.spec import default_content_types
from pptx.oxml.slide import CT_NotesSlide
from pptx.parts.slide import NotesSlidePart

from metrics.pptx_export.package import MIN_SLIDE_ID
from metrics.pptx_export.xmltext import attr
from metrics.pptx_export.zipparts import Member, ZipWriter

# Deflate's level for the deck's parts: 3 takes about half the time of zlib's default 6 over
# a scale-100 deck's 75 MB of XML, for a file 4% larger (24.7 MB rather than 23.8).
LEVEL = 3
RELS_HEAD = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
)


@dataclass(frozen=True)
class _Named:
    """A part written straight into the zip, as the content types see it."""

    partname: PackURI
    content_type: str


@dataclass
class SlideEntry:
    part: Part  # the stand-in
    rels: list[tuple[str, str]] = field(default_factory=list)  # (type, target), rId1 first


class PackageStream:
    def __init__(self, prs):
        self.prs = prs
        self.package = prs.part.package
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.zip = ZipWriter(self.file)
        self.date_time = time.localtime()[:6]  # as zipfile stamps a member written by name
        self.written: list[_Named] = []
        self.stand_ins: set[Part] = set()
        self.entries: list[SlideEntry] = []
        self.charts = 0
        self.notes = 0
        self.slides = len(prs.slides._sldIdLst)  # lxml counts an element's children one by one
        used = [int(s) for s in prs.slides._sldIdLst.xpath("./p:sldId/@id")]
        self.last_id = max([MIN_SLIDE_ID - 1, *used])

    def _write(self, partname: str, blob: bytes, content_type: str | None = None):
        # A workbook is a zip already: stored, not deflated again.
        stored = partname.endswith(".xlsx")
        self.zip.add(Member(partname[1:], blob, self.date_time, level=0 if stored else LEVEL))
        if content_type is not None:
            self.written.append(_Named(PackURI(partname), content_type))

    def add_slide(self, layout_part) -> SlideEntry:
        """A new slide of this layout: numbered, listed and related as python-pptx would."""
        self.slides += 1
        partname = PackURI(f"/ppt/slides/slide{self.slides}.xml")
        stand_in = Part(partname, CT.PML_SLIDE, self.package)
        self.stand_ins.add(stand_in)
        rId = self.prs.part.relate_to(stand_in, RT.SLIDE)
        self.last_id += 1
        self.prs.slides._sldIdLst._add_sldId(id=self.last_id, rId=rId)
        entry = SlideEntry(stand_in)
        entry.rels.append((RT.SLIDE_LAYOUT, layout_part.partname.relative_ref("/ppt/slides")))
        self.entries.append(entry)
        return entry

    def write_slide(self, entry: SlideEntry, xml: str):
        self._write(entry.part.partname, xml.encode("utf-8"))

    def add_chart(self, entry: SlideEntry, chart_xml: bytes, xlsx: bytes) -> str:
        """The chart and its workbook written; the slide's relationship id for it."""
        self.charts += 1
        number = self.charts
        chart = f"/ppt/charts/chart{number}.xml"
        workbook = f"/ppt/embeddings/Microsoft_Excel_Sheet{number}.xlsx"
        self._write(chart, chart_xml, CT.DML_CHART)
        self._write(
            f"/ppt/charts/_rels/chart{number}.xml.rels",
            _rels_xml([(RT.PACKAGE, f"../embeddings/Microsoft_Excel_Sheet{number}.xlsx")]),
        )
        self._write(workbook, xlsx, CT.SML_SHEET)
        entry.rels.append((RT.CHART, f"../charts/chart{number}.xml"))
        return f"rId{len(entry.rels)}"

    def add_notes(self, entry: SlideEntry, text: str):
        """The slide's notes page, through python-pptx (a few per deck), written at once."""
        master = self.prs.part.notes_master_part
        self.notes += 1
        partname = PackURI(f"/ppt/notesSlides/notesSlide{self.notes}.xml")
        part = NotesSlidePart(partname, CT.PML_NOTES_SLIDE, self.package, CT_NotesSlide.new())
        part.relate_to(master, RT.NOTES_MASTER)
        part.relate_to(entry.part, RT.SLIDE)
        part.notes_slide.clone_master_placeholders(master.notes_master)
        part.notes_slide.notes_text_frame.text = text
        self._write(partname, part.blob, CT.PML_NOTES_SLIDE)
        self._write(partname.rels_uri, part.rels.xml)
        entry.rels.append((RT.NOTES_SLIDE, f"../notesSlides/notesSlide{self.notes}.xml"))

    def close(self) -> bytes:
        """Everything else written (the slides' relationships, python-pptx's parts, the
        content types): the file's bytes."""
        for entry in self.entries:
            self._write(entry.part.partname.rels_uri, _rels_xml(entry.rels))
        parts = list(self.package.iter_parts())
        for part in parts:
            if part in self.stand_ins:
                continue
            self._write(part.partname, part.blob)
            if len(part.rels):
                self._write(part.partname.rels_uri, _part_rels_xml(part.rels))
        self._write("/[Content_Types].xml", _content_types_xml([*parts, *self.written]))
        self._write(PACKAGE_URI.rels_uri, _part_rels_xml(self.package._rels))
        self.zip.close()
        self.file.seek(0)
        content = self.file.read()
        self.file.close()
        return content


def _content_types_xml(parts) -> bytes:
    """python-pptx's [Content_Types].xml (serialized._ContentTypesItem: a default by
    extension for the kinds of part it lists, an override for each other part, each sorted),
    as text: python-pptx inserts thousands of overrides one element at a time."""
    defaults = {"rels": CT.OPC_RELATIONSHIPS, "xml": CT.XML}
    overrides = {}
    for part in parts:
        partname, content_type = part.partname, part.content_type
        ext = partname.ext
        if (ext.lower(), content_type) in default_content_types:
            defaults[ext.lower()] = content_type  # python-pptx keys them in lower case
        else:
            overrides[partname] = content_type
    items = [
        f'<Default Extension="{attr(ext)}" ContentType="{attr(kind)}"/>'
        for ext, kind in sorted(defaults.items())
    ] + [
        f'<Override PartName="{attr(name)}" ContentType="{attr(kind)}"/>'
        for name, kind in sorted(overrides.items())
    ]
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f"{''.join(items)}</Types>"
    ).encode()


def _part_rels_xml(rels) -> bytes:
    """A python-pptx relationship collection's XML (_Relationships.xml: in rId order), as
    text."""
    order = sorted(
        (int(rId[3:]) if rId.startswith("rId") and rId[3:].isdigit() else 0, rId) for rId in rels
    )
    items = []
    for _, rId in order:
        rel = rels[rId]
        mode = ' TargetMode="External"' if rel.is_external else ""
        items.append(
            f'<Relationship Id="{attr(rId)}" Type="{attr(rel.reltype)}"'
            f' Target="{attr(rel.target_ref)}"{mode}/>'
        )
    return f"{RELS_HEAD}{''.join(items)}</Relationships>".encode()


def _rels_xml(rels: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f'<Relationship Id="rId{number}" Type="{attr(kind)}" Target="{attr(target)}"/>'
        for number, (kind, target) in enumerate(rels, start=1)
    )
    return f"{RELS_HEAD}{items}</Relationships>".encode()
