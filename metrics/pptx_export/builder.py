"""The slides of one session's deck, in the deck's order:

    title · S1 overview · "MTP Priority Update" · per outcome: its metrics table (continued
    on further slides when long) and a chart slide per metric with data · "MTP Priority
    OKRs" · per objective: objective, key results, drill-downs (with their tables) ·
    "Appendix" · acronyms · the earlier session's metrics table (S17)

Everything printed comes from session_deck() (a held session's frozen snapshot included),
metric_charts() and metrics.formatting, so the file reads as the pages do.

DeckBuilder decides every slide and builds it through python-pptx's objects; deck_pptx
(export.py) uses fast.TextDeckBuilder, which overrides only the methods that touch the file
(under "what touches the file") and writes the same parts as text. DeckBuilder is the
reference the tests compare that with.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Protocol

from django.utils.text import slugify
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from metrics.charts import Chart
from metrics.pptx_export import layout as L
from metrics.pptx_export.charts import add_native_chart, chart_notes
from metrics.pptx_export.layout import COVERED, CellSpec, RowSpec, paginate
from metrics.pptx_export.notes import slide_notes_set, threads_by_slide
from metrics.pptx_export.oxml import append_paras, prepare_cell
from metrics.pptx_export.package import fast_bookkeeping
from metrics.pptx_export.text import (
    BRAND,
    MUTED,
    Para,
    Run,
    kr_cell_paras,
    markdown_paras,
    metric_cell_paras,
    name_with_markers,
    plain,
)
from metrics.selectors.deck_types import Deck, FootnoteItem, MetricRow, ObjectiveBlock

PPTX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

HEADER_FILL = BRAND
FUTURE_FILL = "5D7AA3"
OUTCOME_FILL = "E7EEF8"
SEGMENT_FILL = "F6F8FA"
GROUP_FILL = "E7EEF8"
TABLE_SIZE = 10
HEADER_SIZE = 10.5
HEADER_HEIGHT = 0.4
CONTINUED = " (continued)"

SECTION_UPDATE = "MTP Priority Update"
SECTION_OKRS = "MTP Priority OKRs"
SECTION_APPENDIX = "Appendix"


class ChartSource(Protocol):
    """Each metric's charts by its id (a dict, or export.ChartsByMetric making them as
    asked)."""

    def get(self, metric_id: int, /) -> list[Chart] | None: ...

    def __getitem__(self, metric_id: int, /) -> list[Chart]: ...


@dataclass(frozen=True)
class PptxFile:
    filename: str
    content: bytes


def deck_pptx_filename(deck: Deck) -> str:
    return f"{slugify(deck.title) or 'deck'}.pptx"


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour)


def write_paras(frame, paras: list[Para], size: float, *, colour: str = "", align=None):
    """Fill a text frame (a text box or a table cell) with styled paragraphs."""
    frame.word_wrap = True
    if not append_paras(frame._txBody, paras, size, colour=colour, align=align):
        write_paras_api(frame, paras, size, colour=colour, align=align)


def write_paras_api(frame, paras: list[Para], size: float, *, colour: str = "", align=None):
    """write_paras through python-pptx's objects: what oxml.append_paras writes faster, and
    the way for a frame that already holds text."""
    frame.word_wrap = True
    for index, para in enumerate(paras or [Para()]):
        p = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        if align is not None:
            p.alignment = align
        if index:
            p.space_before = Pt(size * L.PARA_GAP)
        if para.level:
            _bullet(p, para.level)
        for run in para.runs:
            r = p.add_run()
            r.text = run.text
            font = r.font
            font.size = Pt(size)
            if run.bold:
                font.bold = True
            if run.italic:
                font.italic = True
            if run.colour or colour:
                font.color.rgb = _rgb(run.colour or colour)
            if run.superscript:
                # Applications shrink superscripts to about 60%: start larger so that a
                # footnote marker stays legible.
                font.size = Pt(size * 1.25)
                font._rPr.set("baseline", "30000")


def _bullet(paragraph, level: int):
    indent = Emu(Inches(L.BULLET_INDENT))
    pPr = paragraph._p.get_or_add_pPr()
    pPr.set("marL", str(int(indent * level)))
    pPr.set("indent", str(-int(indent)))
    bullet = pPr.makeelement(qn("a:buChar"), {"char": "•" if level == 1 else "–"})
    pPr.append(bullet)


class DeckBuilder:
    def __init__(self, deck: Deck):
        self.deck = deck
        self.prs = Presentation()
        fast_bookkeeping(self.prs)
        self.prs.slide_width = Inches(L.SLIDE_WIDTH)
        self.prs.slide_height = Inches(L.SLIDE_HEIGHT)
        self.title_layout = self.prs.slide_layouts[0]
        self.title_only = self.prs.slide_layouts[5]

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return buffer.getvalue()

    def build(self, *, charts: ChartSource, earlier: Deck | None):
        deck = self.deck
        notes = threads_by_slide(deck)
        self.title_slide()
        self.overview_slide()
        self.set_notes(self.slide_at(-1), notes.get("session"))
        self.section_slide(SECTION_UPDATE)
        for group in deck.outcomes:
            first = self.slide_count()
            self.metrics_table_slides(deck, group)
            self.set_notes(self.slide_at(first), notes.get(f"outcome:{group.outcome_id}"))
            for row in group.metrics:
                if charts.get(row.metric_id):
                    self.chart_slide(row, charts[row.metric_id])
        self.section_slide(SECTION_OKRS)
        for objective in deck.objectives:
            first = self.slide_count()
            self.objective_slides(objective)
            notes_here = notes.get(f"objective:{objective.objective_id}")
            self.set_notes(self.slide_at(first), notes_here)
        self.section_slide(SECTION_APPENDIX)
        self.acronym_slides()
        if earlier is not None:
            for group in earlier.outcomes:
                self.metrics_table_slides(earlier, group, earlier=True)

    # --- what touches the file: python-pptx here, text in fast.TextDeckBuilder ------------

    def slide_count(self) -> int:
        return len(self.prs.slides._sldIdLst)

    def slide_at(self, index: int):
        return self.prs.slides[index]

    def set_notes(self, slide, threads) -> None:
        slide_notes_set(slide, threads)

    def add_text(
        self,
        slide,
        paras: list[Para],
        size: float,
        box: tuple[float, float, float, float],
        *,
        colour: str = "",
        align=None,
        margins: tuple[int | None, int | None] = (None, None),
    ):
        """A text box at `box` (left, top, width, height in inches) holding the paragraphs;
        `margins` (left, right) in EMU where set."""
        left, top, width, height = box
        shape = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = shape.text_frame
        if margins[0] is not None:
            frame.margin_left = margins[0]
        if margins[1] is not None:
            frame.margin_right = margins[1]
        write_paras(frame, paras, size, colour=colour, align=align)
        return shape

    def add_chart(self, slide, spec, box: tuple[float, float, float, float]):
        add_native_chart(slide, spec, *box)

    # --- slide frames --------------------------------------------------------------------

    def _footer(self, slide):
        number = self.slide_count()
        self.add_text(
            slide,
            [Para([Run(f"{self.deck.title}  ·  {number}")])],
            9,
            (L.MARGIN, L.SLIDE_HEIGHT - L.MARGIN - 0.25, L.CONTENT_WIDTH, 0.3),
            colour=MUTED,
            align=PP_ALIGN.RIGHT,
        )

    def slide(self, title: str, eyebrow: str = ""):
        slide = self.titled_slide(title)
        if eyebrow:
            self.add_text(
                slide,
                [Para([Run(eyebrow.upper())])],
                10,
                (L.MARGIN, L.TITLE_TOP - 0.05, L.CONTENT_WIDTH, 0.3),
                colour=MUTED,
                margins=(0, None),
            )
        self._footer(slide)
        return slide

    def titled_slide(self, title: str):
        """A new slide of the title-only layout, its title set."""
        slide = self.prs.slides.add_slide(self.title_only)
        shape = slide.shapes.title
        shape.left, shape.top = Inches(L.MARGIN), Inches(L.TITLE_TOP + 0.25)
        shape.width, shape.height = Inches(L.CONTENT_WIDTH), Inches(L.TITLE_HEIGHT - 0.25)
        frame = shape.text_frame
        frame.text = ""
        frame.vertical_anchor = MSO_ANCHOR.TOP
        frame.margin_left = frame.margin_right = 0
        size = 26 if len(title) < 60 else 20
        write_paras(frame, [Para([Run(title, bold=True)])], size, colour=BRAND)
        frame.paragraphs[0].alignment = PP_ALIGN.LEFT
        return slide

    def text_box(self, slide, paras, left, top, width, height, sizes=(14, 13, 12, 11, 10, 9, 8)):
        size = L.fit_size(paras, width - 0.2, height - 0.1, sizes)
        margin = int(Inches(0.05))
        return self.add_text(
            slide, paras, size, (left, top, width, height), margins=(margin, margin)
        )

    def title_slide(self):
        deck = self.deck
        slide = self.prs.slides.add_slide(self.title_layout)
        title, subtitle = slide.placeholders[0], slide.placeholders[1]
        for shape, top, height in ((title, 2.3, 1.6), (subtitle, 4.0, 1.0)):
            shape.left, shape.top = Inches(L.MARGIN + 0.5), Inches(top)
            shape.width, shape.height = Inches(L.CONTENT_WIDTH - 1), Inches(height)
            shape.text_frame.text = ""
        write_paras(title.text_frame, [Para([Run(deck.title, bold=True)])], 36, colour=BRAND)
        write_paras(
            subtitle.text_frame,
            [Para([Run(f"{deck.priority} · Tuning Session {deck.quarter_label}")])],
            20,
            colour=MUTED,
        )

    def section_slide(self, title: str):
        slide = self.section_title_slide(title)
        self.add_text(
            slide,
            [Para([Run(f"{self.deck.priority} · {self.deck.quarter_label}")])],
            18,
            (L.MARGIN + 0.5, 4.0, L.CONTENT_WIDTH - 1, 0.6),
            colour="DCE6F2",
            align=PP_ALIGN.CENTER,
        )

    def section_title_slide(self, title: str):
        """A new slide of the title-only layout in the brand's colour, its title set."""
        slide = self.prs.slides.add_slide(self.title_only)
        fill = slide.background.fill
        fill.solid()
        fill.fore_color.rgb = _rgb(BRAND)
        shape = slide.shapes.title
        shape.left, shape.top = Inches(L.MARGIN + 0.5), Inches(2.8)
        shape.width, shape.height = Inches(L.CONTENT_WIDTH - 1), Inches(1.2)
        shape.text_frame.text = ""
        write_paras(shape.text_frame, [Para([Run(title, bold=True)])], 40, colour="FFFFFF")
        return slide

    # --- S1 --------------------------------------------------------------------------------

    def overview_slide(self):
        deck = self.deck
        eyebrow = f"{deck.priority} · Tuning Session {deck.quarter_label}"
        slide = self.slide(deck.title, eyebrow)
        height = L.BODY_BOTTOM - L.BODY_TOP
        left = (
            [_heading("Overview:")]
            + markdown_paras(deck.overview)
            + [_heading("Progress/Challenges:")]
            + markdown_paras(deck.progress_challenges)
        )
        right = [_heading("Key Deliverables")]
        right += [Para([Run(item.title)], level=1) for item in deck.key_deliverables] or [
            Para([Run("None recorded.", colour=MUTED)])
        ]
        right += [_heading("Action:")] + markdown_paras(deck.actions)
        self.text_box(slide, right, L.MARGIN + 7.85, L.BODY_TOP, L.CONTENT_WIDTH - 7.85, height)
        self.flowing_text(slide, deck.title, eyebrow, left, columns=1, width=7.6)

    # --- tables ----------------------------------------------------------------------------

    def table_slides(
        self,
        *,
        title: str,
        eyebrow: str,
        headers: list[tuple[str, float, bool]],
        rows: list[RowSpec],
        footnotes: list[Para] | None = None,
        intro: list[Para] | None = None,
    ):
        """A table on as many slides as it needs, the header row repeated and the title
        marked "(continued)"; footnotes under the table's last part."""
        widths = [width for _, width, _ in headers]
        foot_height = L.text_height(footnotes, L.CONTENT_WIDTH, 9) + 0.15 if footnotes else 0.0
        intro_height = L.text_height(intro, L.CONTENT_WIDTH, 12) + 0.15 if intro else 0.0
        available = L.BODY_BOTTOM - L.BODY_TOP - HEADER_HEIGHT - foot_height
        pages = paginate(rows, widths, TABLE_SIZE, available - intro_height, available)
        for index, page in enumerate(pages):
            slide = self.slide(title + (CONTINUED if index else ""), eyebrow)
            top = L.BODY_TOP
            if intro and index == 0:
                self.text_box(slide, intro, L.MARGIN, top, L.CONTENT_WIDTH, intro_height, (12,))
                top += intro_height
            height = self._table(slide, headers, page.rows, top)
            if footnotes and index == len(pages) - 1:
                self.add_text(
                    slide,
                    footnotes,
                    9,
                    (L.MARGIN, top + height + 0.1, L.CONTENT_WIDTH, foot_height),
                    colour=MUTED,
                    margins=(0, None),
                )

    def _table(self, slide, headers, rows: list[RowSpec], top: float) -> float:
        widths = [width for _, width, _ in headers]
        height = HEADER_HEIGHT + sum(row.height for row in rows)
        shape = slide.shapes.add_table(
            len(rows) + 1,
            len(headers),
            Inches(L.MARGIN),
            Inches(top),
            Inches(sum(widths)),
            Inches(height),
        )
        table = shape.table
        table.first_row = True
        table.horz_banding = False
        for column, width in enumerate(widths):
            table.columns[column].width = Inches(width)
        table.rows[0].height = Inches(HEADER_HEIGHT)
        for column, (text, _, future) in enumerate(headers):
            self._cell(
                table.cell(0, column),
                CellSpec(plain(text, bold=True), FUTURE_FILL if future else HEADER_FILL),
                HEADER_SIZE,
                colour="FFFFFF",
            )
        for index, row in enumerate(rows, start=1):
            table.rows[index].height = Inches(row.height)
            for column, cell in enumerate(row.cells):
                if cell is None or cell is COVERED:
                    continue
                self._cell(table.cell(index, column), cell, TABLE_SIZE)
        # Merges last: a merged cell keeps the text of its first cell.
        for index, row in enumerate(rows, start=1):
            for column, cell in enumerate(row.cells):
                if cell is None or cell is COVERED:
                    continue
                last_row = index
                while last_row < len(rows) and rows[last_row].cells[column] is None:
                    last_row += 1
                last_column = column + cell.span - 1
                if last_row > index or last_column > column:
                    table.cell(index, column).merge(table.cell(last_row, last_column))
        return height

    def _cell(self, cell, spec: CellSpec, size: float, colour: str = ""):
        if prepare_cell(cell._tc, spec.fill or "FFFFFF"):
            write_paras(cell.text_frame, spec.paras, size, colour=colour or "1D2733")
            return
        cell.margin_left = cell.margin_right = Inches(L.CELL_MARGIN_X)
        cell.margin_top = cell.margin_bottom = Inches(L.CELL_MARGIN_Y)
        cell.vertical_anchor = MSO_ANCHOR.TOP
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(spec.fill or "FFFFFF")
        cell.text_frame.text = ""
        write_paras(cell.text_frame, spec.paras, size, colour=colour or "1D2733")

    # --- metrics (S2-S6, S17) --------------------------------------------------------------

    def metrics_table_slides(self, deck: Deck, group, *, earlier: bool = False):
        headers = [
            ("MTP Outcomes", 1.8, False),
            ("MTP Metrics", 3.0, False),
            ("Y2 Goal", 1.5, False),
        ] + [(f"Q{q} Status", 1.53, q > deck.quarter_number) for q in deck.quarters]
        rows: list[RowSpec] = []
        for index, metric in enumerate(group.metrics):
            outcome = (
                CellSpec([Para([Run(group.statement, bold=True, colour="143A6B")])], OUTCOME_FILL)
                if index == 0
                else None
            )
            rows.append(
                RowSpec(
                    [
                        outcome,
                        CellSpec(_metric_name(metric)),
                        CellSpec(plain(metric.goal_text or "-")),
                    ]
                    + [CellSpec(metric_cell_paras(cell)) for cell in metric.cells],
                    keep_with_next=bool(metric.segments),
                )
            )
            # The outcome column spans the metric's rows: its segments leave it empty.
            rows.extend(_segment_rows(metric.segments, lead=(None,)))
        eyebrow = f"{deck.quarter_label} · {group.statement}"
        if earlier:
            eyebrow = f"As defined in {deck.title}"
        self.table_slides(
            title=f"{deck.priority} Metrics",
            eyebrow=eyebrow,
            headers=headers,
            rows=rows,
            footnotes=_footnotes(group.footnotes),
        )

    def chart_slide(self, row: MetricRow, charts: list[Chart]):
        slide = self.slide(row.title, f"{self.deck.priority} Metrics · {self.deck.quarter_label}")
        gap = 0.3
        width = (L.CONTENT_WIDTH - gap * (len(charts) - 1)) / len(charts)
        notes_height = 0.45
        height = L.BODY_BOTTOM - L.BODY_TOP - notes_height - 0.3
        for index, chart in enumerate(charts):
            left = L.MARGIN + index * (width + gap)
            self.add_chart(slide, chart.spec, (left, L.BODY_TOP, width, height))
            notes = chart_notes(chart.spec)
            if notes:
                self.add_text(
                    slide,
                    [Para([Run(n)]) for n in notes],
                    9,
                    (left, L.BODY_TOP + height, width, notes_height),
                    colour=MUTED,
                )
        if row.department:
            self.add_text(
                slide,
                [Para([Run("Department: ", bold=True), Run(row.department)])],
                11,
                (L.MARGIN, L.BODY_BOTTOM - 0.3, 6, 0.3),
                margins=(0, None),
            )

    # --- objectives (S7-S15) ---------------------------------------------------------------

    def objective_slides(self, objective: ObjectiveBlock):
        eyebrow = SECTION_OKRS + (f" · {objective.department}" if objective.department else "")
        slide = self.slide(objective.title, eyebrow)
        left = [
            _heading("Objective:"),
            Para([Run(objective.statement, bold=True)]),
            *markdown_paras(objective.narrative),
        ]
        facts = []
        for label, value in (
            ("Target quarter for completion", objective.target_quarter_text or "-"),
            ("Department", objective.department or "-"),
            ("Key results", str(len(objective.key_results))),
        ):
            facts += [Para([Run(label, bold=True, colour=BRAND)]), Para([Run(value)])]
        self.text_box(slide, facts, L.MARGIN + 8.9, L.BODY_TOP, L.CONTENT_WIDTH - 8.9, 2.6, (14,))
        self.flowing_text(slide, objective.title, eyebrow, left, columns=1, width=8.6)

        self.key_result_slides(objective)
        # Quotes and examples (S15).
        for block in objective.content_blocks:
            self.content_block_slides(objective, block)
        for drilldown in objective.drilldowns:
            self.drilldown_slides(objective, drilldown)

    def content_block_slides(self, objective: ObjectiveBlock, block):
        """A text or a quote the objective presents, as the objective page sets it: a quote
        in italics with its speaker's lines under it."""
        paras = markdown_paras(block.body)
        if block.kind == "quote":
            for para in paras:
                para.runs = [
                    Run(r.text, bold=r.bold, italic=True, superscript=r.superscript)
                    for r in para.runs
                ]
            paras += [Para([Run(line, colour=MUTED)]) for line in block.attribution]
        slide = self.slide(block.title or objective.title, objective.title)
        self.flowing_text(
            slide,
            block.title or objective.title,
            objective.title,
            paras,
            columns=1,
            width=L.CONTENT_WIDTH,
        )

    def flowing_text(self, slide, title, eyebrow, paras, *, columns: int, width: float):
        """Text in `columns` boxes across the slide's body, at the largest size that fits; text
        that does not fit at MIN_TEXT_SIZE continues on further slides ("(continued)")."""
        height = L.BODY_BOTTOM - L.BODY_TOP
        gap = 0.3
        sizes = tuple(size for size in (14, 13, 12, 11, 10, 9) if size >= L.MIN_TEXT_SIZE)
        chunks = L.flow(paras, width - 0.2, height - 0.1, L.MIN_TEXT_SIZE)
        if len(chunks) <= columns:
            # Everything fits on this slide: one size for every box, the largest that fits.
            size = min(L.fit_size(chunk, width - 0.2, height - 0.1, sizes) for chunk in chunks)
            boxes = [chunks]
        else:
            size = L.MIN_TEXT_SIZE
            boxes = [chunks[i : i + columns] for i in range(0, len(chunks), columns)]
        for page, page_chunks in enumerate(boxes):
            if page:
                slide = self.slide(title + CONTINUED, eyebrow)
            for index, chunk in enumerate(page_chunks):
                self.text_box(
                    slide,
                    chunk,
                    L.MARGIN + index * (width + gap),
                    L.BODY_TOP,
                    width,
                    height,
                    (size,),
                )

    def key_result_slides(self, objective: ObjectiveBlock):
        deck = self.deck
        headers = [("Key Results", 4.3, False), ("Year Goal", 2.1, False)] + [
            (f"Q{q} Status", 1.5, q > deck.quarter_number) for q in deck.quarters
        ]
        rows = []
        for kr in objective.key_results:
            description = markdown_paras(kr.description)
            if kr.code:
                description[0].runs[:0] = [Run(kr.code, bold=True, colour=BRAND), Run(" ")]
            metric = kr.metric_row
            baseline = kr.baseline_text or (metric.baseline_text if metric else "")
            if baseline:
                description.append(Para([Run("Baseline: ", bold=True), Run(baseline)]))
            if kr.milestone_total and metric is None:
                done = kr.milestones_done or 0
                description.append(
                    Para([Run(f"{done} of {kr.milestone_total} milestones", colour=MUTED)])
                )
            goal = markdown_paras(kr.goal_text or (metric.goal_text if metric else ""))
            if metric is None:
                cells = [CellSpec(kr_cell_paras(cell)) for cell in kr.cells]
            else:
                cells = [CellSpec(metric_cell_paras(cell)) for cell in metric.cells]
            segments = metric.segments if metric else ()
            rows.append(
                RowSpec(
                    [CellSpec(description), CellSpec(goal or plain("-"))] + cells,
                    keep_with_next=bool(segments),
                )
            )
            rows.extend(_segment_rows(segments))
        self.table_slides(
            title=objective.title,
            eyebrow="Key Results",
            headers=headers,
            rows=rows,
            footnotes=_footnotes(objective.footnotes),
        )

    def drilldown_slides(self, objective: ObjectiveBlock, drilldown):
        title = drilldown.title or objective.title
        parts = [
            (heading, text)
            for heading, text in (
                ("The situation", drilldown.situation),
                ("The impact", drilldown.impact),
                ("The recommendation", drilldown.recommendation),
                ("Next steps", drilldown.next_steps),
            )
            if text
        ]
        if parts:
            self.drilldown_text_slides(title, parts)
        for table in drilldown.tables:
            self.drilldown_table_slides(title, table)

    def drilldown_text_slides(self, title: str, parts: list[tuple[str, str]]):
        """The drill-down's texts in two columns, as the page sets them: the situation and
        the recommendation on the left, the impact and the next steps on the right; at one
        size for both, or flowing on over further slides where they do not fit."""
        slide = self.slide(title, "Drill down")
        width = (L.CONTENT_WIDTH - 0.3) / 2
        height = L.BODY_BOTTOM - L.BODY_TOP
        columns: list[list[Para]] = [[], []]
        for index, (heading, text) in enumerate(parts):
            columns[index % 2] += [_heading(heading), *markdown_paras(text)]
        columns = [column for column in columns if column]
        sizes = (14, 13, 12, 11, 10, 9)
        size = min(L.fit_size(c, width - 0.2, height - 0.1, sizes) for c in columns)
        if not all(L.text_height(c, width - 0.2, size) <= height - 0.1 for c in columns):
            paras = [p for column in columns for p in column]
            self.flowing_text(slide, title, "Drill down", paras, columns=2, width=width)
            return
        for index, column in enumerate(columns):
            left = L.MARGIN + index * (width + 0.3)
            self.text_box(slide, column, left, L.BODY_TOP, width, height, (size,))

    def drilldown_table_slides(self, title: str, table):
        """A drill-down table: a label column, then the data columns at most 1.8 in wide."""
        data_width = min(1.8, (L.CONTENT_WIDTH - 5.0) / max(1, len(table.columns)))
        label_width = L.CONTENT_WIDTH - data_width * len(table.columns)
        headers = [("", label_width, False)] + [
            (column, data_width, False) for column in table.columns
        ]
        self.table_slides(
            title=title,
            eyebrow="Drill down" + (f" · {table.title}" if table.title else ""),
            headers=headers,
            rows=[_drilldown_row(row, len(table.columns)) for row in table.rows],
        )

    # --- appendix (S16) --------------------------------------------------------------------

    def acronym_slides(self):
        rows = [
            RowSpec(
                [
                    CellSpec([Para([Run(item.term, bold=True, colour=BRAND)])]),
                    CellSpec(plain(item.meaning)),
                ]
            )
            for item in self.deck.acronyms
        ]
        if not rows:
            slide = self.slide("Acronyms", SECTION_APPENDIX)
            self.text_box(
                slide,
                plain("This session defines no acronyms.", colour=MUTED),
                L.MARGIN,
                L.BODY_TOP,
                L.CONTENT_WIDTH,
                1,
            )
            return
        self.table_slides(
            title="Acronyms",
            eyebrow=SECTION_APPENDIX,
            headers=[("Acronym", 2.4, False), ("Meaning", L.CONTENT_WIDTH - 2.4, False)],
            rows=rows,
        )


def _segment_rows(segments, *, lead: tuple = ()) -> list[RowSpec]:
    """A metric's segment rows, shaded, each kept on the slide with the next but the last;
    `lead` holds the cells before the segment's name."""
    return [
        RowSpec(
            [
                *lead,
                CellSpec([Para(name_with_markers(row.name, row.footnote_markers))], SEGMENT_FILL),
                CellSpec(plain(row.goal_text or "-"), SEGMENT_FILL),
                *(CellSpec(metric_cell_paras(cell), SEGMENT_FILL) for cell in row.cells),
            ],
            keep_with_next=number < len(segments),
        )
        for number, row in enumerate(segments, start=1)
    ]


def _drilldown_row(row, columns: int) -> RowSpec:
    """A drill-down table's row: a group heading across the whole table, or a label and
    its cells (missing ones left empty, extra ones left out)."""
    label = markdown_paras(row.label)
    if row.is_group_heading:
        for para in label:
            para.runs = [Run(r.text, bold=True, colour="143A6B") for r in para.runs]
        return RowSpec(
            [CellSpec(label, GROUP_FILL, span=columns + 1)] + [COVERED] * columns,
            keep_with_next=True,
        )
    cells = list(row.cells) + [""] * (columns - len(row.cells))
    return RowSpec([CellSpec(label)] + [CellSpec(plain(c)) for c in cells[:columns]])


def _heading(text: str) -> Para:
    return Para([Run(text, bold=True, colour=BRAND)], heading=True)


def _metric_name(metric: MetricRow) -> list[Para]:
    paras = [Para([Run(metric.name, bold=True)])]
    if metric.baseline_text:
        paras.append(Para([Run("Baseline: ", bold=True), Run(metric.baseline_text)]))
    if metric.department:
        paras.append(Para([Run(metric.department, colour=MUTED)]))
    return paras


def _footnotes(footnotes: tuple[FootnoteItem, ...]) -> list[Para]:
    """As the pages list them: each marker with its meaning, then the markers the deck
    prints without explaining them."""
    paras = [
        Para([Run(note.marker, superscript=True), Run(f" {note.meaning}")])
        for note in footnotes
        if note.meaning
    ]
    unexplained = [note.marker for note in footnotes if not note.meaning]
    if unexplained:
        runs = [Run("Markers ")]
        for index, marker in enumerate(unexplained):
            runs += ([Run(" ")] if index else []) + [Run(marker, superscript=True)]
        runs.append(Run(" as printed in the deck, which does not explain them."))
        paras.append(Para(runs))
    return paras
