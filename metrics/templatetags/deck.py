"""Template filters and tags of the dashboards: deck cells, markdown, attainment badges."""

from django import template

from metrics.formatting import INLINE_MARKERS
from metrics.markdown import render_markdown, render_markdown_inline

register = template.Library()

ATTAINMENT_LABELS = {
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "no_data": "No data",
    "paused": "Paused",
}


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text)


@register.filter(name="markdown_inline")
def markdown_inline_filter(text):
    return render_markdown_inline(text)


@register.inclusion_tag("metrics/partials/cell.html")
def deck_cell(cell):
    """One metric or segment cell: bold figure, superscript markers, coloured arrow."""
    return {"cell": cell}


@register.inclusion_tag("metrics/partials/kr_cell.html")
def kr_cell(cell):
    return {"cell": cell}


@register.inclusion_tag("metrics/partials/attainment.html")
def attainment_badge(attainment):
    return {"attainment": attainment, "label": ATTAINMENT_LABELS.get(attainment, "")}


@register.filter
def attainment_label(attainment):
    return ATTAINMENT_LABELS.get(attainment, "")


@register.filter
def marker_gap(markers):
    """The space the deck sets before a marker: none before "*", one before superscripts."""
    return "" if not markers or markers in INLINE_MARKERS else " "


@register.filter
def unexplained_markers(footnotes):
    return [note.marker for note in footnotes if not note.meaning]
