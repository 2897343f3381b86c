from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from metrics.fiscal import FIRST_FISCAL_YEAR, last_fiscal_year
from metrics.services.validation import ascii_int


class AsciiIntegerField(forms.IntegerField):
    """An IntegerField that refuses digits other than 0-9: Django's reads "٢٠٢٠" as 2020."""

    def to_python(self, value):
        if (
            value not in self.empty_values
            and not isinstance(value, int)
            and ascii_int(value) is None
        ):
            raise ValidationError(
                _("Enter a whole number written with the digits 0-9."), code="invalid"
            )
        return super().to_python(value)


class QuarterPickForm(forms.Form):
    """Which department and quarter to check in. A quarter number outside 1-4 or a year
    far from today is a field error, not a 404."""

    department = forms.ChoiceField()
    fiscal_year = AsciiIntegerField(label=_("Fiscal year starting"))
    number = forms.TypedChoiceField(
        choices=[(n, f"Q{n}") for n in (1, 2, 3, 4)],
        coerce=int,
        label=_("Quarter"),
        error_messages={"invalid_choice": _("A fiscal year has quarters Q1 to Q4, not %(value)s.")},
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The last year moves with today, so the bounds are set per form.
        self.fields["fiscal_year"] = AsciiIntegerField(
            min_value=FIRST_FISCAL_YEAR,
            max_value=last_fiscal_year(),
            label=_("Fiscal year starting"),
        )
        self.fields["department"].choices = [(d.slug, d.name) for d in departments]
