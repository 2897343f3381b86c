from django import forms


class QuarterPickForm(forms.Form):
    """Which department and quarter to check in. A quarter number outside 1-4 or a year
    far from today is a field error, not a 404."""

    department = forms.ChoiceField()
    fiscal_year = forms.IntegerField(min_value=2000, max_value=2100, label="Fiscal year starting")
    number = forms.TypedChoiceField(
        choices=[(n, f"Q{n}") for n in (1, 2, 3, 4)],
        coerce=int,
        label="Quarter",
        error_messages={"invalid_choice": "A fiscal year has quarters Q1 to Q4, not %(value)s."},
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.slug, d.name) for d in departments]
