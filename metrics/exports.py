"""The deck's tables as spreadsheets (CSV and Excel), cells as the deck prints them, and the
one guard against spreadsheet formula injection that every export uses, the API's
`?format=csv` included.

Formula injection (OWASP "CSV Injection"): a cell starting with = + - @ tab or carriage
return is run as a formula by Excel and LibreOffice (`=cmd|' /C calc'!A0`). Anything typed
by a person (a comment, a key result's text, a metric's name) may start so, and the deck's
own "+8.1% YoY" does.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import unescape

from django.http import HttpResponse
from django.utils.html import strip_tags

from metrics.markdown import render_markdown

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("-5", "+0.25", "-1.5E+3") is data, not a formula, and so is the deck's
# lone "-" of an empty cell: they stay as they are.
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def formula_risk(value) -> bool:
    """Whether a spreadsheet would read this cell as a formula (the one test for every export)."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not PLAIN_NUMBER.fullmatch(value)
    )


def neutralise_cell(value):
    """The cell for a CSV file: a leading apostrophe where a spreadsheet would read a formula
    (OWASP's advice), anything else as it is."""
    return f"'{value}" if formula_risk(value) else value


def markdown_text(text: str) -> str:
    """Markdown as the plain text a reader sees ("**shipped**" -> "shipped")."""
    return " ".join(unescape(strip_tags(str(render_markdown(text)))).split())


@dataclass(frozen=True)
class Sheet:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


SEGMENT_MARKERS_HEADER = "Segment markers"


def _quarter_headers(deck) -> list[str]:
    return [f"Q{q} Status" for q in deck.quarters]


def metrics_sheet(deck) -> Sheet:
    """S2-S6: every outcome's metrics and segments, with the deck's cell text."""
    rows = []
    for group in deck.outcomes:
        for row in group.metrics:
            rows.append(
                (
                    group.statement,
                    row.name,
                    "",
                    row.baseline_text,
                    row.goal_text,
                    *(cell.display for cell in row.cells),
                    "",
                )
            )
            for segment in row.segments:
                rows.append(
                    (
                        group.statement,
                        row.name,
                        segment.name,
                        segment.baseline_text,
                        segment.goal_text,
                        *(cell.display for cell in segment.cells),
                        segment.footnote_markers,
                    )
                )
    header = ("MTP Outcome", "MTP Metric", "Segment", "Baseline", "Y2 Goal")
    # The segment's footnote markers in a column of their own (a sort or filter on the segment
    # name must not see "Emerging markets+"); last, so the other columns keep their places.
    return Sheet("Metrics", (*header, *_quarter_headers(deck), SEGMENT_MARKERS_HEADER), tuple(rows))


def key_results_sheet(deck, objective) -> Sheet:
    """An objective's key-result table, with the deck's cell text."""
    rows = []
    for kr in objective.key_results:
        description = markdown_text(kr.description)
        if kr.metric_row:
            row = kr.metric_row
            rows.append(
                (
                    kr.code,
                    description,
                    "",
                    kr.baseline_text or row.baseline_text,
                    markdown_text(kr.goal_text) or row.goal_text,
                    *(cell.display for cell in row.cells),
                    "",
                )
            )
            for segment in row.segments:
                rows.append(
                    (
                        kr.code,
                        description,
                        segment.name,
                        segment.baseline_text,
                        segment.goal_text,
                        *(cell.display for cell in segment.cells),
                        segment.footnote_markers,
                    )
                )
        else:
            rows.append(
                (
                    kr.code,
                    description,
                    "",
                    kr.baseline_text,
                    markdown_text(kr.goal_text),
                    *(markdown_text(cell.text) if cell.text else cell.display for cell in kr.cells),
                    "",
                )
            )
    header = ("Code", "Key Result", "Segment", "Baseline", "Year Goal")
    return Sheet(
        objective.short_name,
        (*header, *_quarter_headers(deck), SEGMENT_MARKERS_HEADER),
        tuple(rows),
    )


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise_cell(value) for value in header])
    writer.writerows([neutralise_cell(value) for value in row] for row in rows)
    # A byte-order mark so Excel opens the file as UTF-8 ("↑", "†", "≥").
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


# What Excel refuses in a sheet's name (openpyxl raises on it): these characters, an
# apostrophe at either end, more than 31 characters, or nothing at all.
_SHEET_TITLE_REFUSED = re.compile(r"[\\*?:/\[\]\x00-\x1f]")


def sheet_title(text: str) -> str:
    """`text` as an Excel sheet name: refused characters become "-", at most 31 kept."""
    title = _SHEET_TITLE_REFUSED.sub("-", text or "").strip("' ")[:31].strip("' ")
    return title or "Sheet"


def xlsx_bytes(sheet: Sheet) -> bytes:
    """The sheet as an Excel workbook. A cell a spreadsheet would run as a formula is stored
    as text with Excel's own quote prefix: it shows as the deck prints it ("+8.1% YoY") but is
    never evaluated (no formula element is written)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet_title(sheet.title)
    for row_number, values in enumerate((sheet.header, *sheet.rows), start=1):
        for column, value in enumerate(values, start=1):
            cell = worksheet.cell(row=row_number, column=column)
            cell.value = value
            if formula_risk(value):
                cell.data_type = "s"
                cell.quotePrefix = True
            if row_number == 1:
                cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in enumerate((28, 36, 18, 24, 16, *([18] * 4)), start=1):
        worksheet.column_dimensions[
            worksheet.cell(row=1, column=column).column_letter
        ].width = width
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_response(sheet: Sheet, *, filename: str, kind: str) -> HttpResponse:
    """`kind` is "csv" or "xlsx"."""
    if kind == "xlsx":
        response = HttpResponse(xlsx_bytes(sheet), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(
            csv_bytes(sheet.header, sheet.rows), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{kind}"'
    return response
