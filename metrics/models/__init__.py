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

# Single sign-on
from metrics.models.sso import ExternalIdentity  # noqa: E402

__all__ += ["ExternalIdentity"]

# A person's own settings
from metrics.models.accounts import AccountSettings  # noqa: E402

__all__ += ["AccountSettings"]
from .safety import IdempotentRequest, SignInFailureCount  # noqa: E402

__all__ += ["IdempotentRequest", "SignInFailureCount"]

from .files import StoredFile  # noqa: E402

__all__ += ["StoredFile"]
from .confidence import CONFIDENCE_SCORE_MAX, CONFIDENCE_SCORE_MIN, Confidence  # noqa: E402

__all__ += ["CONFIDENCE_SCORE_MAX", "CONFIDENCE_SCORE_MIN", "Confidence"]
# Comment threads (issue 18).
from .threads import Comment, CommentMention, CommentRevision, Thread, ThreadTarget  # noqa: E402

__all__ += ["Comment", "CommentMention", "CommentRevision", "Thread", "ThreadTarget"]
# Notifications and homes (issue 18).
from .notifications import (  # noqa: E402
    EmailState,
    HomeVisit,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationPreference,
)

__all__ += [
    "EmailState",
    "HomeVisit",
    "Notification",
    "NotificationChannel",
    "NotificationKind",
    "NotificationPreference",
]
# Outgoing webhooks (issue 22).
from .webhooks import (  # noqa: E402
    WebhookAttempt,
    WebhookDelivery,
    WebhookDeliveryState,
    WebhookEndpoint,
)

__all__ += ["WebhookAttempt", "WebhookDelivery", "WebhookDeliveryState", "WebhookEndpoint"]
