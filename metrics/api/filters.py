"""The filters tool users ask for: by session, fiscal year, quarter, department, outcome,
metric, state, period range and "changed since", on every list where they make sense."""

from datetime import UTC

import django_filters as filters
from django import forms
from django.db import models as db
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from metrics import models
from metrics.fiscal import FIRST_FISCAL_YEAR, last_fiscal_year


def _foreign_digits(value) -> bool:
    """ "²" and "٣" are digits to Python (int("٣") == 3, int("²") fails): ids, years and
    dates in a query take 0-9 only."""
    return isinstance(value, str) and any(ch.isdigit() and not ch.isascii() for ch in value)


class AsciiDigitsMixin:
    def to_python(self, value):
        if _foreign_digits(value):
            raise forms.ValidationError(_("Use the digits 0-9."), code="invalid")
        return super().to_python(value)


class AsciiIntegerField(AsciiDigitsMixin, forms.IntegerField):
    pass


class AsciiModelChoiceField(AsciiDigitsMixin, forms.ModelChoiceField):
    pass


class BoundedIsoDateTimeField(AsciiDigitsMixin, filters.fields.IsoDateTimeField):
    """A date-time whose offset moves it out of the calendar (0001-01-01T00:00+23:59 is
    before year 1 in UTC) is a 400, not an OverflowError in the database driver. The instant
    is handed on in UTC: PostgreSQL refuses an offset beyond 15:59 ("+19:56"), which ISO 8601
    and Python allow."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None:
            try:
                result = result.astimezone(UTC)
            except (OverflowError, ValueError):
                raise forms.ValidationError(_("Date-time out of range."), code="invalid") from None
        return result


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.ModelChoiceFilter):
    """A row given by its id, handed to a filter method as the instance (400 when unknown)."""

    field_class = AsciiModelChoiceField


@extend_schema_field(OpenApiTypes.INT)
class IntFilter(filters.NumberFilter):
    """A whole number within bounds (a huge number is a 400, not a database overflow)."""

    field_class = AsciiIntegerField


class IsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class FiscalYearFilter(IntFilter):
    """A fiscal year anything may be recorded in; the last one moves with today, so the bounds
    are read when the filter's field is built (once per request)."""

    @property
    def field(self):
        self.extra.update(min_value=FIRST_FISCAL_YEAR, max_value=last_fiscal_year())
        return super().field


def fiscal_year_filter(field_name: str | None = None, **kwargs):
    return FiscalYearFilter(field_name=field_name, **kwargs)


def quarter_number_filter(field_name: str):
    return IntFilter(field_name=field_name, min_value=1, max_value=4)


class IdOrSlugField(forms.ModelChoiceField):
    """A row given by its id or, for rows that have one, its slug ("monthly-active-editors")."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value)
        if text.isascii() and text.isdigit():
            return super().to_python(text)
        try:
            return self.queryset.get(slug=text)
        except (self.queryset.model.DoesNotExist, ValueError) as error:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from error


@extend_schema_field(OpenApiTypes.STR)
class IdOrSlugFilter(filters.ModelChoiceFilter):
    """A row given by its id or its slug (400 when unknown)."""

    field_class = IdOrSlugField


def _has_unique_slug(model) -> bool:
    return any(field.name == "slug" and field.unique for field in model._meta.fields)


def id_filter(model, field_name: str):
    if _has_unique_slug(model):
        return IdOrSlugFilter(
            queryset=model.objects.all(),
            field_name=field_name,
            help_text=f"A {model._meta.verbose_name}'s id or slug.",
        )
    return IdFilter(queryset=model.objects.all(), field_name=field_name)


class StrictBooleanField(forms.Field):
    """true/false/1/0 in any case; anything else is an error (a 400 naming the filter), where
    django-filter's own boolean filters ignore values they do not know."""

    TRUE = frozenset({"true", "1"})
    FALSE = frozenset({"false", "0"})
    default_error_messages = {"invalid": "Enter true, false, 1 or 0."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(filters.BooleanFilter):
    """A yes/no filter: true/false/1/0 (case-insensitive), 400 for anything else."""

    field_class = StrictBooleanField


class ApiFilterSet(filters.FilterSet):
    """The filters generated from Meta.fields follow the declared ones: a foreign key to a
    model with a unique slug takes its id or slug, a boolean takes true/false/1/0."""

    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        if lookup_expr in (None, "exact"):
            if field.many_to_one:
                # id_filter: digits 0-9 only (and the slug where the model has one).
                return id_filter(field.related_model, field_name)
            if isinstance(field, db.BooleanField):
                return StrictBooleanFilter(field_name=field_name)
        return super().filter_for_field(field, field_name, lookup_expr)


def _sessions():
    return models.TuningSession.objects.select_related("quarter")


class UpdatedSinceFilterSet(ApiFilterSet):
    updated_since = IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Changed at or after (ISO 8601)."
    )


class DepartmentFilter(ApiFilterSet):
    class Meta:
        model = models.Department
        fields = ["slug"]


class PriorityFilter(ApiFilterSet):
    class Meta:
        model = models.Priority
        fields = ["slug"]


class QuarterFilter(ApiFilterSet):
    fiscal_year = fiscal_year_filter("fiscal_year")
    number = quarter_number_filter("number")

    class Meta:
        model = models.Quarter
        fields = ["fiscal_year", "number"]


class OutcomeFilter(ApiFilterSet):
    session = IdFilter(
        queryset=_sessions(), method="filter_session", help_text="Outcomes of a session's priority."
    )

    class Meta:
        model = models.Outcome
        fields = ["priority"]

    def filter_session(self, queryset, name, session):
        return queryset.filter(priority_id=session.priority_id)


class MetricFilter(UpdatedSinceFilterSet):
    priority = id_filter(models.Priority, "outcome__priority")
    session = IdFilter(
        queryset=_sessions(),
        method="filter_session",
        help_text="Metrics that the session's tables define.",
    )

    class Meta:
        model = models.Metric
        fields = ["slug", "outcome", "department", "state", "cadence", "unit", "direction"]

    def filter_session(self, queryset, name, session):
        return queryset.filter(definitions__session=session)


class ObservationFilter(UpdatedSinceFilterSet):
    metric = id_filter(models.Metric, "metric")
    department = id_filter(models.Department, "metric__department")
    outcome = id_filter(models.Outcome, "metric__outcome")
    has_segment = StrictBooleanFilter(
        field_name="segment", lookup_expr="isnull", exclude=True, help_text="false: metric rows."
    )
    period_from = filters.DateFilter(
        field_name="period_start", lookup_expr="gte", help_text="Periods starting on or after."
    )
    period_to = filters.DateFilter(
        field_name="period_end", lookup_expr="lte", help_text="Periods ending on or before."
    )
    fiscal_year = fiscal_year_filter(method="filter_fiscal_year")
    quarter = IdFilter(
        queryset=models.Quarter.objects.all(),
        method="filter_quarter",
        help_text="Periods inside this quarter.",
    )

    class Meta:
        model = models.Observation
        fields = ["metric", "segment", "is_derived"]

    def filter_fiscal_year(self, queryset, name, fiscal_year):
        first = models.Quarter(fiscal_year=int(fiscal_year), number=1).fiscal
        last = models.Quarter(fiscal_year=int(fiscal_year), number=4).fiscal
        return queryset.filter(period_start__gte=first.start_date, period_end__lte=last.end_date)

    def filter_quarter(self, queryset, name, quarter):
        return queryset.filter(
            period_start__gte=quarter.start_date, period_end__lte=quarter.end_date
        )


class QuarterlyStatusFilter(UpdatedSinceFilterSet):
    metric = id_filter(models.Metric, "metric")
    fiscal_year = fiscal_year_filter("quarter__fiscal_year")
    quarter_number = quarter_number_filter("quarter__number")
    department = id_filter(models.Department, "metric__department")
    outcome = id_filter(models.Outcome, "metric__outcome")
    has_segment = StrictBooleanFilter(
        field_name="segment", lookup_expr="isnull", exclude=True, help_text="false: metric rows."
    )
    session = IdFilter(
        queryset=_sessions(),
        method="filter_session",
        help_text="The cells of a session's quarter for the metrics it defines.",
    )

    class Meta:
        model = models.QuarterlyStatus
        fields = ["metric", "segment", "quarter", "state", "attainment"]

    def filter_session(self, queryset, name, session):
        return queryset.filter(quarter_id=session.quarter_id, metric__definitions__session=session)


def _objectives_of_session(prefix: str, session) -> Q:
    return Q(
        **{
            f"{prefix}priority_id": session.priority_id,
            f"{prefix}fiscal_year": session.quarter.fiscal_year,
        }
    )


class ObjectiveFilter(UpdatedSinceFilterSet):
    fiscal_year = fiscal_year_filter("fiscal_year")
    session = IdFilter(
        queryset=_sessions(),
        method="filter_session",
        help_text="Objectives of the session's priority and fiscal year.",
    )

    class Meta:
        model = models.Objective
        fields = ["slug", "priority", "department", "fiscal_year"]

    def filter_session(self, queryset, name, session):
        return queryset.filter(_objectives_of_session("", session))


class KeyResultFilter(UpdatedSinceFilterSet):
    metric = id_filter(models.Metric, "metric")
    objective = id_filter(models.Objective, "objective")
    department = id_filter(models.Department, "objective__department")
    fiscal_year = fiscal_year_filter("objective__fiscal_year")
    session = IdFilter(
        queryset=_sessions(),
        method="filter_session",
        help_text="Key results of the session's objectives.",
    )

    class Meta:
        model = models.KeyResult
        fields = ["objective", "metric"]

    def filter_session(self, queryset, name, session):
        return queryset.filter(_objectives_of_session("objective__", session))


class KeyResultStatusFilter(UpdatedSinceFilterSet):
    objective = id_filter(models.Objective, "key_result__objective")
    department = id_filter(models.Department, "key_result__objective__department")
    fiscal_year = fiscal_year_filter("quarter__fiscal_year")
    quarter_number = quarter_number_filter("quarter__number")
    session = IdFilter(
        queryset=_sessions(),
        method="filter_session",
        help_text="The session's quarter, for the session's objectives.",
    )

    class Meta:
        model = models.KeyResultStatus
        fields = ["key_result", "quarter", "state", "is_done", "confidence"]

    def filter_session(self, queryset, name, session):
        return queryset.filter(
            _objectives_of_session("key_result__objective__", session),
            quarter_id=session.quarter_id,
        )


class DrilldownFilter(UpdatedSinceFilterSet):
    department = id_filter(models.Department, "objective__department")
    fiscal_year = fiscal_year_filter("session__quarter__fiscal_year")

    class Meta:
        model = models.Drilldown
        fields = ["session", "objective"]


class TuningSessionFilter(UpdatedSinceFilterSet):
    fiscal_year = fiscal_year_filter("quarter__fiscal_year")
    quarter_number = quarter_number_filter("quarter__number")

    class Meta:
        model = models.TuningSession
        fields = ["priority", "quarter"]


class FootnoteFilter(ApiFilterSet):
    fiscal_year = fiscal_year_filter("session__quarter__fiscal_year")

    class Meta:
        model = models.Footnote
        fields = ["session", "marker"]


class AcronymFilter(ApiFilterSet):
    fiscal_year = fiscal_year_filter("session__quarter__fiscal_year")

    class Meta:
        model = models.Acronym
        fields = ["session", "term"]


# --- comment threads (docs/threads.md) ---------------------------------------------------------


class ThreadFilter(ApiFilterSet):
    class Meta:
        model = models.Thread
        fields = ["session", "target_key", "target", "is_resolved", "department"]


class CommentFilter(ApiFilterSet):
    session = IdFilter(
        queryset=models.TuningSession.objects.all(),
        field_name="thread__session",
        help_text="A session's id: the comments of its threads.",
    )

    class Meta:
        model = models.Comment
        fields = ["session", "thread"]
