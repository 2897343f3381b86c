from .cache import DataVersion
from .calendar import Quarter
from .jobs import JobOutcome, JobRun, MetricFingerprint, RecomputeRequest
from .metrics import (
    Aggregation,
    Arrow,
    Attainment,
    Cadence,
    Direction,
    GoalKind,
    Metric,
    MetricState,
    Observation,
    QuarterlyStatus,
    Segment,
    StatusState,
    Unit,
    ValueBasis,
)
from .okrs import (
    ContentBlock,
    ContentBlockKind,
    Drilldown,
    DrilldownRow,
    DrilldownTable,
    KeyResult,
    KeyResultStatus,
    Objective,
)
from .org import Department, Outcome, Priority
from .sessions import (
    Acronym,
    Footnote,
    KeyDeliverable,
    MetricDefinition,
    SessionObjective,
    SessionState,
    TuningSession,
)
from .workflow import ChangeSource, HistoryEntry, Submission, SubmissionState

__all__ = [
    "ContentBlock",
    "ContentBlockKind",
    "Acronym",
    "Aggregation",
    "Arrow",
    "Attainment",
    "Cadence",
    "DataVersion",
    "ChangeSource",
    "Department",
    "Direction",
    "Drilldown",
    "DrilldownRow",
    "DrilldownTable",
    "Footnote",
    "GoalKind",
    "HistoryEntry",
    "JobOutcome",
    "JobRun",
    "KeyDeliverable",
    "KeyResult",
    "KeyResultStatus",
    "Metric",
    "MetricFingerprint",
    "MetricDefinition",
    "MetricState",
    "Objective",
    "Observation",
    "Outcome",
    "Priority",
    "Quarter",
    "QuarterlyStatus",
    "RecomputeRequest",
    "Segment",
    "SessionObjective",
    "SessionState",
    "StatusState",
    "Submission",
    "SubmissionState",
    "TuningSession",
    "Unit",
    "ValueBasis",
]

# Outgoing webhooks (issue 22).
from .webhooks import (  # noqa: E402
    WebhookAttempt,
    WebhookDelivery,
    WebhookDeliveryState,
    WebhookEndpoint,
)

__all__ += ["WebhookAttempt", "WebhookDelivery", "WebhookDeliveryState", "WebhookEndpoint"]
