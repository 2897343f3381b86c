"""Styled paragraphs and table cells written straight into the slide's XML.

A scale-100 deck has tens of thousands of table cells. Through python-pptx's objects each
run's size, weight and colour is a chain of proxies, namespace look-ups and "remove the other
fill choices first" steps: about a millisecond a cell, most of the deck's build. These
functions append the same elements, in the same order and with the same attribute values, as
`builder.write_paras_api` and python-pptx's cell setters would (the deck's tests build a deck
both ways and compare the XML); they only take a text frame or a cell python-pptx has just
created, and say False for anything else so that the caller goes the slow way.
"""

from __future__ import annotations

import re

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from metrics.pptx_export import layout as L
from metrics.pptx_export.text import Para

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P, PPR, SPC_BEF, SPC_PTS, BU_CHAR = A + "p", A + "pPr", A + "spcBef", A + "spcPts", A + "buChar"
R, RPR, T, SOLID_FILL, SRGB = A + "r", A + "rPr", A + "t", A + "solidFill", A + "srgbClr"
TC_PR, TX_BODY = A + "tcPr", A + "txBody"
SubElement = etree.SubElement
ALIGN_XML = {member: PP_ALIGN.to_xml(member) for member in PP_ALIGN if member.xml_value}
_INDENT = int(Emu(Inches(L.BULLET_INDENT)))  # a list level's, in EMU

# python-pptx escapes control characters other than tab and line feed in a run's text
# (pptx.oxml.text.CT_RegularTextRun._escape_ctrl_chars).
_CONTROL = re.compile(r"([\x00-\x08\x0B-\x1F])")


def _escape(text: str) -> str:
    return _CONTROL.sub(lambda match: f"_x{ord(match.group(1)):04X}_", text)


def _rgb(hex_colour: str) -> str:
    return str(RGBColor.from_string(hex_colour))


def append_paras(txBody, paras: list[Para], size: float, *, colour: str, align) -> bool:
    """Write `paras` into a text body whose only paragraph is empty (a new text box, a
    cleared placeholder or cell); False, untouched, for any other body."""
    existing = txBody.findall(P)
    if len(existing) != 1 or len(existing[0]) or existing[0].attrib:
        return False
    algn = ALIGN_XML.get(align) if align is not None else None
    if align is not None and algn is None:
        return False
    gap = str(Pt(size * L.PARA_GAP).centipoints)
    sizes = (str(Pt(size).centipoints), str(Pt(size * 1.25).centipoints))
    for index, para in enumerate(paras or [Para()]):
        p = existing[0] if index == 0 else SubElement(txBody, P)
        _append_para_props(p, para, algn=algn, gap=gap if index else None)
        for run in para.runs:
            _append_run(p, run, sizes, colour)
    return True


def _append_para_props(p, para: Para, *, algn: str | None, gap: str | None):
    """A paragraph's alignment, space before (all but the first) and bullet, as
    write_paras_api sets them: no properties element when there are none."""
    if algn is None and gap is None and not para.level:
        return
    pPr = SubElement(p, PPR)
    if algn is not None:
        pPr.set("algn", algn)
    if gap is not None:
        SubElement(SubElement(pPr, SPC_BEF), SPC_PTS).set("val", gap)
    if para.level:
        pPr.set("marL", str(_INDENT * para.level))
        pPr.set("indent", str(-_INDENT))
        SubElement(pPr, BU_CHAR).set("char", "•" if para.level == 1 else "–")


def _append_run(p, run, sizes: tuple[str, str], colour: str):
    """A run with its size (a superscript's larger, see write_paras_api), weight, slant and
    colour."""
    size, superscript_size = sizes
    r = SubElement(p, R)
    rPr = SubElement(r, RPR)
    rPr.set("sz", superscript_size if run.superscript else size)
    if run.bold:
        rPr.set("b", "1")
    if run.italic:
        rPr.set("i", "1")
    if run.colour or colour:
        SubElement(SubElement(rPr, SOLID_FILL), SRGB).set("val", _rgb(run.colour or colour))
    if run.superscript:
        rPr.set("baseline", "30000")
    SubElement(r, T).text = _escape(run.text)


_MARGIN_X = str(int(Emu(Inches(L.CELL_MARGIN_X))))
_MARGIN_Y = str(int(Emu(Inches(L.CELL_MARGIN_Y))))
_ANCHOR_TOP = MSO_ANCHOR.to_xml(MSO_ANCHOR.TOP)


def prepare_cell(tc, fill: str) -> bool:
    """A new table cell's margins, top anchor and solid fill, and its text emptied, as
    builder._cell sets them through python-pptx; False, untouched, for a cell that already
    has properties or a text body of another shape."""
    tcPr = tc.find(TC_PR)
    txBody = tc.find(TX_BODY)
    if tcPr is None or len(tcPr) or tcPr.attrib or txBody is None:
        return False
    tcPr.set("marL", _MARGIN_X)
    tcPr.set("marR", _MARGIN_X)
    tcPr.set("marT", _MARGIN_Y)
    tcPr.set("marB", _MARGIN_Y)
    tcPr.set("anchor", _ANCHOR_TOP)
    SubElement(SubElement(tcPr, SOLID_FILL), SRGB).set("val", _rgb(fill))
    for p in txBody.findall(P):
        txBody.remove(p)
    SubElement(txBody, P)
    return True
