from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import Versioned
from .calendar import Quarter
from .confidence import CONFIDENCE_SCORE_MAX, CONFIDENCE_SCORE_MIN, Confidence
from .metrics import VALUE_DIGITS, Metric, StatusState
from .org import Department, Priority


class Objective(Versioned):
    """A department's objective for a fiscal year, e.g. ARMDEB or IP Masking."""

    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="objectives")
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objectives",
        help_text="Blank where the deck names no department; then only admins edit it.",
    )
    fiscal_year = models.PositiveSmallIntegerField()
    short_name = models.CharField(max_length=100, help_text='As listed in the deck ("ARMDEB").')
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    statement = models.TextField(help_text="The objective itself.")
    narrative = models.TextField(blank=True, help_text="Markdown.")
    target_quarter_text = models.CharField(max_length=50, blank=True)
    target_quarter = models.ForeignKey(
        Quarter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["priority", "order", "id"]
        indexes = [models.Index(fields=["department", "fiscal_year"])]

    def __str__(self):
        return self.title


class KeyResult(Versioned):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    code = models.CharField(max_length=20, blank=True, help_text='"KR1"; blank where unnumbered.')
    description = models.TextField(help_text="Markdown.")
    baseline_text = models.CharField(max_length=500, blank=True)
    goal_text = models.TextField(blank=True, help_text="Markdown.")
    metric = models.ForeignKey(
        Metric,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="key_results",
        help_text="When the key result is a tracked metric, its cells are the metric's statuses.",
    )
    milestone_total = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Milestones in the year goal (4 in '4 milestones')."
    )
    segment_markers = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "Where this key-result table prints other markers after a segment's figure than the "
            'metrics table does: {"established-markets": "+o"} (segment slug: markers).'
        ),
    )
    order = models.PositiveIntegerField(default=0)
    is_retired = models.BooleanField(
        default=False, help_text="No longer tracked: not carried into the next session."
    )
    carry_over = models.BooleanField(
        default=True,
        help_text="Carried into the next quarter's session when it is opened (unmarked: retired "
        "there, or left behind in a new fiscal year).",
    )

    class Meta:
        ordering = ["objective", "order", "id"]

    def __str__(self):
        label = self.code or self.description
        return f"{self.objective.short_name}: {label[:80]}"


class KeyResultStatus(Versioned):
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="statuses")
    quarter = models.ForeignKey(
        Quarter, on_delete=models.PROTECT, related_name="key_result_statuses"
    )
    state = models.CharField(
        max_length=20, choices=StatusState.choices, default=StatusState.REPORTED
    )
    text = models.TextField(blank=True, help_text="Markdown, as the deck prints it.")
    number = models.DecimalField(null=True, blank=True, **VALUE_DIGITS)
    milestones_done = models.PositiveSmallIntegerField(null=True, blank=True)
    is_done = models.BooleanField(default=False, help_text="Shown as a tick (✓).")
    comment = models.TextField(blank=True)
    confidence = models.CharField(
        max_length=10,
        choices=Confidence.choices,
        blank=True,
        help_text="The lead's confidence in the year goal this quarter; blank when not given.",
    )
    confidence_score = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(CONFIDENCE_SCORE_MIN),
            MaxValueValidator(CONFIDENCE_SCORE_MAX),
        ],
        help_text="Optionally, the confidence from 1 (none) to 10 (certain).",
    )

    class Meta:
        ordering = ["key_result", "quarter"]
        verbose_name_plural = _("key result statuses")
        constraints = [
            models.UniqueConstraint(fields=["key_result", "quarter"], name="kr_status_unique"),
        ]
        indexes = [models.Index(fields=["quarter", "key_result"])]

    def __str__(self):
        return f"{self.key_result} {self.quarter}"


class Drilldown(Versioned):
    """The situation / impact / recommendation / next steps page behind an objective."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="drilldowns")
    session = models.ForeignKey(
        "metrics.TuningSession", on_delete=models.CASCADE, related_name="drilldowns"
    )
    title = models.CharField(max_length=200, blank=True)
    situation = models.TextField(blank=True, help_text="Markdown.")
    impact = models.TextField(blank=True, help_text="Markdown.")
    recommendation = models.TextField(blank=True, help_text="Markdown.")
    next_steps = models.TextField(blank=True, help_text="Markdown.")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["session", "order", "id"]

    def __str__(self):
        return self.title or f"Drill down: {self.objective.short_name}"


class DrilldownTable(models.Model):
    """A table inside a drill-down, like Grantmaking's FY19/20, FY20/21, Q1-Q2."""

    drilldown = models.ForeignKey(Drilldown, on_delete=models.CASCADE, related_name="tables")
    title = models.CharField(max_length=200, blank=True)
    columns = models.JSONField(default=list, help_text='Column headings, ["FY19/20", ...].')
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["drilldown", "order", "id"]

    def __str__(self):
        return self.title or f"Table of {self.drilldown}"


class DrilldownRow(models.Model):
    table = models.ForeignKey(DrilldownTable, on_delete=models.CASCADE, related_name="rows")
    label = models.TextField()
    is_group_heading = models.BooleanField(
        default=False, help_text="An outcome heading spanning the row; it has no cells."
    )
    cells = models.JSONField(default=list, blank=True, help_text="One text per column.")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["table", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_group_heading=False) | Q(cells=[]),
                name="drilldown_heading_has_no_cells",
            )
        ]

    def __str__(self):
        return self.label[:80]

    def get_constraints(self):
        # Django checks a CheckConstraint in Python by querying it with the form's values,
        # which cannot compare a JSON list; clean() checks this rule instead, the database
        # constraint still guards every write.
        return [
            (model, [c for c in constraints if c.name != "drilldown_heading_has_no_cells"])
            for model, constraints in super().get_constraints()
        ]

    def clean(self):
        super().clean()
        if self.is_group_heading and self.cells:
            raise ValidationError({"cells": _("A heading row spans the table: it has no cells.")})


class ContentBlockKind(models.TextChoices):
    TEXT = "text", _("Text")
    QUOTE = "quote", _("Quote")


class ContentBlock(models.Model):
    """A slide's content beside an objective that is neither narrative nor a table: a quote
    from a participant, an example list ("Reading Wikipedia in the Classroom", "en:Earth")."""

    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="content_blocks"
    )
    kind = models.CharField(
        max_length=10, choices=ContentBlockKind.choices, default=ContentBlockKind.TEXT
    )
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(help_text="Markdown.")
    attribution = models.TextField(blank=True, help_text="Who said a quote, one line each.")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["objective", "order", "id"]

    def __str__(self):
        return f"{self.objective.short_name}: {self.title or self.get_kind_display()}"
