from django import forms
from django.utils.translation import gettext_lazy as _

from metrics.forms.checkin import TextAreaField, VersionedRowForm
from metrics.services.validation import MAX_MARKDOWN_CHARS

MARKDOWN_HELP = _("Markdown: **bold**, *italic*, lists with - , links. HTML is removed.")


def markdown_field(label: str, *, required: bool = False) -> forms.CharField:
    return TextAreaField(
        label=label,
        required=required,
        max_length=MAX_MARKDOWN_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text=MARKDOWN_HELP,
    )


# Versioned like the check-in's rows: `seen` carries what the person read, so a conflict
# keeps only the fields they edited (metrics/forms/conflicts.py).
class ObjectiveNarrativeForm(VersionedRowForm):
    statement = markdown_field(_("Objective"), required=True)
    narrative = markdown_field(_("Narrative"))
    target_quarter_text = forms.CharField(label=_("Target quarter"), required=False, max_length=50)


class DrilldownForm(VersionedRowForm):
    title = forms.CharField(required=False, max_length=200)
    situation = markdown_field(_("The situation"))
    impact = markdown_field(_("The impact"))
    recommendation = markdown_field(_("The recommendation"))
    next_steps = markdown_field(_("Next steps"))
