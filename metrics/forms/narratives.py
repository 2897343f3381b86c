from django import forms

from metrics.forms.checkin import TextAreaField
from metrics.services.validation import MAX_MARKDOWN_CHARS

MARKDOWN_HELP = "Markdown: **bold**, *italic*, lists with - , links. HTML is removed."


def markdown_field(label: str, *, required: bool = False) -> forms.CharField:
    return TextAreaField(
        label=label,
        required=required,
        max_length=MAX_MARKDOWN_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text=MARKDOWN_HELP,
    )


class ObjectiveNarrativeForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    statement = markdown_field("Objective", required=True)
    narrative = markdown_field("Narrative")
    target_quarter_text = forms.CharField(label="Target quarter", required=False, max_length=50)


class DrilldownForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    title = forms.CharField(required=False, max_length=200)
    situation = markdown_field("The situation")
    impact = markdown_field("The impact")
    recommendation = markdown_field("The recommendation")
    next_steps = markdown_field("Next steps")
