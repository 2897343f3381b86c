"""Turning what people paste or upload into observation rows for observations_upsert:
a CSV file (metric, segment, period_start, period_end, value) or a column of values pasted
from a spreadsheet with the month the column starts at."""

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from metrics.fiscal import months_later
from metrics.models import Cadence, Metric, Segment

MAX_ROWS = 5000
CSV_COLUMNS = ("metric", "segment", "period_start", "period_end", "value")
REQUIRED_COLUMNS = {"metric", "period_start", "value"}
MONTHS_PER_PERIOD = {
    Cadence.MONTHLY: 1,
    Cadence.QUARTERLY: 3,
    Cadence.SEMIANNUAL: 6,
    Cadence.ANNUAL: 12,
}


class ImportFormatError(ValueError):
    """The text as a whole cannot be read (no header, too many rows): nothing is imported."""


@dataclass
class ParsedRows:
    rows: list[dict]
    line_numbers: list[int]


def csv_rows_parse(text: str) -> ParsedRows:
    """CSV with a header row naming at least metric, period_start and value (segment and
    period_end optional; metric and segment by slug). Separators , ; or tab are detected."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFormatError(_("The file is empty."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = {(name or "").strip().lower() for name in reader.fieldnames or []}
    missing = REQUIRED_COLUMNS - header
    if missing:
        raise ImportFormatError(
            _("The header row lacks %(missing)s; expected columns: %(columns)s.")
            % {"missing": ", ".join(sorted(missing)), "columns": ", ".join(CSV_COLUMNS)}
        )
    rows, line_numbers = [], []
    for record in _records(reader):
        cleaned = {
            (key or "").strip().lower(): (value or "").strip()
            for key, value in record.items()
            if key is not None
        }
        if not any(cleaned.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFormatError(
                _("At most %(limit)s rows per import; split the file.") % {"limit": MAX_ROWS}
            )
        rows.append({name: cleaned.get(name, "") for name in CSV_COLUMNS})
        line_numbers.append(reader.line_num)
    if not rows:
        raise ImportFormatError(_("The file has a header but no rows."))
    return ParsedRows(rows=rows, line_numbers=line_numbers)


def _records(reader: csv.DictReader):
    """The reader's records; a line the csv module refuses (a field over its 128 KB limit, a
    stray quote in strict dialects) is a format error naming the line."""
    try:
        yield from reader
    except csv.Error as error:
        limit = csv.field_size_limit() // 1024
        if "field larger than field limit" in str(error):
            raise ImportFormatError(
                _("Line %(line)s: a field is longer than %(limit)s KB.")
                % {"line": reader.line_num, "limit": limit}
            ) from error
        raise ImportFormatError(
            _("Line %(line)s: this is not readable CSV (%(error)s).")
            % {"line": reader.line_num, "error": error}
        ) from error


def _period_at(start: date, months: int, *, line: int) -> date:
    try:
        return months_later(start, months)
    except (ValueError, OverflowError) as error:
        raise ImportFormatError(
            _("Line %(line)s would fall after December 9999, the last month a date can hold.")
            % {"line": line}
        ) from error


def backfill_rows_parse(
    *, metric: Metric, segment: Segment | None, start: date, text: str
) -> ParsedRows:
    """One row per pasted line, the first at `start`, each next one a period later (a month
    for monthly metrics, a quarter for quarterly ones...). Blank lines skip a period; only
    the first cell of a spreadsheet row counts."""
    step = MONTHS_PER_PERIOD.get(metric.cadence, 1)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise ImportFormatError(_("Paste at least one value."))
    if len(lines) > MAX_ROWS:
        raise ImportFormatError(_("At most %(limit)s values at a time.") % {"limit": MAX_ROWS})
    rows, line_numbers = [], []
    for offset, line in enumerate(lines):
        cell = line.split("\t")[0].strip()
        if not cell:
            continue
        rows.append(
            {
                "metric": metric,
                "segment": segment,
                "period_start": _period_at(start, offset * step, line=offset + 1),
                "value": cell,
            }
        )
        line_numbers.append(offset + 1)
    if not rows:
        raise ImportFormatError(_("Paste at least one value."))
    return ParsedRows(rows=rows, line_numbers=line_numbers)
