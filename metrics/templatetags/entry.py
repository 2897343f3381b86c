from django import template

from metrics import permissions
from metrics.formatting import cell_display, plain_decimal
from metrics.markdown import render_markdown

register = template.Library()


@register.simple_tag
def can_check_in(user) -> bool:
    """Leads and admins get the Check-in link."""
    return permissions.writes_figures(user)


@register.simple_tag
def deck_text(status, metric, segment=None) -> str:
    """What the deck prints for the row now ("+8.1% YoY (92K/mo*)")."""

    return cell_display(status, metric=metric, segment=segment)


@register.filter
def attr_markdown(obj, name):
    """A Markdown field of an object, rendered and sanitised."""

    return render_markdown(getattr(obj, name, ""))


@register.filter
def plain_number(value) -> str:
    """A stored number as a person types it ("7.2", "93000"), never the stored "7.200000"
    that floatformat would print."""

    if value is None or value == "":
        return ""
    try:
        return plain_decimal(value)
    except (ArithmeticError, ValueError, TypeError):
        return str(value)
