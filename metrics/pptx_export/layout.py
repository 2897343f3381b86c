"""Sizes on a 16:9 slide, text that fits its box, and tables that continue on the next slide.

python-pptx cannot measure text, so heights are estimated from the number of characters a
line holds at a given size (a generous average glyph width, so that estimates err on the
tall side and a table never runs off its slide in PowerPoint or LibreOffice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from metrics.pptx_export.text import Para

SLIDE_WIDTH = 13.333  # inches (16:9)
SLIDE_HEIGHT = 7.5
MARGIN = 0.45
CONTENT_WIDTH = SLIDE_WIDTH - 2 * MARGIN
TITLE_TOP = 0.3
TITLE_HEIGHT = 0.8
BODY_TOP = 1.2
FOOTER_HEIGHT = 0.35
BODY_BOTTOM = SLIDE_HEIGHT - MARGIN - FOOTER_HEIGHT

# Average glyph width as a fraction of the font size (Calibri is about 0.5; bold and digits
# run wider) and line height as a multiple of it.
GLYPH = 0.56
LINE = 1.22
PARA_GAP = 0.25  # extra space after a paragraph, in lines
BULLET_INDENT = 0.22  # inches per list level
CELL_MARGIN_X = 0.08
CELL_MARGIN_Y = 0.05


def chars_per_line(width: float, size: float) -> int:
    return max(1, int(width * 72 / (size * GLYPH)))


def text_height(paras: list[Para], width: float, size: float) -> float:
    """Inches the paragraphs take at `size` points in a box `width` inches wide."""
    lines = 0.0
    for index, para in enumerate(paras):
        usable = max(0.3, width - BULLET_INDENT * para.level)
        lines += _lines(para.text, chars_per_line(usable, size))
        if index < len(paras) - 1:
            lines += PARA_GAP
    return lines * size * LINE / 72


@lru_cache(maxsize=16384)
def _lines(text: str, per_line: int) -> int:
    """The lines a paragraph's text takes at `per_line` characters a line: whole words wrap
    (a line holds a little less than its characters on average). Cached: a deck measures the
    same cell at several sizes, and again once its table is paged."""
    count, line = 1, 0
    for word in text.split():
        needed = len(word) if line == 0 else line + 1 + len(word)
        if needed > per_line and line:
            count += 1
            line = len(word)
            while line > per_line:
                count += 1
                line -= per_line
        else:
            line = needed
    return count


def fit_size(paras: list[Para], width: float, height: float, sizes=(14, 13, 12, 11, 10, 9, 8)):
    """The largest of `sizes` at which the paragraphs fit the box (the smallest otherwise)."""
    for size in sizes:
        if text_height(paras, width, size) <= height:
            return size
    return sizes[-1]


# Text is never set smaller than this: what does not fit at it continues on the next slide.
MIN_TEXT_SIZE = 9


def flow(paras: list[Para], width: float, height: float, size: float) -> list[list[Para]]:
    """The paragraphs cut into boxes of `height` inches at `size` points, in order; a
    paragraph is never split."""
    chunks: list[list[Para]] = [[]]
    used = 0.0
    for para in paras:
        needed = text_height([para], width, size) + PARA_GAP * size * LINE / 72
        if chunks[-1] and used + needed > height:
            chunks.append([])
            used = 0.0
        chunks[-1].append(para)
        used += needed
    return chunks


# --- tables ------------------------------------------------------------------------------


@dataclass
class CellSpec:
    paras: list[Para]
    fill: str = ""  # RRGGBB background, "" for white
    span: int = 1  # columns this cell covers (a group heading across the table)
    # cell_height's by (width, size): its paragraphs do not change once in a table
    heights: dict = field(default_factory=dict, repr=False, compare=False)


# Stands in the columns a spanning cell covers, so that every row has one entry per column.
COVERED = CellSpec(paras=[])


@dataclass
class RowSpec:
    """One table row, one entry per column. A None cell continues the cell above it (a merged
    column, like the metrics table's outcome); COVERED follows a cell spanning columns;
    `keep_with_next` keeps a metric with its segment rows."""

    cells: list[CellSpec | None]
    keep_with_next: bool = False
    height: float = 0.0  # filled in by paginate
    merge_heads: set[int] = field(default_factory=set)  # columns merged down from this row


@dataclass
class TablePage:
    rows: list[RowSpec] = field(default_factory=list)

    @property
    def height(self) -> float:
        return sum(row.height for row in self.rows)


def cell_height(cell: CellSpec, width: float, size: float) -> float:
    """Remembered on the cell: a table is measured once, then again page by page."""
    height = cell.heights.get((width, size))
    if height is None:
        height = text_height(cell.paras, width - 2 * CELL_MARGIN_X, size)
        height = cell.heights[width, size] = height + 2 * CELL_MARGIN_Y + 0.04
    return height


def row_height(row: RowSpec, widths: list[float], size: float) -> float:
    heights = [0.3]
    for column, cell in enumerate(row.cells):
        if cell is None or cell is COVERED or column in row.merge_heads:
            # A cell merged down over later rows is accounted for by _fit_merged.
            continue
        heights.append(cell_height(cell, sum(widths[column : column + cell.span]), size))
    return max(heights)


def _mark_merge_heads(rows: list[RowSpec]):
    """Columns where a cell is continued by None cells in the rows below."""
    for index, row in enumerate(rows):
        heads = set()
        nxt = rows[index + 1] if index + 1 < len(rows) else None
        if nxt is not None:
            for column, cell in enumerate(row.cells):
                if cell is not None and cell is not COVERED and nxt.cells[column] is None:
                    heads.add(column)
        row.merge_heads = heads


def _fit_merged(rows: list[RowSpec], widths: list[float], size: float):
    """Grow the last row of each merged run until the merged cell's text fits."""
    for column in range(len(widths)):
        start = None
        for index in range(len(rows) + 1):
            cell = rows[index].cells[column] if index < len(rows) else COVERED
            if cell is None:
                continue
            if start is not None and index - start > 1:
                needed = cell_height(rows[start].cells[column], widths[column], size)
                have = sum(r.height for r in rows[start:index])
                if needed > have:
                    rows[index - 1].height += needed - have
            start = index if cell is not COVERED else None


def _restart(page_rows: list[RowSpec], last_seen: dict[int, CellSpec]) -> None:
    """A page that starts inside a merged run repeats the merged cell's text."""
    first = page_rows[0]
    first.cells = [
        last_seen.get(column) if cell is None else cell for column, cell in enumerate(first.cells)
    ]


def paginate(
    rows: list[RowSpec], widths: list[float], size: float, first_height: float, height: float
) -> list[TablePage]:
    """Split rows into pages: the first page has `first_height` inches for body rows, the
    following ones `height` (the header row is repeated on each). A metric and its segment
    rows stay together unless they alone fill a page."""
    if not rows:
        return [TablePage()]
    _mark_merge_heads(rows)
    for row in rows:
        row.height = row_height(row, widths, size)
    _fit_merged(rows, widths, size)
    blocks: list[list[RowSpec]] = [[]]
    for row in rows:
        blocks[-1].append(row)
        if not row.keep_with_next:
            blocks.append([])
    blocks = [b for b in blocks if b]

    pages = [TablePage()]
    budget = first_height
    last_seen: dict[int, CellSpec] = {}

    def place(row: RowSpec):
        nonlocal budget
        if pages[-1].rows and pages[-1].height + row.height > budget:
            pages.append(TablePage())
            budget = height
            pages[-1].rows.append(row)
            _restart(pages[-1].rows, last_seen)
        else:
            pages[-1].rows.append(row)
        for column, cell in enumerate(row.cells):
            if cell is not None:
                last_seen[column] = cell

    for block in blocks:
        block_height = sum(r.height for r in block)
        if pages[-1].rows and pages[-1].height + block_height > budget and block_height <= height:
            pages.append(TablePage())
            budget = height
            first, *rest = block
            pages[-1].rows.append(first)
            _restart(pages[-1].rows, last_seen)
            for column, cell in enumerate(first.cells):
                if cell is not None:
                    last_seen[column] = cell
            for row in rest:
                place(row)
        else:
            for row in block:
                place(row)
    for page in pages:
        _mark_merge_heads(page.rows)
        for row in page.rows:
            row.height = row_height(row, widths, size)
        _fit_merged(page.rows, widths, size)
    return pages
