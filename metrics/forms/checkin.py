"""The rows of the check-in page: one small form per metric/segment row and per key result,
each with the version it was read at (the optimistic lock)."""

import json
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from metrics.formatting import plain_decimal
from metrics.models import Confidence, StatusState


def number_text(value: Decimal | None) -> str:
    """A stored number as a person types it: 92000.000000 -> "92000", 7.600000 -> "7.6"."""
    return "" if value is None else plain_decimal(value)


class TextAreaField(forms.CharField):
    """Multi-line text: browsers send CRLF line ends; stored text has LF. Without this, every
    save would count a multi-line text as changed."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


# A `seen` value is one field's value as the page showed it: anything else (a list, an object
# nested a thousand deep) was not written by the page and counts as not seen.
_SEEN_SCALARS = (str, bool, int, float, type(None))


class VersionedRowForm(forms.Form):
    """A row with the version it was read at and, in `seen`, the values the person saw: what
    they edited is what differs from those, not from what is stored now (someone else may
    have saved other fields since). After an edit conflict the page offers `keep_mine`:
    ticked, what the row shows replaces what is stored; unticked, what the person typed
    before the conflict is not written and the other person's values stay."""

    version = forms.IntegerField(
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={"required": _("This row lost its version; reload the page.")},
    )
    seen = forms.CharField(required=False, widget=forms.HiddenInput)
    keep_mine = forms.BooleanField(required=False, label=_("Keep mine"))

    BOOKKEEPING = ("version", "seen", "keep_mine")

    @classmethod
    def with_seen(cls, initial: dict) -> dict:
        values = {k: v for k, v in initial.items() if k not in cls.BOOKKEEPING}
        return {**initial, "seen": json.dumps(values, default=str)}

    def _seen_values(self) -> dict | None:
        try:
            seen = json.loads(self.data.get(self.add_prefix("seen")) or "null")
        except (ValueError, RecursionError):
            return None
        if not isinstance(seen, dict):
            return None
        return {name: value for name, value in seen.items() if isinstance(value, _SEEN_SCALARS)}

    def keeps_mine(self) -> bool:
        name = self.add_prefix("keep_mine")
        return self.fields["keep_mine"].widget.value_from_datadict(self.data, self.files, name)

    def edited_names(self) -> list[str]:
        """The fields the person changed on the page (without `seen`, or with "keep mine"
        ticked, those that differ from what is stored)."""
        seen = None if self.keeps_mine() else self._seen_values()
        if seen is None:
            return [name for name in self.changed_data if name not in self.BOOKKEEPING]
        return [
            name
            for name, field in self.fields.items()
            if name not in self.BOOKKEEPING
            and field.has_changed(seen.get(name, field.initial), self[name].data)
        ]

    def changed_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.edited_names()}

    def as_data(self) -> dict:
        """This form's initial values as a browser would post them."""
        data = {}
        for name, field in self.fields.items():
            value = self.initial.get(name, field.initial)
            if value is None or value is False:
                continue
            data[self.add_prefix(name)] = "on" if value is True else str(value)
        return data


class StatusRowForm(VersionedRowForm):
    value = forms.CharField(
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10, "class": "value"}),
    )
    state = forms.ChoiceField(choices=StatusState.choices)
    footnote_markers = forms.CharField(
        required=False, max_length=20, widget=forms.TextInput(attrs={"size": 3})
    )
    state_markers = forms.CharField(
        required=False, max_length=20, widget=forms.TextInput(attrs={"size": 3})
    )
    comment = TextAreaField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 1, "cols": 28})
    )

    @staticmethod
    def initial_for(status) -> dict:
        if status is None:
            return StatusRowForm.with_seen({"version": 0, "state": StatusState.REPORTED})
        return StatusRowForm.with_seen(
            {
                "version": status.version,
                "value": number_text(status.value),
                "state": status.state,
                "footnote_markers": status.footnote_markers,
                "state_markers": status.state_markers,
                "comment": status.comment,
            }
        )


class KeyResultRowForm(VersionedRowForm):
    state = forms.ChoiceField(choices=StatusState.choices)
    text = TextAreaField(
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 36}),
        help_text=_("Markdown."),
    )
    number = forms.CharField(
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}),
    )
    milestones_done = forms.CharField(
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 3}),
    )
    is_done = forms.BooleanField(required=False, label=_("Done ✓"))
    comment = TextAreaField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 1, "cols": 24})
    )
    confidence = forms.ChoiceField(
        required=False,
        choices=[("", _("(not given)")), *Confidence.choices],
        label=_("Confidence"),
    )
    confidence_score = forms.CharField(
        required=False,
        max_length=4,
        label=_("Confidence score (1-10)"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 2}),
    )

    @staticmethod
    def initial_for(status) -> dict:
        if status is None:
            return KeyResultRowForm.with_seen({"version": 0, "state": StatusState.REPORTED})
        return KeyResultRowForm.with_seen(
            {
                "version": status.version,
                "state": status.state,
                "text": status.text,
                "number": number_text(status.number),
                # As text, like the posted value: an int would always count as changed.
                "milestones_done": ""
                if status.milestones_done is None
                else str(status.milestones_done),
                "is_done": status.is_done,
                "comment": status.comment,
                "confidence": status.confidence,
                "confidence_score": ""
                if status.confidence_score is None
                else str(status.confidence_score),
            }
        )
