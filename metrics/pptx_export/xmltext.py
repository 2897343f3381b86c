"""A slide's shapes written as XML text: the elements python-pptx builds for a text box, a
placeholder, a table and a chart's frame, with what builder.DeckBuilder then sets on them,
as strings rather than lxml trees behind python-pptx's proxies (about ten times faster, and
nothing held once a slide is written).

Each function writes what DeckBuilder's python-pptx calls leave in the file: the same
elements, attributes and values (the deck's tests compare the two builds part for part,
as canonical XML: attribute order and namespace declarations aside, the same document).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from metrics.pptx_export import layout as L
from metrics.pptx_export.oxml import ALIGN_XML, _escape
from metrics.pptx_export.text import Para

NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
XML_HEAD = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
SLIDE_HEAD = f'{XML_HEAD}<p:sld xmlns:a="{NS_A}" xmlns:p="{NS_P}" xmlns:r="{NS_R}"><p:cSld>'
SP_TREE_HEAD = (
    '<p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
    "<p:grpSpPr/>"
)
SLIDE_TAIL = "</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>"
TABLE_STYLE = "{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}"
_INDENT = int(Emu(Inches(L.BULLET_INDENT)))
# Characters XML 1.0 has no place for once control characters are escaped (lxml refuses them).
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
_MARGIN_X = int(Emu(Inches(L.CELL_MARGIN_X)))
_MARGIN_Y = int(Emu(Inches(L.CELL_MARGIN_Y)))


@lru_cache(maxsize=16384)
def text(value: str) -> str:
    """Element text as lxml writes it, after python-pptx's escape of control characters
    (cached: a deck's cells repeat the same few texts thousands of times). What XML cannot
    hold at all fails, as it does in lxml, rather than making a file PowerPoint refuses."""
    if _NOT_XML.search(value):
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes")
    return _escape(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def emu(inches: float) -> int:
    return int(Inches(inches))


@lru_cache(maxsize=256)
def rgb(hex_colour: str) -> str:
    return str(RGBColor.from_string(hex_colour))


def _fill(hex_colour: str) -> str:
    return f'<a:solidFill><a:srgbClr val="{rgb(hex_colour)}"/></a:solidFill>'


def paras_xml(paras: list[Para], size: float, *, colour: str = "", align=None, first_algn=""):
    """The `a:p` elements oxml.append_paras writes; `first_algn` is an alignment set on the
    first paragraph afterwards (the slide title's)."""
    content = tuple((tuple(p.runs), p.level) for p in paras or [Para()])
    return _paras_xml(content, size, colour, align, first_algn)


@lru_cache(maxsize=4096)
def _paras_xml(content: tuple, size: float, colour: str, align, first_algn: str) -> str:
    """paras_xml of the paragraphs' runs and levels, cached: most of a deck's cells repeat
    one another's ("Measured annually Q2", a goal, a dash)."""
    algn = ALIGN_XML[align] if align is not None else None
    gap = str(Pt(size * L.PARA_GAP).centipoints)
    size_text = str(Pt(size).centipoints)
    sup_text = str(Pt(size * 1.25).centipoints)
    out = []
    for index, (runs, level) in enumerate(content):
        props = []
        if algn is not None:
            props.append(f' algn="{algn}"')
        elif index == 0 and first_algn:
            props.append(f' algn="{first_algn}"')
        children = ""
        if index:
            children += f'<a:spcBef><a:spcPts val="{gap}"/></a:spcBef>'
        if level:
            props.append(f' marL="{_INDENT * level}" indent="{-_INDENT}"')
            children += f'<a:buChar char="{"•" if level == 1 else "–"}"/>'
        out.append("<a:p>")
        if props or children:
            out.append(f"<a:pPr{''.join(props)}>{children}</a:pPr>")
        for run in runs:
            out.append(_run_xml(run, size_text, sup_text, colour))
        out.append("</a:p>")
    return "".join(out)


def _run_xml(run, size_text: str, sup_text: str, colour: str) -> str:
    attrs = f' sz="{sup_text if run.superscript else size_text}"'
    if run.bold:
        attrs += ' b="1"'
    if run.italic:
        attrs += ' i="1"'
    if run.superscript:
        attrs += ' baseline="30000"'
    fill = run.colour or colour
    props = f"<a:rPr{attrs}>{_fill(fill)}</a:rPr>" if fill else f"<a:rPr{attrs}/>"
    return f"<a:r>{props}<a:t>{text(run.text)}</a:t></a:r>"


def _xfrm(box: tuple[float, float, float, float]) -> str:
    left, top, width, height = box
    return (
        f'<a:xfrm><a:off x="{emu(left)}" y="{emu(top)}"/>'
        f'<a:ext cx="{emu(width)}" cy="{emu(height)}"/></a:xfrm>'
    )


def textbox_xml(shape_id: int, box, paras_text: str, margins=(None, None)) -> str:
    """python-pptx's add_textbox, word wrap on, the margins set where given."""
    insets = ""
    if margins[0] is not None:
        insets += f' lIns="{int(margins[0])}"'
    if margins[1] is not None:
        insets += f' rIns="{int(margins[1])}"'
    return (
        f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="TextBox {shape_id - 1}"/>'
        '<p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr>'
        f'<p:spPr>{_xfrm(box)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/>'
        f'</p:spPr><p:txBody><a:bodyPr wrap="square"{insets}><a:spAutoFit/></a:bodyPr>'
        f"<a:lstStyle/>{paras_text}</p:txBody></p:sp>"
    )


def placeholder_xml(
    shape_id: int, name: str, ph: str, box, paras_text: str, body_attrs: str = ""
) -> str:
    """A placeholder cloned from the layout (`ph`: its p:ph attributes), placed at `box`,
    its text replaced."""
    return (
        f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="{name}"/>'
        f'<p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr><p:ph {ph}/></p:nvPr>'
        f"</p:nvSpPr><p:spPr>{_xfrm(box)}</p:spPr>"
        f'<p:txBody><a:bodyPr wrap="square"{body_attrs}/><a:lstStyle/>{paras_text}'
        "</p:txBody></p:sp>"
    )


def _frame_head(shape_id: int, name: str, x: int, y: int, cx: int, cy: int, uri: str) -> str:
    return (
        f'<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="{shape_id}" name="{name}"/>'
        '<p:cNvGraphicFramePr><a:graphicFrameLocks noGrp="1"/></p:cNvGraphicFramePr><p:nvPr/>'
        f'</p:nvGraphicFramePr><p:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/>'
        f'</p:xfrm><a:graphic><a:graphicData uri="{uri}">'
    )


def chart_frame_xml(shape_id: int, box, rid: str) -> str:
    left, top, width, height = box
    head = _frame_head(
        shape_id,
        f"Chart {shape_id - 1}",
        emu(left),
        emu(top),
        emu(width),
        emu(height),
        "http://schemas.openxmlformats.org/drawingml/2006/chart",
    )
    return f'{head}<c:chart xmlns:c="{NS_C}" r:id="{rid}"/></a:graphicData></a:graphic></p:graphicFrame>'


def cell_xml(paras_text: str, fill: str, span: str = "") -> str:
    """A cell as builder._cell leaves it: margins, top anchor, solid fill, the text."""
    return (
        f'<a:tc{span}><a:txBody><a:bodyPr wrap="square"/><a:lstStyle/>{paras_text}</a:txBody>'
        f'<a:tcPr marL="{_MARGIN_X}" marR="{_MARGIN_X}" marT="{_MARGIN_Y}" marB="{_MARGIN_Y}"'
        f' anchor="t">{_fill(fill)}</a:tcPr></a:tc>'
    )


def empty_cell_xml(span: str = "") -> str:
    """A cell nothing was written to (one a merge covers)."""
    return f"<a:tc{span}><a:txBody><a:bodyPr/><a:lstStyle/><a:p/></a:txBody><a:tcPr/></a:tc>"


def table_xml(shape_id: int, left: float, top: float, widths, heights, rows_xml: list[str]):
    """A table's frame around its rows (`rows_xml`, `a:tr` each): the columns and rows at
    the widths and heights set, the frame as large as they add up to, first row styled,
    no banding."""
    col_emus = [emu(w) for w in widths]
    row_emus = [emu(h) for h in heights]
    head = _frame_head(
        shape_id,
        f"Table {shape_id - 1}",
        emu(left),
        emu(top),
        sum(col_emus),
        sum(row_emus),
        "http://schemas.openxmlformats.org/drawingml/2006/table",
    )
    grid = "".join(f'<a:gridCol w="{w}"/>' for w in col_emus)
    return (
        f'{head}<a:tbl><a:tblPr firstRow="1"><a:tableStyleId>{TABLE_STYLE}</a:tableStyleId>'
        f"</a:tblPr><a:tblGrid>{grid}</a:tblGrid>{''.join(rows_xml)}</a:tbl></a:graphicData>"
        "</a:graphic></p:graphicFrame>"
    )


def row_xml(height: float, cells: list[str]) -> str:
    return f'<a:tr h="{emu(height)}">{"".join(cells)}</a:tr>'


def slide_xml(shapes: list[str], background: str = "") -> str:
    bg = f"<p:bg><p:bgPr>{_fill(background)}<a:effectLst/></p:bgPr></p:bg>" if background else ""
    return f"{SLIDE_HEAD}{bg}{SP_TREE_HEAD}{''.join(shapes)}{SLIDE_TAIL}"
