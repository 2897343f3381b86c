from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from metrics.formatting import plain_decimal

from .base import TimeStamped, Versioned
from .calendar import Quarter
from .org import Department, Outcome

VALUE_DIGITS = {"max_digits": 20, "decimal_places": 6}


class Direction(models.TextChoices):
    INCREASE = "increase", _("Increase")
    DECREASE = "decrease", _("Decrease")
    MAINTAIN = "maintain", _("Maintain")
    ESTABLISH = "establish", _("Establish baseline")


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SEMIANNUAL = "semiannual", _("Semi-annual")
    ANNUAL = "annual", _("Annual")


class Aggregation(models.TextChoices):
    """How a quarter's value is derived from the observations inside it."""

    MEAN = "mean", _("Mean of the periods")
    LAST = "last", _("Last value")
    SUM = "sum", _("Sum")


class Unit(models.TextChoices):
    COUNT = "count", _("Count")
    PERCENT = "percent", _("Percent")
    INDEX = "index", _("Index / score")


class MetricState(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    RETIRED = "retired", _("Retired")


class GoalKind(models.TextChoices):
    YOY_CHANGE = "yoy_change", _("Change year over year (goal value in %)")
    TARGET = "target", _("Reach a value")
    MAINTAIN = "maintain", _("Maintain baseline")
    ESTABLISH = "establish", _("Establish baseline")
    NONE = "none", _("No structured goal")


class Goal(models.Model):
    """Baseline and yearly goal, as numbers (for computing) and as the deck prints them."""

    baseline_value = models.DecimalField(null=True, blank=True, **VALUE_DIGITS)
    baseline_text = models.CharField(max_length=500, blank=True)
    goal_kind = models.CharField(max_length=20, choices=GoalKind.choices, default=GoalKind.NONE)
    goal_value = models.DecimalField(
        null=True,
        blank=True,
        help_text="For a YoY goal the change in percent (5 for +5% YoY); for a target the value.",
        **VALUE_DIGITS,
    )
    goal_text = models.CharField(max_length=500, blank=True)
    display_decimals = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Decimals the deck prints values with; blank: by unit."
    )

    class Meta:
        abstract = True


class Metric(Goal, TimeStamped):
    """How an outcome is measured. Holds the current definition; the definition as presented
    in each tuning session is kept in MetricDefinition."""

    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="metrics")
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="metrics",
        help_text="Blank where the deck names no owning department; then only admins edit it.",
    )
    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=100, unique=True)
    short_label = models.CharField(
        max_length=60, blank=True, help_text='Label printed after the value in a cell ("Youth").'
    )
    chart_title = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.COUNT)
    unit_suffix = models.CharField(
        max_length=20, blank=True, help_text='Printed after the value, "/mo" in "92K/mo".'
    )
    direction = models.CharField(
        max_length=20, choices=Direction.choices, default=Direction.INCREASE
    )
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.MONTHLY)
    measured_in_quarter = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For annual metrics: the fiscal quarter it is measured in."
    )
    aggregation = models.CharField(
        max_length=10, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    state = models.CharField(max_length=20, choices=MetricState.choices, default=MetricState.ACTIVE)
    segments_inline = models.BooleanField(
        default=False,
        help_text="Print segment values inside the metric's cell (survey metrics) "
        "instead of as rows of their own.",
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["outcome__order", "order", "id"]
        indexes = [models.Index(fields=["department", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(measured_in_quarter__isnull=True)
                | (Q(measured_in_quarter__gte=1) & Q(measured_in_quarter__lte=4)),
                name="metric_measured_in_quarter_1_to_4",
            ),
        ]

    def __str__(self):
        return self.name


class Segment(Goal):
    """A breakdown row of a metric: Established markets, Women, Organizers/Women."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="segments")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    group = models.CharField(
        max_length=100, blank=True, help_text='Heading segments are grouped under ("Organizers").'
    )
    short_label = models.CharField(max_length=60, blank=True)
    footnote_markers = models.CharField(max_length=20, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["metric", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "slug"], name="segment_unique_slug"),
        ]

    def __str__(self):
        return f"{self.metric.name} / {self.name}"


class Observation(Versioned):
    """One value of a metric (or segment) for one period: the time series behind charts and
    YoY. A period is a month, a fiscal quarter or a fiscal year, given by its first and last
    day. `is_derived` marks a value implied by a reported figure (a prior-year value worked
    back from a printed YoY change) rather than measured."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="observations")
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.CASCADE, related_name="observations"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(**VALUE_DIGITS)
    is_derived = models.BooleanField(default=False)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["metric", "segment", "period_start"]
        constraints = [
            # A period is its start and its end: a figure for a whole quarter and the
            # quarter's first month start on the same day and are both kept.
            models.UniqueConstraint(
                fields=["metric", "period_start", "period_end"],
                condition=Q(segment__isnull=True),
                name="observation_unique_metric_period",
            ),
            models.UniqueConstraint(
                fields=["metric", "segment", "period_start", "period_end"],
                condition=Q(segment__isnull=False),
                name="observation_unique_segment_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="observation_period_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["metric", "segment", "period_start", "period_end"]),
            models.Index(fields=["period_start"]),
        ]

    def __str__(self):
        target = self.segment or self.metric
        # Also shown for rows still being filled in (an admin form with errors).
        value = "" if self.value is None else plain_decimal(self.value)
        start = f"{self.period_start:%Y-%m-%d}" if self.period_start else ""
        end = f"{self.period_end:%Y-%m-%d}" if self.period_end else ""
        return f"{target} {start}..{end}: {value}"


class StatusState(models.TextChoices):
    REPORTED = "reported", _("Reported")
    NOT_AVAILABLE = "not_available", _("Not available")
    MEASURED_ANNUALLY = "measured_annually", _("Measured annually")
    NO_DATA_YET = "no_data_yet", _("No data yet")
    PAUSED = "paused", _("Paused")


class ValueBasis(models.TextChoices):
    """Which observations a status's value was derived from (set by the recompute)."""

    NONE = "", "No observations"
    MONTHS = "months", "Months"
    QUARTER = "quarter", "A figure for the whole quarter"
    PERIOD = "period", "A figure for a longer period"


class Arrow(models.TextChoices):
    UP = "up", "↑"
    DOWN = "down", "↓"
    FLAT = "flat", "→"
    NONE = "", "none"


class Attainment(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    NO_DATA = "no_data", "No data"
    PAUSED = "paused", "Paused"


class QuarterlyStatus(Versioned):
    """What one cell of the deck says for a metric (or segment) and quarter."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="statuses")
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.CASCADE, related_name="statuses"
    )
    # Indexed through the (quarter, metric) index of Meta.
    quarter = models.ForeignKey(
        Quarter, on_delete=models.PROTECT, related_name="statuses", db_index=False
    )
    state = models.CharField(
        max_length=20, choices=StatusState.choices, default=StatusState.REPORTED
    )
    value = models.DecimalField(null=True, blank=True, **VALUE_DIGITS)
    # Not indexed, unlike other tables: the recompute rewrites the figures and updated_at of
    # statuses, and with no indexed column changing (and half of every page kept free, see
    # migration 0003) PostgreSQL updates the rows within their page (HOT) instead of adding
    # an entry to every index: twice as fast (benchmarks/recompute.py). "Updated since"
    # filters scan the table instead, which is small next to the observations.
    updated_at = models.DateTimeField(auto_now=True)
    # Derived by the recompute, with the two fields below, from the quarter's observations: a
    # value typed for the quarter is stored as a whole-quarter observation, never here alone.
    value_basis = models.CharField(
        max_length=10, choices=ValueBasis.choices, blank=True, default=ValueBasis.NONE
    )
    unused_observations = models.PositiveIntegerField(
        default=0,
        help_text="Observations of the quarter the value does not use: months next to a "
        "figure for the whole quarter, which wins.",
    )
    yoy_delta = models.DecimalField(
        null=True,
        blank=True,
        max_digits=14,
        decimal_places=6,
        help_text="Relative change against the same quarter a year earlier (0.081 = +8.1%).",
    )
    arrow = models.CharField(max_length=4, choices=Arrow.choices, blank=True, default=Arrow.NONE)
    attainment = models.CharField(
        max_length=20, choices=Attainment.choices, default=Attainment.NO_DATA
    )
    footnote_markers = models.CharField(
        max_length=20, blank=True, help_text="Markers printed after the value (*, +, †)."
    )
    state_markers = models.CharField(
        max_length=20, blank=True, help_text='Markers printed after the state ("not available#").'
    )
    comment = models.TextField(blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["metric", "segment", "quarter"]
        verbose_name_plural = _("quarterly statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "quarter"],
                condition=Q(segment__isnull=True),
                name="status_unique_metric_quarter",
            ),
            models.UniqueConstraint(
                fields=["metric", "segment", "quarter"],
                condition=Q(segment__isnull=False),
                name="status_unique_segment_quarter",
            ),
        ]
        indexes = [models.Index(fields=["quarter", "metric"])]

    def __str__(self):
        target = self.segment or self.metric
        value = "" if self.value is None else plain_decimal(self.value)
        return f"{target} {self.quarter}: {self.get_state_display()} {value}".strip()

    @property
    def basis_label(self) -> str:
        """Short words for a cell whose quarter has observations of more than one kind."""
        if not self.unused_observations or self.value_basis not in BASIS_WORDS:
            return ""
        unused = self.unused_observations
        return (
            f"{BASIS_WORDS[self.value_basis][0]}; {unused} other value{'s' * (unused > 1)} unused"
        )

    @property
    def basis_note(self) -> str:
        """Which observations the value comes from and why, where the quarter has more than
        one kind (a figure for the whole quarter and months): the cell shows one of them."""
        if not self.basis_label:
            return ""
        unused = self.unused_observations
        shown, why = BASIS_WORDS[self.value_basis]
        return (
            f"The value is {shown}. The quarter also has {unused} value{'s' * (unused > 1)} for "
            f"shorter periods (months) that the cell does not use: {why}"
        )

    @property
    def state_note(self) -> str:
        """Why the recompute shows "not available" where a value is entered: no value for the
        same quarter a year earlier, so no YoY change (the value is kept)."""
        if (
            self.state == StatusState.NOT_AVAILABLE
            and self.value is not None
            and (self.yoy_delta is None)
        ):
            return (
                "Shown as “Not available”: there is no value for the same quarter a year "
                "earlier, so the change year over year cannot be worked out (the value is "
                "kept). Enter last year's figure to show the change."
            )
        return ""


BASIS_WORDS = {
    ValueBasis.QUARTER: (
        "the figure for the whole quarter",
        "a figure for the whole quarter, as entered in the check-in or printed in a deck, "
        "wins over months. Remove it to show the months' value.",
    ),
    ValueBasis.PERIOD: (
        "the figure for the whole period",
        "a figure for a whole period wins over its parts.",
    ),
}
