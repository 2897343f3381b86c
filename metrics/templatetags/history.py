"""History in words: one saved change as a person would say it ("entered by hand",
"value 6.1", "state Not available → Reported") instead of the stored field name and text
(`value_is_manual: ∅ → true`, `6.100000`).

Works on anything with `field`, `old_value` and `new_value` (a HistoryEntry, or a
FieldChange of the cell-history selector)."""

from django import template
from django.utils.text import Truncator

from metrics.formatting import format_plain, format_yoy
from metrics.models import Arrow, Attainment, Confidence, StatusState

register = template.Library()

# Short names for the fields a person changes; others fall back to their own name in words.
FIELD_WORDS = {
    "value": "value",
    "yoy_delta": "YoY change",
    "state": "state",
    "arrow": "arrow",
    "attainment": "attainment",
    "footnote_markers": "markers",
    "state_markers": "state markers",
    "comment": "comment",
    "text": "text",
    "number": "number",
    "milestones_done": "milestones done",
    "next_steps": "next steps",
    "confidence": "confidence",
    "confidence_score": "confidence score",
    "baseline_text": "baseline",
    "goal_text": "goal",
    "target_quarter_text": "target quarter",
    "target_quarter": "target quarter",
    "carry_over": "carry into the next quarter",
    "is_retired": "retired",
}
CHOICES = {
    "state": dict(StatusState.choices),
    "arrow": {key: label for key, label in Arrow.choices if key},
    "attainment": dict(Attainment.choices),
    "confidence": dict(Confidence.choices),
}
NUMBER_FIELDS = {"value", "number", "milestones_done", "confidence_score"}
TEXT_LIMIT = 80


def _empty(text) -> bool:
    return text is None or text == ""


def _value_words(field: str, text) -> str:
    if _empty(text):
        return ""
    if field in CHOICES:
        return CHOICES[field].get(text, text)
    if field in NUMBER_FIELDS:
        try:
            return format_plain(text)
        except (ArithmeticError, ValueError):
            return text
    if field == "yoy_delta":
        try:
            return format_yoy(text).removesuffix(" YoY")
        except (ArithmeticError, ValueError):
            return text
    return Truncator(text).chars(TEXT_LIMIT)


def change_words(field: str, old, new) -> str:
    """One change in words."""
    if field == "value_is_manual":
        if new == "true":
            return "entered by hand"
        return "computed from the data again" if old == "true" else "computed from the data"
    if field == "is_done":
        return "marked done" if new == "true" else "marked not done"
    if field == "carry_over":
        return "marked to carry into the next quarter" if new == "true" else "not to be carried"
    if field == "is_retired":
        return "retired" if new == "true" else "restored"
    name = FIELD_WORDS.get(field, field.replace("_", " "))
    old_words, new_words = _value_words(field, old), _value_words(field, new)
    if not new_words:
        return f"{name} cleared (was {old_words})" if old_words else f"{name} cleared"
    if not old_words:
        return f"{name} {new_words}"
    return f"{name} {old_words} → {new_words}"


@register.filter
def in_words(change) -> str:
    return change_words(change.field, change.old_value, change.new_value)
