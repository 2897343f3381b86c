"""A home per person (what `/` opens): a lead's check-ins due, a facilitator's reviews and
departments not started, an executive's changes since their last visit, and everyone's
unread notifications and the latest session. A fixed number of queries whatever the
organisation's size (counts are grouped in SQL, lists are capped)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrics import permissions
from metrics.models import (
    Department,
    HistoryEntry,
    HomeVisit,
    KeyResult,
    KeyResultStatus,
    Metric,
    MetricState,
    Notification,
    NotificationKind,
    QuarterlyStatus,
    Segment,
    SessionState,
    Submission,
    TuningSession,
)
from metrics.selectors.notifications import unread_count
from metrics.selectors.overview import departments, submissions_for_quarter

RECENT = 5
CHANGES_SHOWN = 20
# An executive's first visit shows the last week's changes.
FIRST_VISIT_WINDOW = timedelta(days=7)
THREAD_KINDS = (
    NotificationKind.MENTION,
    NotificationKind.REPLY,
    NotificationKind.DEPARTMENT_THREAD,
)
HANDED_IN = ("submitted", "approved", "locked")
# What a person changes in a cell (the recompute's derived fields are not news).
CHANGED_FIELDS = ("value", "text", "state", "comment", "number")


@dataclass(frozen=True)
class SessionRef:
    session_id: int
    title: str
    quarter_id: int
    quarter_label: str
    fiscal_year: int
    number: int
    deadline: date | None
    is_held: bool


# A check-in's state as people read it (the review loop's states included).
STATE_LABELS = {
    "": _("Not started"),
    "draft": _("Draft"),
    "submitted": _("Submitted"),
    "returned": _("Returned"),
    "approved": _("Approved"),
    "locked": _("Locked"),
}


@dataclass(frozen=True)
class CheckinDue:
    department: str
    department_slug: str
    state: str  # "" (not started), draft, submitted, returned, approved, locked
    rows_total: int
    rows_filled: int
    returned_comment: str

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))

    @property
    def rows_left(self) -> int:
        return max(0, self.rows_total - self.rows_filled)


@dataclass(frozen=True)
class ValueChange:
    label: str
    old_value: str
    new_value: str
    changed_at: datetime
    actor: str


@dataclass
class Home:
    role: str
    latest: SessionRef | None
    preparing: SessionRef | None
    unread: int
    recent: list[Notification]
    threads_waiting: int = 0
    checkins: list[CheckinDue] = field(default_factory=list)
    to_review: list = field(default_factory=list)
    not_started: list = field(default_factory=list)
    submitted_count: int = 0
    department_count: int = 0
    since: datetime | None = None
    changes: list[ValueChange] = field(default_factory=list)
    changes_count: int = 0


def _ref(session: TuningSession | None) -> SessionRef | None:
    if session is None:
        return None
    quarter = session.quarter
    return SessionRef(
        session.pk,
        session.title,
        quarter.pk,
        quarter.label,
        quarter.fiscal_year,
        quarter.number,
        quarter.status_deadline,
        session.state == SessionState.HELD,
    )


def _sessions() -> tuple[SessionRef | None, SessionRef | None]:
    """(the latest session, the latest one being prepared); one query."""
    rows = list(
        TuningSession.objects.select_related("quarter").order_by(
            "-quarter__fiscal_year", "-quarter__number", "id"
        )[:8]
    )
    latest = rows[0] if rows else None
    preparing = next((s for s in rows if s.state == SessionState.DRAFT), None)
    return _ref(latest), _ref(preparing)


def home_for(user) -> Home:
    role = permissions.role_of(user)
    latest, preparing = _sessions()
    recent = list(
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .select_related("actor")
        .order_by("-created_at", "-id")[:RECENT]
    )
    home = Home(
        role=role.value,
        latest=latest,
        preparing=preparing,
        unread=unread_count(user),
        recent=recent,
    )
    home.threads_waiting = Notification.objects.filter(
        recipient=user, read_at__isnull=True, kind__in=THREAD_KINDS
    ).count()
    if preparing is None:
        return home
    if role == permissions.Role.LEAD:
        home.checkins = lead_checkins(user, preparing)
    elif role in (permissions.Role.FACILITATOR, permissions.Role.ADMIN):
        _review(home, preparing)
    elif role == permissions.Role.EXECUTIVE:
        _changes(home, user, preparing)
    return home


def lead_checkins(user, session: SessionRef) -> list[CheckinDue]:
    """Each led department's check-in for the quarter being prepared: its state, rows
    entered out of rows to enter, and the reviewer's comment if it was returned. Six queries."""
    led = list(
        Department.objects.filter(pk__in=permissions.led_department_ids(user)).order_by("name")
    )
    if not led:
        return []
    ids = [d.pk for d in led]
    metrics = Metric.objects.filter(department_id__in=ids).exclude(state=MetricState.RETIRED)
    totals = _count_by(metrics, "department_id")
    _add(totals, _count_by(Segment.objects.filter(metric__in=metrics), "metric__department_id"))
    key_results = KeyResult.objects.filter(
        objective__department_id__in=ids,
        objective__fiscal_year=session.fiscal_year,
        is_retired=False,
    )
    _add(totals, _count_by(key_results, "objective__department_id"))
    filled = _count_by(
        QuarterlyStatus.objects.filter(quarter_id=session.quarter_id, metric__in=metrics),
        "metric__department_id",
    )
    _add(
        filled,
        _count_by(
            KeyResultStatus.objects.filter(
                quarter_id=session.quarter_id, key_result__in=key_results
            ),
            "key_result__objective__department_id",
        ),
    )
    states = dict(
        Submission.objects.filter(quarter_id=session.quarter_id, department_id__in=ids).values_list(
            "department_id", "state"
        )
    )
    returned = {}
    for department_id, body in (
        Notification.objects.filter(
            recipient=user,
            kind=NotificationKind.CHECKIN_RETURNED,
            department_id__in=ids,
            link__contains=f"/{session.fiscal_year}/q{session.number}/",
        )
        .order_by("created_at", "id")
        .values_list("department_id", "body")
    ):
        returned[department_id] = body
    return [
        CheckinDue(
            department=d.name,
            department_slug=d.slug,
            state=states.get(d.pk, ""),
            rows_total=totals.get(d.pk, 0),
            rows_filled=filled.get(d.pk, 0),
            returned_comment=returned.get(d.pk, "") if states.get(d.pk) == "returned" else "",
        )
        for d in led
    ]


def _count_by(rows, key: str) -> dict[int, int]:
    return dict(rows.order_by().values(key).annotate(n=Count("pk")).values_list(key, "n"))


def _add(into: dict[int, int], more: dict[int, int]) -> None:
    for key, count in more.items():
        into[key] = into.get(key, 0) + count


def _review(home: Home, session: SessionRef) -> None:
    items = submissions_for_quarter(session.quarter_id, departments())
    home.department_count = len(items)
    home.to_review = [item for item in items if item.state == "submitted"]
    home.not_started = [item for item in items if item.state in ("", "draft")]
    home.submitted_count = sum(1 for item in items if item.state in HANDED_IN)


def _changes(home: Home, user, session: SessionRef) -> None:
    """New values of the quarter's cells since the executive's last visit (history entries
    of the metrics' and key results' statuses); the latest CHANGES_SHOWN of them."""
    visit = HomeVisit.objects.filter(user=user).first()
    since = visit.previous_at if visit and visit.previous_at else None
    home.since = since or timezone.now() - FIRST_VISIT_WINDOW
    types = ContentType.objects.get_for_models(QuarterlyStatus, KeyResultStatus)
    status_type, kr_type = types[QuarterlyStatus], types[KeyResultStatus]
    status_ids = QuarterlyStatus.objects.filter(quarter_id=session.quarter_id).values("pk")
    kr_ids = KeyResultStatus.objects.filter(quarter_id=session.quarter_id).values("pk")
    entries = HistoryEntry.objects.filter(
        Q(content_type=status_type, object_id__in=status_ids)
        | Q(content_type=kr_type, object_id__in=kr_ids),
        changed_at__gt=home.since,
        field__in=CHANGED_FIELDS,
    )
    home.changes_count = entries.count()
    latest = list(entries.select_related("actor").order_by("-changed_at", "-id")[:CHANGES_SHOWN])
    labels = _cell_labels(
        [e.object_id for e in latest if e.content_type_id == status_type.pk],
        [e.object_id for e in latest if e.content_type_id == kr_type.pk],
    )
    home.changes = [
        ValueChange(
            label=labels.get((entry.content_type_id == kr_type.pk, entry.object_id), ""),
            old_value=entry.old_value or "",
            new_value=entry.new_value or "",
            changed_at=entry.changed_at,
            actor=entry.actor.get_username() if entry.actor else "",
        )
        for entry in latest
    ]


def _cell_labels(status_ids: list[int], kr_status_ids: list[int]) -> dict:
    labels = {}
    for status in QuarterlyStatus.objects.filter(pk__in=status_ids).select_related(
        "metric", "segment"
    ):
        name = status.metric.name + (f" ({status.segment.name})" if status.segment else "")
        labels[(False, status.pk)] = name
    for status in KeyResultStatus.objects.filter(pk__in=kr_status_ids).select_related(
        "key_result__objective"
    ):
        key_result = status.key_result
        labels[(True, status.pk)] = f"{key_result.objective.short_name} {key_result.code}"
    return labels
