"""The whole history of one cell of the deck (a quarterly status): every change, who made
it, and what the cell read after it, worked back from the cell as it is now through the
recorded old values ("what did this say last week?")."""

import copy
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from itertools import groupby

from django.contrib.contenttypes.models import ContentType

from metrics.formatting import NO_STATUS, cell_display, format_plain, key_result_display
from metrics.models import ChangeSource, HistoryEntry, KeyResultStatus, QuarterlyStatus
from metrics.parsing import ascii_int

# History keeps values as text (services.history.history_value); these are read back as
# the types the formatting needs.
DECIMAL_FIELDS = {"value", "yoy_delta", "number"}
BOOLEAN_FIELDS = {"value_is_manual", "is_done"}
INTEGER_FIELDS = {"milestones_done", "confidence_score"}
SOURCE_LABELS = dict(ChangeSource.choices)


EMPTY = "∅"


def _field_labels(*models) -> tuple[dict, dict]:
    names, choices = {}, {}
    for model in models:
        for model_field in model._meta.get_fields():
            if not hasattr(model_field, "verbose_name"):
                continue
            names[model_field.name] = str(model_field.verbose_name)
            if getattr(model_field, "choices", None):
                choices[model_field.name] = {
                    str(key): str(label) for key, label in model_field.choices
                }
    names["yoy_delta"] = "YoY delta"
    return names, choices


FIELD_NAMES, CHOICE_LABELS = _field_labels(QuarterlyStatus, KeyResultStatus)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old_value: str | None
    new_value: str | None

    @property
    def label(self) -> str:
        return FIELD_NAMES.get(self.field, self.field)

    @property
    def old_label(self) -> str:
        return _value_label(self.field, self.old_value)

    @property
    def new_label(self) -> str:
        return _value_label(self.field, self.new_value)


def _value_label(field: str, text: str | None) -> str:
    if text is None or text == "":
        return EMPTY
    if field in DECIMAL_FIELDS - {"yoy_delta"}:
        try:
            return format_plain(text)  # "7.2", never the stored "7.200000"
        except (ArithmeticError, ValueError):
            return text
    return CHOICE_LABELS.get(field, {}).get(text, text)


@dataclass(frozen=True)
class CellVersion:
    """One save (a form, an API call, a recompute...) and the cell as it read after it."""

    changed_at: datetime
    actor: str
    source: str
    changes: tuple[FieldChange, ...]
    display: str


@dataclass(frozen=True)
class CellHistory:
    """A quarterly status or a key-result status, and its versions."""

    status: QuarterlyStatus | KeyResultStatus
    label: str
    display: str
    versions: tuple[CellVersion, ...]  # newest first


def _typed(field: str, text: str | None):
    if text is None:
        return None
    if field in DECIMAL_FIELDS:
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    if field in BOOLEAN_FIELDS:
        return text == "true"
    if field in INTEGER_FIELDS:
        return ascii_int(text)
    return text


def status_history(*, status_id: int) -> CellHistory | None:
    """A metric's (or segment's) cell and all of its history, newest first; None for an
    unknown id. Two queries (three the first time the content type is looked up)."""
    status = (
        QuarterlyStatus.objects.select_related("metric", "segment", "quarter")
        .filter(pk=status_id)
        .first()
    )
    if status is None:
        return None
    target = status.metric.name
    if status.segment_id:
        target = f"{target} / {status.segment.name}"

    def display(snapshot) -> str:
        return cell_display(snapshot, metric=status.metric, segment=status.segment)

    return _history(status, label=f"{target}, {status.quarter.label}", display=display)


def key_result_status_history(*, status_id: int) -> CellHistory | None:
    """A key result's cell and all of its history, newest first; None for an unknown id."""
    status = (
        KeyResultStatus.objects.select_related("key_result__objective", "quarter")
        .filter(pk=status_id)
        .first()
    )
    if status is None:
        return None
    key_result = status.key_result

    def display(snapshot) -> str:
        return key_result_display(snapshot, key_result.milestone_total)

    label = f"{key_result}, {status.quarter.label}"  # "ARMDEB: KR1 ..., Q2 FY20-21"
    return _history(status, label=label, display=display)


def _history(status, *, label: str, display) -> CellHistory:
    """Works back from the row as it is now through the old values of each save."""
    entries = (
        HistoryEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(status)), object_id=status.pk
        )
        .select_related("actor")
        .order_by("-changed_at", "-id")
    )
    snapshot = copy.copy(status)
    versions = []
    for (changed_at, _actor_id, source), group in groupby(
        entries, key=lambda entry: (entry.changed_at, entry.actor_id, entry.source)
    ):
        group = list(group)
        versions.append(
            CellVersion(
                changed_at=changed_at,
                actor=group[0].actor.get_username() if group[0].actor else "",
                source=SOURCE_LABELS.get(source, source),
                changes=tuple(
                    FieldChange(entry.field, entry.old_value, entry.new_value)
                    for entry in reversed(group)
                ),
                # A row worked back to before its creation has no state: nothing printed.
                display=display(snapshot) or NO_STATUS,
            )
        )
        # Step back to before this save.
        for entry in group:
            if hasattr(snapshot, entry.field):
                setattr(snapshot, entry.field, _typed(entry.field, entry.old_value))
    return CellHistory(
        status=status, label=label, display=display(status), versions=tuple(versions)
    )
