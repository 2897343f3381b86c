"""Template filters and tags of the dashboards: deck cells, markdown, attainment badges."""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from metrics.formatting import INLINE_MARKERS, NO_STATUS
from metrics.markdown import render_markdown, render_markdown_inline
from metrics.models import Attainment, Confidence

register = template.Library()

# One home for the labels: the model's choices.
ATTAINMENT_LABELS = dict(Attainment.choices)


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text)


@register.filter(name="markdown_inline")
def markdown_inline_filter(text):
    return render_markdown_inline(text)


@lru_cache(maxsize=256)
def _objective_url_around(script_prefix: str, session_id: int) -> tuple[str, str]:
    placeholder = "objective-slug-placeholder"
    url = reverse(
        "metrics:objective", kwargs={"session_id": session_id, "objective_slug": placeholder}
    )
    before, after = url.split(placeholder)
    return before, after


@register.simple_tag
def objective_url(session_id: int, slug: str) -> str:
    """`{% url 'metrics:objective' ... %}` for lists of hundreds of links (a large session's
    key deliverables): the URL around the slug is reversed once per session, not per link.
    Slugs are URL-safe as they are."""
    before, after = _objective_url_around(get_script_prefix(), session_id)
    return before + slug + after


@register.simple_tag
def deck_cell(cell):
    """One metric or segment cell: bold figure, superscript markers, coloured arrow.

    Built in Python rather than by an inclusion template: a scale-100 metrics table has 16,000
    cells, and an inclusion tag (a context and two template renderings each) cost most of
    its rendering time."""
    if cell.inline:
        pieces = ['<span class="inline-cell">']
        if cell.parts.lead or cell.parts.state_text:
            pieces += ['<span class="inline-seg">', _parts(cell.parts, cell.arrow_tone), "</span> "]
        group = None
        for index, item in enumerate(cell.inline):
            if item.group != group:
                group = item.group
                if item.group:
                    pieces.append(f'<span class="inline-group">{escape(item.group)}</span> ')
            pieces.append('<span class="inline-seg">')
            if item.prefix:
                pieces.append(f"{escape(item.prefix)} ")
            pieces += [_parts(item.parts, item.arrow_tone), "</span>"]
            if index < len(cell.inline) - 1:
                pieces.append(" ")
        pieces.append("</span>")
        return mark_safe("".join(pieces))  # noqa: S308 (every text escaped above)
    if cell.is_empty:
        return mark_safe(f'<span class="empty">{NO_STATUS}</span>')  # noqa: S308
    return mark_safe(_parts(cell.parts, cell.arrow_tone))  # noqa: S308


ARROW_TITLES = {"good": "Good for this metric", "bad": "Bad for this metric"}


def _parts(parts, tone) -> str:
    """A cell's parts as the deck sets them (state, label, bold figure, detail, arrow)."""
    out = []
    if parts.state_text:
        out.append(f'<span class="state">{escape(parts.state_text)}')
        if parts.state_markers:
            out.append(f'<sup class="marker">{escape(parts.state_markers)}</sup>')
        out.append("</span>")
        if parts.detail:
            out.append(" ")
    if parts.label and parts.label_before:
        out.append(f'<span class="label">{escape(parts.label)}</span> ')
    if parts.lead:
        out.append(
            f'<strong class="figure">{escape(parts.lead)}{_markers(parts.lead_markers)}</strong>'
        )
    if parts.label and not parts.label_before:
        out.append(f' <span class="label">{escape(parts.label)}</span>')
    if parts.lead and parts.detail:
        out.append(" ")
    if parts.detail:
        out.append(
            f'<span class="detail">({escape(parts.detail)}{_markers(parts.detail_markers)})</span>'
        )
    if parts.arrow_symbol:
        out.append(
            f' <span class="arrow arrow-{escape(tone or "neutral")}" '
            f'title="{ARROW_TITLES.get(tone, "Trend")}">({escape(parts.arrow_symbol)})</span>'
        )
    return "".join(out)


@register.inclusion_tag("metrics/partials/kr_cell.html")
def kr_cell(cell):
    return {"cell": cell}


@register.inclusion_tag("metrics/partials/attainment.html")
def attainment_badge(attainment):
    return {"attainment": attainment, "label": ATTAINMENT_LABELS.get(attainment, "")}


@register.filter
def _markers(markers: str) -> str:
    """Footnote markers after a figure, as superscript (nothing without markers)."""
    if not markers:
        return ""
    return f'{marker_gap(markers)}<sup class="marker">{escape(markers)}</sup>'


def marker_gap(markers):
    """The space the deck sets before a marker: none before "*", one before superscripts."""
    return "" if not markers or markers in INLINE_MARKERS else " "


@register.filter
def unexplained_markers(footnotes):
    return [note.marker for note in footnotes if not note.meaning]


# --- a key result's confidence, beside its printed cells ----------------------------------------

CONFIDENCE_LABELS = dict(Confidence.choices)


@register.filter
def has_confidence(key_result_row) -> bool:
    """Whether any quarter of the key result has a confidence (its row is then shown)."""
    return any(cell.confidence for cell in key_result_row.cells)


@register.inclusion_tag("metrics/partials/confidence.html")
def confidence_badge(cell):
    return {
        "cell": cell,
        "label": CONFIDENCE_LABELS.get(cell.confidence, ""),
    }


@register.filter
def fragment(fragments, key):
    """A row's HTML as the page's fragments hold it (metrics/views/row_fragments.py): rendered
    by the project's own templates, which escaped what they printed."""
    return mark_safe(fragments[key])  # noqa: S308
