"""Reading an exported deck back with python-pptx, as a person opening it would see it."""

import io

from pptx import Presentation


def open_deck(content: bytes):
    return Presentation(io.BytesIO(content))


def squash(text: str) -> str:
    return " ".join(text.split())


def title_of(slide) -> str:
    return squash(slide.shapes.title.text_frame.text) if slide.shapes.title else ""


def texts_of(slide) -> list[str]:
    return [squash(shape.text_frame.text) for shape in slide.shapes if shape.has_text_frame]


def tables_of(slide):
    return [shape.table for shape in slide.shapes if shape.has_table]


def charts_of(slide):
    return [shape.chart for shape in slide.shapes if shape.has_chart]


def rows_of(table) -> list[list[str]]:
    return [[squash(cell.text_frame.text) for cell in row.cells] for row in table.rows]


def slides_titled(deck, title: str) -> list:
    return [s for s in deck.slides if title_of(s) in (title, f"{title} (continued)")]


def body_rows(slides) -> list[list[str]]:
    """The rows of the tables on these slides, header rows left out."""
    return [row for slide in slides for table in tables_of(slide) for row in rows_of(table)[1:]]


def runs_of(cell):
    return [run for p in cell.text_frame.paragraphs for run in p.runs]


def find_cell(slides, first_column_starts: str, column: int, *, column_of_name: int = 1):
    """The python-pptx cell in the row whose name column starts with the text."""
    for slide in slides:
        for table in tables_of(slide):
            for row in list(table.rows)[1:]:
                name = squash(row.cells[column_of_name].text_frame.text)
                if name.startswith(first_column_starts):
                    return row.cells[column]
    raise AssertionError(f"no row starting {first_column_starts!r}")
