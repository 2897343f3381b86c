"""A tuning session's deck as a PowerPoint file (python-pptx), built from the same
`session_deck()` data and `metrics.formatting` text as the pages: native tables whose cells
read exactly what the deck prints, native charts (editable in PowerPoint) from the same
figures as the metric pages, and the narratives' Markdown as formatted text.

    deck_pptx(session_id) -> PptxFile (filename, content)

Modules: `text` (cells and Markdown as runs), `layout` (sizes, text fitting, table paging),
`charts` (ChartSpec -> native chart), `builder` (the slides in deck order, through
python-pptx), `fast` (the same slides written as XML text: `xmltext`, `chartxml`,
`workbook`, streamed into the zip by `writer` and `zipparts`), `export` (deck_pptx).
"""

from metrics.pptx_export.builder import PPTX_CONTENT_TYPE, PptxFile, deck_pptx_filename
from metrics.pptx_export.export import deck_pptx

__all__ = ["PPTX_CONTENT_TYPE", "PptxFile", "deck_pptx", "deck_pptx_filename"]
