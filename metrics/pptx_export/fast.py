"""The deck built as text: builder.DeckBuilder's slides, in the same order with the same
content, each slide's XML written as a string (xmltext) and each chart's XML and workbook
from chartxml, straight into the package's zip (writer.PackageStream). DeckBuilder itself
stays the reference: it builds the same file through python-pptx's objects, and the deck's
tests compare the two part for part.

A scale-100 deck (about 4,800 slides and 2,200 charts) through python-pptx spent its time in
the proxies' namespace look-ups, xpath and child searches (about eight million calls) and in
an XlsxWriter workbook per chart, and held every part's tree until it was saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pptx import Presentation

from metrics.pptx_export import layout as L
from metrics.pptx_export.builder import (
    BRAND,
    FUTURE_FILL,
    HEADER_FILL,
    HEADER_HEIGHT,
    HEADER_SIZE,
    TABLE_SIZE,
    DeckBuilder,
)
from metrics.pptx_export.charts import add_native_chart
from metrics.pptx_export.chartxml import chart_parts
from metrics.pptx_export.layout import COVERED, RowSpec
from metrics.pptx_export.notes import thread_notes
from metrics.pptx_export.text import MUTED, Para, Run, plain
from metrics.pptx_export.writer import PackageStream, SlideEntry
from metrics.pptx_export.xmltext import (
    cell_xml,
    chart_frame_xml,
    empty_cell_xml,
    paras_xml,
    placeholder_xml,
    row_xml,
    slide_xml,
    table_xml,
    textbox_xml,
)

TITLE_BODY = ' anchor="t" lIns="0" rIns="0"'
BODY_COLOUR = "1D2733"


@dataclass
class TextSlide:
    entry: SlideEntry
    shapes: list[str] = field(default_factory=list)
    next_id: int = 2
    background: str = ""
    written: bool = False

    def shape_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


class TextDeckBuilder(DeckBuilder):
    def __init__(self, deck):
        super().__init__(deck)
        self.stream = PackageStream(self.prs)
        self.slides: list[TextSlide] = []

    def save(self) -> bytes:
        self._finish()
        return self.stream.close()

    def _finish(self):
        """Write the slide made last (nothing is added to a slide once the next exists) and
        let its text go."""
        if self.slides and not self.slides[-1].written:
            last = self.slides[-1]
            self.stream.write_slide(last.entry, slide_xml(last.shapes, last.background))
            last.shapes, last.written = [], True

    def _new_slide(self, layout, background: str = "") -> TextSlide:
        self._finish()
        slide = TextSlide(self.stream.add_slide(layout.part), background=background)
        self.slides.append(slide)
        return slide

    # --- DeckBuilder's primitives ----------------------------------------------------------

    def slide_count(self) -> int:
        return len(self.slides)

    def slide_at(self, index: int):
        return self.slides[index]

    def set_notes(self, slide: TextSlide, threads) -> None:
        if threads:
            self.stream.add_notes(slide.entry, thread_notes(threads))

    def add_text(self, slide, paras, size, box, *, colour="", align=None, margins=(None, None)):
        shape_id = slide.shape_id()
        body = paras_xml(paras, size, colour=colour, align=align)
        slide.shapes.append(textbox_xml(shape_id, box, body, margins))

    def add_chart(self, slide: TextSlide, spec, box):
        parts = chart_parts(spec) or _python_pptx_chart(spec)
        rid = self.stream.add_chart(slide.entry, *parts)
        slide.shapes.append(chart_frame_xml(slide.shape_id(), box, rid))

    def titled_slide(self, title: str) -> TextSlide:
        slide = self._new_slide(self.title_only)
        size = 26 if len(title) < 60 else 20
        body = paras_xml([Para([Run(title, bold=True)])], size, colour=BRAND, first_algn="l")
        box = (L.MARGIN, L.TITLE_TOP + 0.25, L.CONTENT_WIDTH, L.TITLE_HEIGHT - 0.25)
        slide.shapes.append(
            placeholder_xml(slide.shape_id(), "Title 1", 'type="title"', box, body, TITLE_BODY)
        )
        return slide

    def section_title_slide(self, title: str) -> TextSlide:
        slide = self._new_slide(self.title_only, background=BRAND)
        body = paras_xml([Para([Run(title, bold=True)])], 40, colour="FFFFFF")
        box = (L.MARGIN + 0.5, 2.8, L.CONTENT_WIDTH - 1, 1.2)
        slide.shapes.append(placeholder_xml(slide.shape_id(), "Title 1", 'type="title"', box, body))
        return slide

    def title_slide(self):
        deck = self.deck
        slide = self._new_slide(self.title_layout)
        title = paras_xml([Para([Run(deck.title, bold=True)])], 36, colour=BRAND)
        subtitle = paras_xml(
            [Para([Run(f"{deck.priority} · Tuning Session {deck.quarter_label}")])],
            20,
            colour=MUTED,
        )
        left, width = L.MARGIN + 0.5, L.CONTENT_WIDTH - 1
        slide.shapes.append(
            placeholder_xml(
                slide.shape_id(), "Title 1", 'type="ctrTitle"', (left, 2.3, width, 1.6), title
            )
        )
        slide.shapes.append(
            placeholder_xml(
                slide.shape_id(),
                "Subtitle 2",
                'type="subTitle" idx="1"',
                (left, 4.0, width, 1.0),
                subtitle,
            )
        )

    def _table(self, slide: TextSlide, headers, rows: list[RowSpec], top: float) -> float:
        widths = [width for _, width, _ in headers]
        height = HEADER_HEIGHT + sum(row.height for row in rows)
        spans = _merge_attributes(rows, len(headers))
        header = [
            cell_xml(
                paras_xml(plain(text, bold=True), HEADER_SIZE, colour="FFFFFF"),
                FUTURE_FILL if future else HEADER_FILL,
            )
            for text, _, future in headers
        ]
        rows_xml = [row_xml(HEADER_HEIGHT, header)]
        for index, row in enumerate(rows, start=1):
            cells = []
            for column, cell in enumerate(row.cells):
                span = spans.get((index, column), "")
                if cell is None or cell is COVERED:
                    cells.append(empty_cell_xml(span))
                    continue
                body = paras_xml(cell.paras, TABLE_SIZE, colour=BODY_COLOUR)
                cells.append(cell_xml(body, cell.fill or "FFFFFF", span))
            rows_xml.append(row_xml(row.height, cells))
        heights = [HEADER_HEIGHT] + [row.height for row in rows]
        slide.shapes.append(table_xml(slide.shape_id(), L.MARGIN, top, widths, heights, rows_xml))
        return height


def _merge_attributes(rows: list[RowSpec], columns: int) -> dict[tuple[int, int], str]:
    """The span and merge attributes python-pptx's `_Cell.merge` sets, by (table row,
    column), for DeckBuilder._table's merges: a cell continued by None cells below it and
    across the columns it spans."""
    marks: dict[tuple[int, int], dict[str, str]] = {}
    for index, row in enumerate(rows, start=1):
        for column, cell in enumerate(row.cells):
            if cell is None or cell is COVERED:
                continue
            last_row = index
            while last_row < len(rows) and rows[last_row].cells[column] is None:
                last_row += 1
            last_column = column + cell.span - 1
            if last_row == index and last_column == column:
                continue
            height, width = last_row - index + 1, last_column - column + 1
            for r in range(index, last_row + 1):
                for c in range(column, last_column + 1):
                    mark = marks.setdefault((r, c), {})
                    if r == index and height > 1:
                        mark["rowSpan"] = str(height)
                    if c == column and width > 1:
                        mark["gridSpan"] = str(width)
                    if c > column:
                        mark["hMerge"] = "1"
                    if r > index:
                        mark["vMerge"] = "1"
    return {
        key: "".join(f' {name}="{value}"' for name, value in mark.items())
        for key, mark in marks.items()
        if mark
    }


def _python_pptx_chart(spec) -> tuple[bytes, bytes]:
    """A chart chartxml does not write, built by python-pptx on a scratch slide."""
    scratch = Presentation()
    slide = scratch.slides.add_slide(scratch.slide_layouts[6])
    part = add_native_chart(slide, spec, 0, 0, 1, 1).chart.part
    return part.blob, part.chart_workbook.xlsx_part.blob
