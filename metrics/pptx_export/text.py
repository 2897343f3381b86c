"""Deck text as runs: what a table cell or a text box holds, before python-pptx sees it.

A cell's runs join to exactly the text the pages print (`Cell.display`, built by
metrics.formatting): nothing is reworded here, the pieces only get their looks (a bold
figure, superscript footnote markers, an arrow coloured by whether the move is good).
Markdown goes through metrics.markdown (sanitised HTML) and is read back into paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

from metrics.formatting import INLINE_MARKERS, NO_STATUS, CellParts
from metrics.markdown import render_markdown
from metrics.selectors.deck_types import Cell, KeyResultCell

BRAND = "1F4E8C"
MUTED = "5B6775"
GOOD = "1E7B45"
BAD = "B3261E"
TONE_COLOURS = {"good": GOOD, "bad": BAD, "neutral": MUTED, "": MUTED}


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    superscript: bool = False
    colour: str = ""  # RRGGBB, "" for the text frame's colour


@dataclass
class Para:
    runs: list[Run] = field(default_factory=list)
    level: int = 0  # list nesting: 0 is a plain paragraph, 1 a bullet, 2 a sub-bullet
    heading: bool = False

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


def plain(text: str, **style) -> list[Para]:
    """Text as it is, one paragraph per line."""
    return [Para([Run(line, **style)]) for line in (text or "").splitlines() or [""]]


def paras_text(paras: list[Para]) -> str:
    """The text the paragraphs hold, whitespace collapsed: what tests compare."""
    return " ".join(" ".join(p.text for p in paras).split())


# --- metric cells ------------------------------------------------------------------------


def _marker_runs(markers: str, *, gap: bool) -> list[Run]:
    """Footnote markers as superscripts; the deck sets "*" tight and the others after a space
    (formatting.with_markers)."""
    if not markers:
        return []
    spacer = [] if markers in INLINE_MARKERS or not gap else [Run(" ")]
    return [*spacer, Run(markers, superscript=True, colour=MUTED)]


def parts_runs(parts: CellParts, tone: str) -> list[Run]:
    """One cell's pieces as runs, in CellParts.text's order and spacing."""
    pieces: list[list[Run]] = []
    if parts.state_text:
        pieces.append(
            [Run(parts.state_text, italic=True, colour=MUTED)]
            + _marker_runs(parts.state_markers, gap=False)
        )
    if parts.label and parts.label_before:
        pieces.append([Run(parts.label)])
    if parts.lead:
        pieces.append([Run(parts.lead, bold=True)] + _marker_runs(parts.lead_markers, gap=True))
    if parts.label and not parts.label_before:
        pieces.append([Run(parts.label)])
    if parts.detail:
        pieces.append(
            [Run(f"({parts.detail}")] + _marker_runs(parts.detail_markers, gap=True) + [Run(")")]
        )
    if parts.arrow_symbol:
        pieces.append([Run(f"({parts.arrow_symbol})", bold=True, colour=TONE_COLOURS[tone])])
    runs: list[Run] = []
    for index, piece in enumerate(pieces):
        if index:
            runs.append(Run(" "))
        runs.extend(piece)
    return runs or [Run(NO_STATUS, colour=MUTED)]


def metric_cell_paras(cell: Cell) -> list[Para]:
    """A metric or segment cell. A survey cell that prints its segments inline starts a new
    line at each group ("Organizers ...", "Admins ..."), as the deck sets it."""
    if cell.is_empty:
        return [Para([Run(NO_STATUS, colour=MUTED)])]
    if not cell.inline:
        return [Para(parts_runs(cell.parts, cell.arrow_tone))]
    paras = [Para()]
    if cell.parts.lead or cell.parts.state_text:
        paras[-1].runs.extend(parts_runs(cell.parts, cell.arrow_tone))
    current_group = None
    for item in cell.inline:
        if item.group and item.group != current_group:
            current_group = item.group
            if paras[-1].runs:
                paras.append(Para())
            paras[-1].runs.append(Run(item.group, bold=True, colour=BRAND))
        if paras[-1].runs:
            paras[-1].runs.append(Run(" "))
        if item.prefix:
            paras[-1].runs.append(Run(f"{item.prefix} "))
        paras[-1].runs.extend(parts_runs(item.parts, item.arrow_tone))
    return paras


def name_with_markers(name: str, markers: str) -> list[Run]:
    """A segment's name and its footnote markers ("Established markets ¹")."""
    return [Run(name)] + _marker_runs(markers, gap=True)


# --- key-result cells --------------------------------------------------------------------


def kr_cell_paras(cell: KeyResultCell) -> list[Para]:
    """A key result's cell as the objective page prints it: a tick when done, then its
    Markdown text, else its state or figure ("2 of 4", "540")."""
    if not cell.state:
        return [Para([Run(NO_STATUS, colour=MUTED)])]
    tick = [Run("✓", bold=True, colour=GOOD)] if cell.is_done else []
    if cell.text:
        paras = markdown_paras(cell.text)
        if tick:
            paras[0].runs[:0] = [*tick, Run(" ")]
        return paras
    if tick:
        return [Para(tick)]
    return [Para([Run(cell.display)])]


# --- Markdown ----------------------------------------------------------------------------


class _MarkdownReader(HTMLParser):
    """Reads the sanitised HTML of metrics.markdown back into paragraphs and styled runs."""

    BLOCKS = {"p", "li", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paras: list[Para] = []
        self.current: Para | None = None
        self.bold = self.italic = self.sup = 0
        self.list_depth = 0
        self.heading = False
        self.cells_in_row = 0

    def _para(self) -> Para:
        if self.current is None:
            self.current = Para(level=self.list_depth, heading=self.heading)
            self.paras.append(self.current)
        return self.current

    def _close(self):
        if self.current is not None:
            runs = self.current.runs
            # Trailing and leading whitespace from the HTML source is not the deck's text.
            while runs and not runs[-1].text.strip():
                runs.pop()
            while runs and not runs[0].text.strip():
                runs.pop(0)
            if runs:
                runs[0] = Run(runs[0].text.lstrip(), **_style(runs[0]))
                runs[-1] = Run(runs[-1].text.rstrip(), **_style(runs[-1]))
            else:
                self.paras.remove(self.current)
        self.current = None

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self._close()
            self.list_depth += 1
        elif tag in self.BLOCKS:
            self._close()
            self.heading = tag.startswith("h")
            self.cells_in_row = 0
        elif tag == "br":
            self._close()
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "sup":
            self.sup += 1
        elif tag in ("td", "th"):
            if self.cells_in_row:
                self._para().runs.append(Run(" | "))
            self.cells_in_row += 1

    def handle_endtag(self, tag):
        if tag in ("ul", "ol"):
            self._close()
            self.list_depth = max(0, self.list_depth - 1)
        elif tag in self.BLOCKS:
            self._close()
            self.heading = False
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
        elif tag == "sup":
            self.sup = max(0, self.sup - 1)

    def handle_data(self, data):
        text = " ".join(data.split()) if not data.isspace() else " "
        if data[:1].isspace() and text != " ":
            text = " " + text
        if data[-1:].isspace() and text != " ":
            text = text + " "
        if not text.strip() and self.current is None:
            return
        para = self._para()
        if para.runs and para.runs[-1].text.endswith(" ") and text.startswith(" "):
            text = text[1:]
        if text:
            para.runs.append(
                Run(
                    text,
                    bold=bool(self.bold) or self.heading,
                    italic=bool(self.italic),
                    superscript=bool(self.sup),
                )
            )


def _style(run: Run) -> dict:
    return {
        "bold": run.bold,
        "italic": run.italic,
        "superscript": run.superscript,
        "colour": run.colour,
    }


def markdown_paras(text: str) -> list[Para]:
    """Markdown (narratives, key-result texts, drill-downs) as paragraphs: bold and italic
    runs, list items as bullets, headings in bold. New paragraphs each time (callers add
    runs to them)."""
    return [Para(list(runs), level, heading) for runs, level, heading in _markdown(text)]


@lru_cache(maxsize=4096)
def _markdown(text: str) -> tuple[tuple[tuple[Run, ...], int, bool], ...]:
    """The paragraphs of markdown_paras, read once per text: a deck repeats its key results'
    texts (three in four at scale 100)."""
    reader = _MarkdownReader()
    reader.feed(str(render_markdown(text)))
    reader.close()
    reader._close()
    return tuple((tuple(p.runs), p.level, p.heading) for p in reader.paras or [Para()])
