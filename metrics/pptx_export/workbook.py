"""A chart's embedded workbook from a prebuilt one: python-pptx has XlsxWriter write a whole
workbook per chart (a third of a chart's cost); the workbooks differ only in their sheet and
its strings, so XlsxWriter writes one tiny workbook per kind of chart (date or text
categories, the values' number format) once, and each chart's is that one with its sheet and
shared strings written here as XlsxWriter writes them (the deck's tests compare the two).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import date
from functools import lru_cache

from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter

from metrics.pptx_export.zipparts import Member, zip_bytes

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
EXCEL_EPOCH = date(1899, 12, 30)
# Strings XlsxWriter would not write as a plain shared string (worksheet's
# _write_token_as_string, _write_string): formulas, links, empty ones, control characters,
# leading or trailing space, rich-text markup.
_SPECIAL = re.compile(
    r"^(=|\{=|ftp|http|mailto:|internal:|external:|file:|<r>)|^\s|\s$|[\x00-\x1f]"
)
_LONGEST = 32767  # XlsxWriter cuts a longer string


def column_letter(number: int) -> str:
    """Excel's column name for 1-based `number` (1 -> A, 27 -> AA)."""
    name = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        name = chr(ord("A") + remainder) + name
    return name


@lru_cache(maxsize=8)
def _template(dated: bool, number_format: str):
    """The workbook XlsxWriter writes for one category and one series of this kind: its
    members (compressed once, the sheet and its strings left to fill in), the sheet's text
    around its cells and the cells' style attributes."""
    data = CategoryChartData(number_format=number_format)
    data.categories = [date(2020, 1, 1)] if dated else ["a"]
    data.add_series("s", [1])
    blob = CategoryWorkbookWriter(data).xlsx_blob
    package = zipfile.ZipFile(io.BytesIO(blob))
    parts = [
        (info, None if info.filename in (SHEET, STRINGS) else _member(info, package.read(info)))
        for info in package.infolist()
    ]
    sheet = package.read(SHEET).decode("utf-8")
    head, rest = sheet.split("<sheetData>", 1)
    tail = rest.split("</sheetData>", 1)[1]
    category_style = re.search(r'<c r="A2"( s="\d+")?', sheet).group(1) or ""
    value_style = re.search(r'<c r="B2"( s="\d+")?', sheet).group(1) or ""
    return parts, head, tail, category_style, value_style


def _number(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if math.isnan(value) or math.isinf(value):
        return None
    return f"{value:.16G}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def workbook_xlsx(labels, dated: bool, names, columns, number_format: str) -> bytes | None:
    """The workbook python-pptx embeds for these categories (dates or texts) and series
    (`names`, each column's values, None for none); None for data XlsxWriter would write
    otherwise than as plain strings and numbers."""
    if len(labels) > 1048575 or len(names) > 16383:
        return None
    parts, head, tail, category_style, value_style = _template(dated, number_format)
    strings: dict[str, int] = {}
    order: list[str] = []
    count = 0

    def string_index(text: str) -> int | None:
        nonlocal count
        if not isinstance(text, str) or not text or len(text) > _LONGEST or _SPECIAL.search(text):
            return None
        count += 1
        if text not in strings:
            strings[text] = len(order)
            order.append(text)
        return strings[text]

    width = 1 + len(names)
    spans = f' spans="1:{width}"'
    letters = [column_letter(n) for n in range(1, width + 1)]
    category_cells = []
    for row, label in enumerate(labels, start=2):
        if dated:
            if type(label) is not date:
                return None
            category_cells.append(
                f'<c r="A{row}"{category_style}><v>{(label - EXCEL_EPOCH).days}</v></c>'
            )
        else:
            index = string_index(label)
            if index is None:
                return None
            category_cells.append(f'<c r="A{row}"{category_style} t="s"><v>{index}</v></c>')
    first = []
    for letter, name in zip(letters[1:], names, strict=True):
        index = string_index(name)
        if index is None:
            return None
        first.append(f'<c r="{letter}1" t="s"><v>{index}</v></c>')
    rows = [f'<row r="1"{spans}>{"".join(first)}</row>']
    for offset, category_cell in enumerate(category_cells):
        row = offset + 2
        cells = [category_cell]
        for letter, column in zip(letters[1:], columns, strict=True):
            value = column[offset]
            if value is None:
                cells.append(f'<c r="{letter}{row}"{value_style}/>')
                continue
            number = _number(value)
            if number is None:
                return None
            cells.append(f'<c r="{letter}{row}"{value_style}><v>{number}</v></c>')
        rows.append(f'<row r="{row}"{spans}>{"".join(cells)}</row>')
    dimension = f'<dimension ref="A1:{letters[-1]}{len(labels) + 1}"/>'
    sheet_head = re.sub(r'<dimension ref="[^"]*"/>', dimension, head, count=1)
    sheet = f"{sheet_head}<sheetData>{''.join(rows)}</sheetData>{tail}"
    sst = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        f' count="{count}" uniqueCount="{len(order)}">'
        + "".join(f"<si><t>{_escape(text)}</t></si>" for text in order)
        + "</sst>"
    )
    filled = {SHEET: sheet, STRINGS: sst}
    return zip_bytes(
        [member or _member(info, filled[info.filename].encode()) for info, member in parts]
    )


def _member(info: zipfile.ZipInfo, content: bytes) -> Member:
    return Member(info.filename, content, info.date_time, external_attr=info.external_attr)
