"""A tuning session's deck as a PowerPoint file (python-pptx), built from the same
`session_deck()` data and `metrics.formatting` text as the pages: native tables whose cells
read exactly what the deck prints, native charts (editable in PowerPoint) from the same
figures as the metric pages, and the narratives' Markdown as formatted text.

    deck_pptx(session_id) -> bytes

Modules: `text` (cells and Markdown as runs), `layout` (sizes, text fitting, table paging),
`charts` (Plotly figure -> native chart), `builder` (the slides in deck order).
"""

from metrics.pptx_export.builder import PPTX_CONTENT_TYPE, PptxFile, deck_pptx, deck_pptx_filename

__all__ = ["PPTX_CONTENT_TYPE", "PptxFile", "deck_pptx", "deck_pptx_filename"]
