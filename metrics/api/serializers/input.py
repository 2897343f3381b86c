"""What the API accepts. These check shapes and types (a 400 names the field); the rules
about values (units, cadences, locks, versions) are the write services', shared with the
forms."""

from django.core.validators import ProhibitNullCharactersValidator as _NoNul
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrics import models
from metrics.fiscal import FIRST_FISCAL_YEAR, last_fiscal_year
from metrics.services.validation import ascii_int

MAX_UPSERT_ROWS = 5000
MAX_MARKDOWN = 50_000
MAX_ID = 2**63 - 1


class AsciiDigitsMixin:
    """Digits 0-9 only, as in the forms and the upsert (services.validation.parse_number):
    Decimal() would read "٩٢" as 92."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.isascii():
            raise serializers.ValidationError(
                _("“%(value)s” is not a number; use the digits 0-9, e.g. 92000.")
                % {"value": data[:40]}
            )
        return super().to_internal_value(data)


class StrictBooleanInput(serializers.BooleanField):
    """true or false (or their form spellings): DRF's BooleanField also takes the numbers 0,
    1, 0.0 and 1.0, which the schema's boolean does not."""

    def to_internal_value(self, data):
        if isinstance(data, int | float) and not isinstance(data, bool):
            self.fail("invalid", input=data)
        return super().to_internal_value(data)


class AsciiIntegerInput(AsciiDigitsMixin, serializers.IntegerField):
    """An integer written with the digits 0-9 (int() would read "٣" as 3)."""


# drf-spectacular's pattern for a DecimalField (^-?\d{0,14}(?:\.\d{0,6})?$) lets "" and "-"
# through, which the field refuses: the schema must promise only what is accepted.
@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": r"^-?(?:\d{1,14}(?:\.\d{0,6})?|\.\d{1,6})$"}
)
class DecimalInput(AsciiDigitsMixin, serializers.DecimalField):
    pass


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": r"^(?:\d{1,14}(?:\.\d{0,6})?|\.\d{1,6})$"}
)
class NonNegativeDecimalInput(AsciiDigitsMixin, serializers.DecimalField):
    """A count: never negative (the services refuse it), and the schema says so."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=20, decimal_places=6, min_value=0, **kwargs)


# A bulk row names its metric or segment by id (a JSON number or digits) or by slug.
@extend_schema_field(
    {
        "anyOf": [
            {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^[-a-zA-Z0-9_]+$"},
            {"type": "integer", "maximum": MAX_ID},
        ]
    }
)
class IdOrSlugInput(serializers.SlugField):
    pass


# The same, where blank also means "none" (a row's segment: blank or null is the metric).
@extend_schema_field(
    {
        "anyOf": [
            {"type": "string", "maxLength": 100, "pattern": r"^[-a-zA-Z0-9_]*$"},
            {"type": "integer", "maximum": MAX_ID},
        ]
    }
)
class BlankableIdOrSlugInput(serializers.SlugField):
    pass


# A bulk row's value as the client sent it, JSON number or text (see ObservationRowInput).
@extend_schema_field({"anyOf": [{"type": "string", "maxLength": 40}, {"type": "number"}]})
class RawValueInput(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, _NoNul)]


class RowText(serializers.CharField):
    """A bulk row's text field (a period) as sent, untrimmed, NUL included: what it holds is
    the row's error (the service reads it), not a field error that refuses the whole batch."""

    def __init__(self, **kwargs):
        super().__init__(trim_whitespace=False, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, _NoNul)]


def _value_field(**kwargs):
    return DecimalInput(max_digits=20, decimal_places=6, **kwargs)


def _version_field(*, required: bool):
    help_text = (
        "The version you read; a stale one answers 409 with the current row."
        if required
        else "The version you read (0: you saw no row); omit to overwrite whatever is there."
    )
    return serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=required, help_text=help_text
    )


class QuarterChoiceMixin(serializers.Serializer):
    """A quarter by id, or by fiscal year and quarter number (created when new)."""

    quarter = serializers.PrimaryKeyRelatedField(
        queryset=models.Quarter.objects.all(), required=False
    )
    fiscal_year = serializers.IntegerField(
        min_value=FIRST_FISCAL_YEAR, required=False
    )  # get_fields
    quarter_number = serializers.IntegerField(min_value=1, max_value=4, required=False)

    def get_fields(self):
        # Nobody reports further ahead than a few years (the services' rule): the bound moves
        # with today, so it is set per serializer, in the schema too.
        fields = super().get_fields()
        fields["fiscal_year"] = serializers.IntegerField(
            min_value=FIRST_FISCAL_YEAR, max_value=last_fiscal_year(), required=False
        )
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        quarter = attrs.pop("quarter", None)
        fiscal_year = attrs.pop("fiscal_year", None)
        number = attrs.pop("quarter_number", None)
        if quarter is None:
            if fiscal_year is None or number is None:
                raise serializers.ValidationError(
                    {"quarter": _("Give a quarter id, or fiscal_year and quarter_number.")}
                )
            attrs["quarter"] = (fiscal_year, number)
        else:
            attrs["quarter"] = quarter
        return attrs


class StatusFieldsMixin(serializers.Serializer):
    state = serializers.ChoiceField(choices=models.StatusState.choices, required=False)
    value = _value_field(
        required=False,
        allow_null=True,
        help_text="The quarter's value, stored as an observation of the whole quarter (which "
        "wins over months); null removes it. The cell's value is derived from the observations.",
    )
    footnote_markers = serializers.CharField(max_length=20, required=False, allow_blank=True)
    state_markers = serializers.CharField(max_length=20, required=False, allow_blank=True)
    comment = serializers.CharField(max_length=MAX_MARKDOWN, required=False, allow_blank=True)


class QuarterlyStatusSaveInput(QuarterChoiceMixin, StatusFieldsMixin):
    metric = serializers.PrimaryKeyRelatedField(queryset=models.Metric.objects.all())
    segment = serializers.PrimaryKeyRelatedField(
        queryset=models.Segment.objects.all(), required=False, allow_null=True
    )
    # Whether the segment belongs to the metric is the service's check (validate_segment).
    version = _version_field(required=False)


class QuarterlyStatusUpdateInput(StatusFieldsMixin):
    version = _version_field(required=True)


class KeyResultStatusFieldsMixin(serializers.Serializer):
    state = serializers.ChoiceField(choices=models.StatusState.choices, required=False)
    text = serializers.CharField(max_length=MAX_MARKDOWN, required=False, allow_blank=True)
    number = NonNegativeDecimalInput(required=False, allow_null=True)
    milestones_done = serializers.IntegerField(
        min_value=0, max_value=1000, required=False, allow_null=True
    )
    is_done = serializers.BooleanField(required=False)
    comment = serializers.CharField(max_length=MAX_MARKDOWN, required=False, allow_blank=True)
    confidence = serializers.ChoiceField(
        choices=models.Confidence.choices,
        required=False,
        allow_blank=True,
        help_text="The lead's confidence in the year goal this quarter; blank removes it.",
    )
    confidence_score = serializers.IntegerField(
        min_value=models.CONFIDENCE_SCORE_MIN,
        max_value=models.CONFIDENCE_SCORE_MAX,
        required=False,
        allow_null=True,
        help_text="Optionally, the confidence from 1 to 10; null removes it.",
    )


class KeyResultStatusSaveInput(QuarterChoiceMixin, KeyResultStatusFieldsMixin):
    key_result = serializers.PrimaryKeyRelatedField(
        queryset=models.KeyResult.objects.select_related("objective")
    )
    version = _version_field(required=False)


class KeyResultStatusUpdateInput(KeyResultStatusFieldsMixin):
    version = _version_field(required=True)


class ObservationSaveInput(serializers.Serializer):
    metric = serializers.PrimaryKeyRelatedField(queryset=models.Metric.objects.all())
    segment = serializers.PrimaryKeyRelatedField(
        queryset=models.Segment.objects.all(), required=False, allow_null=True
    )
    period_start = serializers.DateField()
    period_end = serializers.DateField(
        required=False, allow_null=True, help_text="Derived from the metric's cadence if omitted."
    )
    value = _value_field()
    is_derived = serializers.BooleanField(required=False, default=False)
    version = _version_field(required=False)


class ObservationUpdateInput(serializers.Serializer):
    value = _value_field(required=False, help_text="Omit to keep the stored value.")
    is_derived = serializers.BooleanField(required=False)
    version = _version_field(required=True)


class ObservationRowInput(serializers.Serializer):
    """One row of a bulk upsert. Types are checked here; a row whose metric, segment, period
    or value the service refuses comes back as "rejected" with its errors."""

    metric = IdOrSlugInput(max_length=100, help_text="Metric id or slug.")
    segment = BlankableIdOrSlugInput(
        max_length=100,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Segment id or slug; omit or null for the metric itself.",
    )
    period_start = RowText(min_length=1, max_length=10, help_text="YYYY-MM-DD or YYYY-MM.")
    period_end = RowText(min_length=1, max_length=10, required=False, allow_null=True)
    # Text, not a DecimalField: the value reaches the service as the client sent it (a JSON
    # number as its text), unrounded, so too many decimals or digits, and a blank or null
    # value, reject that row (an error on "value") rather than the whole batch.
    value = RawValueInput(
        max_length=40,
        allow_blank=True,
        allow_null=True,
        help_text="A number; JSON number or text. Blank or null rejects the row.",
    )
    is_derived = serializers.BooleanField(required=False, default=False)
    version = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, allow_null=True
    )

    def _id_in_range(self, value):
        if value and (ascii_int(value) or 0) >= 2**63:
            raise serializers.ValidationError(_("No such id."))
        return value

    def validate_metric(self, value):
        return self._id_in_range(value)

    def validate_segment(self, value):
        return self._id_in_range(value)


class ObservationUpsertInput(serializers.Serializer):
    rows = ObservationRowInput(many=True, min_length=1, max_length=MAX_UPSERT_ROWS)
    dry_run = StrictBooleanInput(
        required=False, default=False, help_text="Report what would happen without writing."
    )


class ObjectiveUpdateInput(serializers.Serializer):
    narrative = serializers.CharField(max_length=MAX_MARKDOWN, required=False, allow_blank=True)
    statement = serializers.CharField(min_length=1, max_length=MAX_MARKDOWN, required=False)
    target_quarter_text = serializers.CharField(max_length=50, required=False, allow_blank=True)
    version = _version_field(required=True)


class DrilldownUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    situation = serializers.CharField(max_length=MAX_MARKDOWN, required=False, allow_blank=True)
    impact = serializers.CharField(max_length=MAX_MARKDOWN, required=False, allow_blank=True)
    recommendation = serializers.CharField(
        max_length=MAX_MARKDOWN, required=False, allow_blank=True
    )
    next_steps = serializers.CharField(max_length=MAX_MARKDOWN, required=False, allow_blank=True)
    version = _version_field(required=True)
