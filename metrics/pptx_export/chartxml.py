"""A ChartSpec's native chart as XML text, with its embedded workbook: what
charts.add_native_chart makes python-pptx write (its ChartXmlWriter's template, then the
title, legend, axes and series styled through its proxies, and an XlsxWriter workbook),
written straight from the spec (the deck's tests compare the two part for part).

chart_parts(spec) -> (chart XML bytes, xlsx bytes), or None for a chart this module does not
write (text with line breaks): the caller then lets python-pptx build it.
"""

from __future__ import annotations

import re
from datetime import date
from xml.sax.saxutils import escape

from pptx.enum.chart import XL_MARKER_STYLE

from metrics.chart_spec import ChartSpec, Series, XAxisKind
from metrics.pptx_export.charts import (
    MARKER_STYLES,
    NUMBER_FORMATS,
    _categories,
    _colour,
    _drawn,
)
from metrics.pptx_export.workbook import column_letter, workbook_xlsx
from metrics.pptx_export.xmltext import NS_A, NS_C, NS_R, XML_HEAD
from metrics.pptx_export.xmltext import text as run_text

DATE_FORMAT = "yyyy\\-mm\\-dd"  # python-pptx's for date categories
EXCEL_EPOCH = date(1899, 12, 30)
LINE_AXES = ("2118791784", "2140495176")
BAR_AXES = ("-2068027336", "-2113994440")
_SHOW = (
    '<c:showLegendKey val="0"/><c:showVal val="{val}"/><c:showCatName val="0"/>'
    '<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/>'
)
_MARKER_XML = {style: XL_MARKER_STYLE.to_xml(style) for style in MARKER_STYLES.values()}
_SIZE_10 = (
    '<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="1000"/></a:pPr></a:p></c:txPr>'
)


def _fill(colour) -> str:
    return f'<a:solidFill><a:srgbClr val="{colour}"/></a:solidFill>'


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _title(text: str, size: int, bold: bool) -> str:
    return (
        f"<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:r>"
        f'<a:rPr sz="{size}" b="{int(bold)}"/><a:t>{run_text(text)}</a:t></a:r></a:p></c:rich>'
        '</c:tx><c:layout/><c:overlay val="0"/></c:title>'
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


def _plain(text: str) -> bool:
    return "\n" not in text and "\v" not in text


def _writable(spec: ChartSpec, drawn: list[Series]) -> bool:
    """Whether this module writes the chart as python-pptx would: not for a text python-pptx
    splits into paragraphs (a line break), nor series names with control characters."""
    texts = [spec.title, spec.x_axis.title, spec.y_axis.title]
    texts += [label for s in drawn for label in (s.labels or ())]
    if not drawn or not spec.title or not all(_plain(t or "") for t in texts):
        return False
    return not any(_CONTROL.search(s.name) for s in drawn)


def chart_parts(spec: ChartSpec) -> tuple[bytes, bytes] | None:
    drawn = _drawn(spec)
    if not _writable(spec, drawn):
        return None  # python-pptx's way, whatever it makes of them
    bars = spec.has_bars
    number_format = NUMBER_FORMATS[spec.y_axis.format]
    dated = spec.x_axis.kind == XAxisKind.DATE and not bars
    if dated:
        days = sorted({x for s in drawn for x, _ in s.points()})
        keys = [day.isoformat() for day in days]
        labels = days
    else:
        keys = labels = _categories(drawn)
    if not keys or any(_CONTROL.search(key) for key in keys):
        return None
    columns = []
    for series in drawn:
        by_x = {str(x): y for x, y in series.points()}
        columns.append([by_x.get(key) for key in keys])
    xml = _chart_xml(spec, drawn, labels, keys, columns, number_format, dated, bars)
    names = [series.name for series in drawn]
    xlsx = workbook_xlsx(labels, dated, names, columns, number_format)
    if xlsx is None:
        return None
    return xml.encode("utf-8"), xlsx


def _chart_xml(spec, drawn, labels, keys, columns, number_format, dated, bars) -> str:
    count = len(labels)
    cat_ref = f"Sheet1!$A$2:$A${count + 1}"
    if dated:
        points = "".join(
            f'<c:pt idx="{i}"><c:v>{float((day - EXCEL_EPOCH).days):.1f}</c:v></c:pt>'
            for i, day in enumerate(labels)
        )
        cat = (
            f"<c:cat><c:numRef><c:f>{cat_ref}</c:f><c:numCache><c:formatCode>{DATE_FORMAT}"
            f'</c:formatCode><c:ptCount val="{count}"/>{points}</c:numCache></c:numRef></c:cat>'
        )
    else:
        points = "".join(
            f'<c:pt idx="{i}"><c:v>{escape(str(label))}</c:v></c:pt>'
            for i, label in enumerate(labels)
        )
        cat = (
            f'<c:cat><c:strRef><c:f>{cat_ref}</c:f><c:strCache><c:ptCount val="{count}"/>'
            f"{points}</c:strCache></c:strRef></c:cat>"
        )
    sers = []
    for index, (series, values) in enumerate(zip(drawn, columns, strict=True)):
        column = column_letter(index + 2)
        pts = "".join(
            f'<c:pt idx="{i}"><c:v>{value}</c:v></c:pt>'
            for i, value in enumerate(values)
            if value is not None
        )
        val = (
            f"<c:val><c:numRef><c:f>Sheet1!${column}$2:${column}${count + 1}</c:f><c:numCache>"
            f'<c:formatCode>{escape(number_format)}</c:formatCode><c:ptCount val="{count}"/>'
            f"{pts}</c:numCache></c:numRef></c:val>"
        )
        head = (
            f'<c:ser><c:idx val="{index}"/><c:order val="{index}"/><c:tx><c:strRef>'
            f'<c:f>Sheet1!${column}$1</c:f><c:strCache><c:ptCount val="1"/><c:pt idx="0">'
            f"<c:v>{escape(series.name)}</c:v></c:pt></c:strCache></c:strRef></c:tx>"
        )
        if bars:
            sers.append(f"{head}{_bar_style(series, keys)}{cat}{val}</c:ser>")
        else:
            sers.append(f'{head}{_line_style(series)}{cat}{val}<c:smooth val="0"/></c:ser>')
    plot = _bar_plot(spec, drawn, sers) if bars else _line_plot(sers)
    axes = BAR_AXES if bars else LINE_AXES
    legend_layout = "" if bars else "<c:layout/>"
    tail = "" if bars else '<c:plotVisOnly val="1"/>'
    after = "" if bars else '<c:showDLblsOverMax val="0"/>'
    return (
        f'{XML_HEAD}<c:chartSpace xmlns:c="{NS_C}" xmlns:a="{NS_A}" xmlns:r="{NS_R}">'
        f'<c:date1904 val="0"/><c:chart>{_title(spec.title, 1300, True)}'
        f'<c:autoTitleDeleted val="0"/><c:plotArea>{plot}'
        f"{_category_axis(spec, axes, dated, bars)}{_value_axis(spec, drawn, axes, number_format, bars)}"
        f'</c:plotArea><c:legend><c:legendPos val="b"/>{legend_layout}<c:overlay val="0"/>'
        f'{_SIZE_10}</c:legend>{tail}<c:dispBlanksAs val="gap"/>{after}</c:chart>'
        '<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="1000"/></a:pPr>'
        '<a:endParaRPr lang="en-US"/></a:p></c:txPr><c:externalData r:id="rId1">'
        '<c:autoUpdate val="0"/></c:externalData></c:chartSpace>'
    )


def _line_plot(sers: list[str]) -> str:
    a, b = LINE_AXES
    return (
        '<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>'
        f'{"".join(sers)}<c:marker val="1"/><c:smooth val="0"/>'
        f'<c:axId val="{a}"/><c:axId val="{b}"/></c:lineChart>'
    )


def _bar_plot(spec, drawn, sers: list[str]) -> str:
    a, b = BAR_AXES
    return (
        '<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/>'
        f'{"".join(sers)}<c:gapWidth val="60"/><c:axId val="{a}"/><c:axId val="{b}"/>'
        "</c:barChart>"
    )


def _category_axis(spec: ChartSpec, axes, dated: bool, bars: bool) -> str:
    own, cross = axes
    title = _title(spec.x_axis.title, 1000, False) if spec.x_axis.title else ""
    head = (
        f'<c:axId val="{own}"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="b"/>{title}'
    )
    ticks = (
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="{cross}"/><c:crosses val="autoZero"/><c:auto val="1"/>'
    )
    if dated:
        return (
            f'<c:dateAx>{head}<c:numFmt formatCode="mmm yyyy" sourceLinked="0"/>{ticks}'
            '<c:lblOffset val="100"/><c:baseTimeUnit val="days"/></c:dateAx>'
        )
    return (
        f'<c:catAx>{head}{ticks}<c:lblAlgn val="ctr"/><c:lblOffset val="100"/>'
        '<c:noMultiLvlLbl val="0"/></c:catAx>'
    )


def _value_axis(spec: ChartSpec, drawn, axes, number_format: str, bars: bool) -> str:
    cross, own = axes
    if bars:
        # As charts.add_native_chart sets it: bars measure from zero.
        minimum = min([0.0] + [y for s in drawn for y in s.y if y is not None])
        scaling = f'<c:scaling><c:min val="{minimum}"/></c:scaling>'
    else:
        scaling = "<c:scaling/>"
    title = _title(spec.y_axis.title, 1000, False) if spec.y_axis.title else ""
    return (
        f'<c:valAx><c:axId val="{own}"/>{scaling}<c:delete val="0"/><c:axPos val="l"/>'
        f"<c:majorGridlines><c:spPr><a:ln>{_fill('E3E7EC')}</a:ln></c:spPr></c:majorGridlines>"
        f'{title}<c:numFmt formatCode="{_attr(number_format)}" sourceLinked="0"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="{cross}"/><c:crosses val="autoZero"/></c:valAx>'
    )


def _bar_style(series: Series, keys: list[str]) -> str:
    fill = _colour(series.colour)
    out = f"<c:spPr>{_fill(fill)}</c:spPr>" if fill is not None else ""
    if not series.labels:
        return out
    by_x = dict(zip(series.x, series.labels, strict=True))
    labels = []
    for index, key in enumerate(keys):
        text = by_x.get(key)
        if not text:
            continue
        labels.append(
            f'<c:dLbl><c:idx val="{index}"/><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:r>'
            f"<a:t>{run_text(text)}</a:t></a:r></a:p></c:rich></c:tx><c:txPr><a:bodyPr/>"
            '<a:lstStyle/><a:p><a:pPr><a:defRPr sz="900"/></a:pPr></a:p></c:txPr>'
            f'<c:dLblPos val="outEnd"/>{_SHOW.format(val=1)}</c:dLbl>'
        )
    if labels:
        out += (
            f'<c:dLbls>{"".join(labels)}{_SHOW.format(val=0)}<c:showLeaderLines val="1"/></c:dLbls>'
        )
    return out


def _line_style(series: Series) -> str:
    colour = _colour(series.colour)
    sp_pr = marker = ""
    if series.stroke is not None and colour is not None:
        dash = '<a:prstDash val="dash"/>' if series.stroke.dashed else ""
        sp_pr = f'<c:spPr><a:ln w="28575">{_fill(colour)}{dash}</a:ln></c:spPr>'
        if series.markers is None:
            marker = '<c:marker><c:symbol val="none"/></c:marker>'
    if series.stroke is None and series.markers is not None:
        sp_pr = "<c:spPr><a:ln><a:noFill/></a:ln></c:spPr>"
        symbol = MARKER_STYLES[series.markers.shape]
        fill = f"<c:spPr>{_fill(colour)}</c:spPr>" if colour is not None else ""
        marker = (
            f'<c:marker><c:symbol val="{_MARKER_XML[symbol]}"/><c:size val="9"/>{fill}</c:marker>'
        )
    return sp_pr + marker
