from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from metrics.services.validation import parse_date

MAX_PASTE_CHARS = 200_000
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class MonthField(forms.CharField):
    """A month as <input type=month> sends it (2020-01) or a full date (2020-01-01)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def clean(self, value) -> date | None:
        value = super().clean(value)
        if not value:
            return None
        try:
            day = parse_date(value, field="start")
        except ValidationError:
            raise ValidationError(gettext("Enter a month as YYYY-MM, e.g. 2020-01.")) from None
        return day.replace(day=1)


class BackfillForm(forms.Form):
    """A column of values pasted from a spreadsheet, the first one for `start`."""

    row = forms.ChoiceField(label=_("Metric or segment"))
    start = MonthField(label=_("First month"))
    values = forms.CharField(
        label=_("Values, one per line"),
        max_length=MAX_PASTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 20, "maxlength": MAX_PASTE_CHARS}),
        help_text=_(
            "Paste a column from a spreadsheet: 92000 or 7.6, one period per line; "
            "an empty line skips a period."
        ),
    )

    def __init__(self, *args, row_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["row"].choices = row_choices


class CsvImportForm(forms.Form):
    file = forms.FileField(
        required=False,
        label=_("CSV file"),
        help_text=_(
            "Columns: metric, segment, period_start, period_end, value (metric and "
            "segment by slug; segment and period_end may be empty)."
        ),
    )
    text = forms.CharField(
        required=False,
        label=_("…or paste CSV"),
        max_length=MAX_PASTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80, "maxlength": MAX_PASTE_CHARS}),
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            if upload.size > MAX_UPLOAD_BYTES:
                raise ValidationError(
                    gettext("The file is %(size).1f MB; at most %(limit)s MB per import. Split it.")
                    % {"size": upload.size / 1024 / 1024, "limit": MAX_UPLOAD_BYTES // 1024 // 1024}
                )
            try:
                cleaned["csv_text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError(
                    gettext("The file is not UTF-8 text; save it as CSV UTF-8.")
                ) from None
            if "\x00" in cleaned["csv_text"]:
                # As a pasted text is refused: no cell holds one, and the database refuses it.
                raise ValidationError(
                    gettext(
                        "The file contains NUL characters: it is not CSV text; save it as CSV UTF-8."
                    )
                )
        elif cleaned.get("text"):
            cleaned["csv_text"] = cleaned["text"]
        else:
            raise ValidationError(gettext("Choose a CSV file or paste CSV text."))
        return cleaned
