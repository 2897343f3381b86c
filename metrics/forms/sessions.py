from django import forms
from django.utils.translation import gettext_lazy as _

from metrics.forms.checkin import TextAreaField, VersionedRowForm
from metrics.forms.narratives import markdown_field
from metrics.services.validation import MAX_MARKDOWN_CHARS


class SessionTextsForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    title = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"size": 80}))
    overview = markdown_field(_("Overview"))
    progress_challenges = markdown_field(_("Progress / Challenges"))
    actions = markdown_field(_("Action"))


class OpenNextForm(forms.Form):
    source = forms.IntegerField(widget=forms.HiddenInput)
    status_deadline = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Departments submit their status by then."),
    )


# --- corrections in the session editor (versioned like the check-in's rows) -------------------


class KeyResultEditForm(VersionedRowForm):
    """A key result's wording, baseline and goal, corrected in the session editor."""

    code = forms.CharField(label=_("Code"), required=False, max_length=20)
    description = TextAreaField(
        label=_("Key result"),
        max_length=MAX_MARKDOWN_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Markdown."),
    )
    baseline_text = forms.CharField(label=_("Baseline"), required=False, max_length=500)
    goal_text = TextAreaField(
        label=_("Year goal"),
        required=False,
        max_length=MAX_MARKDOWN_CHARS,
        widget=forms.Textarea(attrs={"rows": 1, "cols": 60}),
        help_text=_("Markdown."),
    )

    FIELDS = ("code", "description", "baseline_text", "goal_text")

    @classmethod
    def for_key_result(cls, key_result, data=None):
        initial = cls.with_seen(
            {"version": key_result.version}
            | {name: getattr(key_result, name) for name in cls.FIELDS}
        )
        return cls(data, initial=initial, prefix=f"kr-{key_result.pk}")


class ObjectiveEditForm(VersionedRowForm):
    """An objective's statement, target quarter and department, corrected in the editor."""

    statement = TextAreaField(
        label=_("Objective"),
        max_length=MAX_MARKDOWN_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )
    target_quarter_text = forms.CharField(
        label=_("Target quarter"),
        required=False,
        max_length=50,
        help_text=_('As the deck prints it, e.g. "Q4" or "EOY".'),
    )
    department = forms.TypedChoiceField(
        label=_("Department"), required=False, coerce=int, empty_value=None
    )

    FIELDS = ("statement", "target_quarter_text", "department")

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = {d.pk: d for d in departments}
        self.fields["department"].choices = [("", _("(none: admins edit it)"))] + [
            (d.pk, d.name) for d in departments
        ]

    def clean_department(self):
        department_id = self.cleaned_data.get("department")
        return None if department_id is None else self.departments[department_id]

    @classmethod
    def for_objective(cls, objective, *, departments, data=None):
        initial = cls.with_seen(
            {
                "version": objective.version,
                "statement": objective.statement,
                "target_quarter_text": objective.target_quarter_text,
                "department": objective.department_id or "",
            }
        )
        return cls(data, initial=initial, departments=departments, prefix=f"obj-{objective.pk}")

    def service_fields(self) -> dict:
        """What the person edited, as the service takes it."""
        return {name: self.cleaned_data[name] for name in self.edited_names()}
