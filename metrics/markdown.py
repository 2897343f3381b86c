"""Markdown written by people (narratives, drill-downs, key-result texts) to safe HTML.

Markdown is rendered first, then nh3 removes everything outside a small allow-list, so a
`<script>` or an `onclick` typed into a narrative never reaches a page.
"""

import threading
from functools import lru_cache

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6", "hr", "i",
    "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan"}, "th": {"colspan"}}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["sane_lists", "tables"]


_local = threading.local()


def _converter() -> markdown_lib.Markdown:
    """One converter per thread, reset between texts: building one (its parser and
    extensions) cost ten times the conversion, 10k times for a whole deck at 100x."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = markdown_lib.Markdown(
            extensions=EXTENSIONS, output_format="html"
        )
    return converter


@lru_cache(maxsize=8192)
def _clean_html(text: str) -> str:
    """A pure function of the text: the same narrative printed on several slides (and
    drill-downs repeated across sessions) is converted once."""
    converter = _converter()
    try:
        html = converter.convert(text)
    finally:
        converter.reset()
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def render_markdown(text: str | None) -> SafeString:
    """Block markdown (paragraphs, lists) as sanitised HTML."""
    if not text:
        return mark_safe("")
    # nh3 has just removed everything outside the allow-list.
    return mark_safe(_clean_html(text))


def render_markdown_inline(text: str | None) -> SafeString:
    """Markdown for a table cell: a single paragraph loses its <p> wrapper."""
    html = str(render_markdown(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return mark_safe(html)  # already sanitised by render_markdown


def markdown_to_text(text: str | None) -> str:
    """What a reader sees of a Markdown text, as plain text without its marks ("**COVID-19**"
    reads "COVID-19"): for search snippets and slide notes."""
    if not text:
        return ""
    import html

    plain = nh3.clean(_clean_html(text), tags=set(), attributes={})
    return " ".join(html.unescape(plain).split())
