from django import forms

from metrics.forms.narratives import markdown_field


class SessionTextsForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    title = forms.CharField(max_length=300)
    overview = markdown_field("Overview")
    progress_challenges = markdown_field("Progress / Challenges")
    actions = markdown_field("Action")


class OpenNextForm(forms.Form):
    source = forms.IntegerField(widget=forms.HiddenInput)
    status_deadline = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Departments submit their status by then.",
    )
