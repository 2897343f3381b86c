from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import Versioned
from .calendar import Quarter
from .metrics import Metric
from .okrs import Objective
from .org import Outcome, Priority


class SessionState(models.TextChoices):
    DRAFT = "draft", _("In preparation")
    HELD = "held", _("Held")


class TuningSessionManager(models.Manager):
    """Leaves out the stored deck of a held session (megabytes at scale), which only the deck
    build reads (`.defer(None)`): lists, headers and locks do not parse it."""

    def get_queryset(self):
        return super().get_queryset().defer("snapshot")


class TuningSession(Versioned):
    """One quarter's review of a priority: the deck. A draft session is live (its pages show
    the figures as they are saved); once held, its pages render `snapshot`, the deck as it
    was presented (metrics.selectors.snapshots)."""

    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="sessions")
    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(max_length=300)
    overview = models.TextField(blank=True, help_text="Markdown.")
    progress_challenges = models.TextField(blank=True, help_text="Markdown.")
    actions = models.TextField(blank=True, help_text="Markdown list.")
    state = models.CharField(
        max_length=10, choices=SessionState.choices, default=SessionState.DRAFT
    )
    held_at = models.DateTimeField(null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    snapshot = models.JSONField(
        null=True, blank=True, editable=False, help_text="The deck as presented (held sessions)."
    )
    # What every page's header reads of the snapshot (its title and priority as presented,
    # the token naming it, whether it is complete), kept apart: reading a key out of the
    # snapshot itself decompresses all of it (tens of MB at scale).
    snapshot_head = models.JSONField(null=True, blank=True, editable=False)

    objects = TuningSessionManager()

    class Meta:
        ordering = ["priority", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "quarter"], name="session_unique_quarter"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_held(self) -> bool:
        return self.state == SessionState.HELD


class SessionObjective(Versioned):
    """An objective as a session presents it: its narrative, its place and whether it is still
    presented. Narratives are kept per session; a later edit changes only the sessions still in
    preparation."""

    session = models.ForeignKey(
        TuningSession, on_delete=models.CASCADE, related_name="session_objectives"
    )
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="session_objectives"
    )
    narrative = models.TextField(blank=True, help_text="Markdown.")
    order = models.PositiveIntegerField(default=0)
    is_retired = models.BooleanField(default=False, help_text="No longer presented.")
    carry_over = models.BooleanField(
        default=True, help_text="Carried into the next quarter's session when it is opened."
    )

    class Meta:
        ordering = ["session", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "objective"], name="session_objective_unique"
            ),
        ]

    def __str__(self):
        return f"{self.session}: {self.objective.short_name}"


class KeyDeliverable(models.Model):
    session = models.ForeignKey(
        TuningSession, on_delete=models.CASCADE, related_name="key_deliverables"
    )
    title = models.CharField(max_length=200)
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliverables"
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["session", "order", "id"]

    def __str__(self):
        return self.title


class MetricDefinition(Versioned):
    """A metric as a session presented it: definitions change between sessions (the
    empowerment baseline was "72% feel empowered" in Q1 and "index 3.63" in Q2). The set of
    definitions of a session is the set of metric rows in its tables."""

    session = models.ForeignKey(
        TuningSession, on_delete=models.CASCADE, related_name="metric_definitions"
    )
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="definitions")
    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=300)
    baseline_text = models.CharField(max_length=500, blank=True)
    goal_text = models.CharField(max_length=500, blank=True)
    order = models.PositiveIntegerField(default=0)
    is_retired = models.BooleanField(default=False, help_text="No longer printed in the tables.")

    class Meta:
        ordering = ["session", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "metric"], name="definition_unique"),
        ]

    def __str__(self):
        return f"{self.session}: {self.name}"


class Footnote(models.Model):
    session = models.ForeignKey(TuningSession, on_delete=models.CASCADE, related_name="footnotes")
    marker = models.CharField(max_length=10)
    meaning = models.TextField(blank=True)

    class Meta:
        ordering = ["session", "marker"]
        constraints = [
            models.UniqueConstraint(fields=["session", "marker"], name="footnote_unique_marker"),
        ]

    def __str__(self):
        return f"{self.marker} {self.meaning}".strip()


class Acronym(models.Model):
    session = models.ForeignKey(TuningSession, on_delete=models.CASCADE, related_name="acronyms")
    term = models.CharField(max_length=50)
    meaning = models.CharField(max_length=300)

    class Meta:
        ordering = ["session", "term"]
        constraints = [
            models.UniqueConstraint(fields=["session", "term"], name="acronym_unique_term"),
        ]

    def __str__(self):
        return f"{self.term}: {self.meaning}"
