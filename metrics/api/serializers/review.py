"""Input and output of the review loop's endpoints (docs/review.md): a department's check-in
submitted, withdrawn, approved or returned with a comment, and each department's state."""

from django.core.validators import RegexValidator
from rest_framework import serializers

from metrics.api.serializers.input import AsciiIntegerInput, IdOrSlugInput
from metrics.fiscal import FIRST_FISCAL_YEAR, last_fiscal_year
from metrics.services.submissions import REVIEW_COMMENT_MAX


class SubmissionActionInput(serializers.Serializer):
    department = IdOrSlugInput(max_length=100, help_text="The department's slug or id.")
    fiscal_year = serializers.IntegerField(min_value=FIRST_FISCAL_YEAR)  # get_fields
    quarter_number = serializers.IntegerField(min_value=1, max_value=4)

    def get_fields(self):
        # The fiscal years the services take move with today (as QuarterChoiceMixin's).
        fields = super().get_fields()
        fields["fiscal_year"] = serializers.IntegerField(
            min_value=FIRST_FISCAL_YEAR, max_value=last_fiscal_year()
        )
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        attrs["quarter"] = (attrs.pop("fiscal_year"), attrs.pop("quarter_number"))
        return attrs


class SubmissionReturnInput(SubmissionActionInput):
    comment = serializers.CharField(
        max_length=REVIEW_COMMENT_MAX,
        # Something besides spaces: the lead must be told what to change.
        validators=[RegexValidator(r"\S", "Say what the lead should change.")],
        trim_whitespace=False,
        help_text="What the lead should change; shown at the top of their check-in.",
    )


class SubmissionOutput(serializers.Serializer):
    department = serializers.SlugField(source="department.slug")
    department_name = serializers.CharField(source="department.name")
    fiscal_year = serializers.IntegerField(source="quarter.fiscal_year")
    quarter_number = serializers.IntegerField(source="quarter.number")
    quarter = serializers.CharField(source="quarter.label")
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    review_comment = serializers.CharField()


class CheckinsQueryInput(serializers.Serializer):
    session = AsciiIntegerInput(min_value=1, max_value=2**31 - 1)


class CheckinStateOutput(serializers.Serializer):
    department = serializers.SlugField(source="department_slug")
    department_name = serializers.CharField(source="department")
    state = serializers.CharField(help_text='"" when not started (nothing entered).')
    state_label = serializers.CharField()
    counts_as_submitted = serializers.BooleanField()
    submitted_at = serializers.DateTimeField(allow_null=True)


class CheckinsOutput(serializers.Serializer):
    session = serializers.IntegerField()
    held = serializers.BooleanField(
        help_text="True: the states as they stood when the session was held."
    )
    recorded = serializers.BooleanField(
        help_text="False for a session held before holds kept who had submitted."
    )
    summary = serializers.CharField(help_text="The sentence the session's pages print.")
    total = serializers.IntegerField()
    submitted = serializers.IntegerField()
    approved = serializers.IntegerField()
    departments = CheckinStateOutput(many=True)
