"""Thread counts beside the cells of a session's pages, and Markdown as plain text.

The page's view puts `thread_counts` ({target key: ThreadCount}, one query for the page,
metrics.selectors.threads) and `thread_may_post` in the context; a page without them (the
printed deck, the earlier session's table) prints no count. Links are built from a URL
template made once per session (a page has hundreds of cells)."""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from metrics.markdown import markdown_to_text
from metrics.models.threads import (
    SESSION_KEY,
    key_result_cell_key,
    metric_cell_key,
    objective_key,
)

register = template.Library()


@lru_cache(maxsize=256)
def _thread_url_around(script_prefix: str, session_id: int) -> tuple[str, str]:
    placeholder = "target-key-placeholder"
    url = reverse("metrics:thread", kwargs={"session_id": session_id, "target_key": placeholder})
    before, after = url.split(placeholder)
    return before, after


def thread_url(session_id: int, key: str) -> str:
    before, after = _thread_url_around(get_script_prefix(), session_id)
    return f"{before}{key}{after}"


def _badge(context, key: str) -> str:
    counts = context.get("thread_counts")
    deck = context.get("deck")
    if counts is None or deck is None:
        return ""
    url = thread_url(deck.session_id, key)
    count = counts.get(key)
    if count:
        label = ngettext("%(n)d comment", "%(n)d comments", count.comments) % {"n": count.comments}
        if count.is_resolved:
            label = _("%(label)s (resolved)") % {"label": label}
        return format_html(
            '<a class="thread-count{}" href="{}" title="{}" data-thread="{}">'
            '<span aria-hidden="true">💬</span> {}<span class="visually-hidden"> {}</span></a>',
            " resolved" if count.is_resolved else "",
            url,
            label,
            key,
            count.comments,
            _("comments"),
        )
    if context.get("thread_may_post"):
        return format_html(
            '<a class="thread-add" href="{}" title="{}" data-thread="{}">'
            '<span aria-hidden="true">+💬</span><span class="visually-hidden">{}</span></a>',
            url,
            _("Discuss this cell"),
            key,
            _("Discuss this cell"),
        )
    return ""


@register.simple_tag(takes_context=True)
def metric_cell_thread(context, metric_id, segment_id, quarter_number):
    deck = context.get("deck")
    if deck is None or context.get("thread_counts") is None:
        return ""
    key = metric_cell_key(metric_id, segment_id or None, deck.fiscal_year, quarter_number)
    return _badge(context, key)


@register.simple_tag(takes_context=True)
def key_result_cell_thread(context, key_result_id, quarter_number):
    deck = context.get("deck")
    if deck is None or context.get("thread_counts") is None:
        return ""
    return _badge(context, key_result_cell_key(key_result_id, deck.fiscal_year, quarter_number))


@register.simple_tag(takes_context=True)
def objective_thread(context, objective_id):
    return _badge(context, objective_key(objective_id))


@register.simple_tag(takes_context=True)
def session_thread(context):
    return _badge(context, SESSION_KEY)


@register.filter
def plain(text):
    """Markdown as the words a reader sees, without its marks (search results)."""
    return markdown_to_text(text)


def _checkin_badge(counts, key: str) -> str:
    found = counts.get(key) if counts else None
    if not found:
        return ""
    label = ngettext("%(n)d comment", "%(n)d comments", found.comments) % {"n": found.comments}
    return format_html(
        '<a class="thread-count{}" href="{}" title="{}" data-thread="{}">'
        '<span aria-hidden="true">💬</span> {}<span class="visually-hidden"> {}</span></a>',
        " resolved" if found.is_resolved else "",
        thread_url(found.session_id, key),
        label,
        key,
        found.comments,
        _("comments"),
    )


@register.simple_tag
def checkin_metric_thread(counts, metric_id, segment_id, quarter):
    """The check-in's count for a metric's (or segment's) cell, linked to its thread."""
    key = metric_cell_key(metric_id, segment_id, quarter.fiscal_year, quarter.number)
    return _checkin_badge(counts, key)


@register.simple_tag
def checkin_key_result_thread(counts, key_result_id, quarter):
    key = key_result_cell_key(key_result_id, quarter.fiscal_year, quarter.number)
    return _checkin_badge(counts, key)
