from .cache import DataVersion
from .calendar import Quarter
from .jobs import JobOutcome, JobRun, RecomputeRequest
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
)
from .okrs import Drilldown, DrilldownRow, DrilldownTable, KeyResult, KeyResultStatus, Objective
from .org import Department, Outcome, Priority
from .sessions import Acronym, Footnote, KeyDeliverable, MetricDefinition, TuningSession
from .workflow import ChangeSource, HistoryEntry, Submission, SubmissionState

__all__ = [
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
    "StatusState",
    "Submission",
    "SubmissionState",
    "TuningSession",
    "Unit",
]
