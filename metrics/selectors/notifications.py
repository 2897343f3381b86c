"""Reads of notifications: who would be told of an action, a person's inbox, their unread
count and their channels. Each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q

from metrics.models import Department, Notification, NotificationKind
from metrics.permissions import Role
from metrics.selectors.notification_channels import channels_for

READER_ROLES = [role.value for role in Role if role != Role.NONE]
REVIEWER_ROLES = [Role.ADMIN.value, Role.FACILITATOR.value]
INBOX_PAGE = 50


def _active_readers():
    """Active users with a role that may read the sessions (anyone else is told nothing)."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=READER_ROLES))
    )


def reviewer_ids() -> list[int]:
    """Who reviews check-ins: admins (superusers too) and facilitators."""
    return sorted(
        set(
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(groups__name__in=REVIEWER_ROLES))
            .values_list("pk", flat=True)
        )
    )


def readers_among(user_ids) -> set[int]:
    return set(_active_readers().filter(pk__in=list(user_ids)).values_list("pk", flat=True))


def leads_by_department(department_ids=None) -> dict[int, list[int]]:
    """department id -> its active leads' ids (every department when `department_ids` is
    None); one query."""
    through = Department.leads.through
    rows = through.objects.filter(user__is_active=True)
    if department_ids is not None:
        rows = rows.filter(department_id__in=list(department_ids))
    leads: dict[int, list[int]] = {}
    for department_id, user_id in rows.order_by("department_id", "user_id").values_list(
        "department_id", "user_id"
    ):
        leads.setdefault(department_id, []).append(user_id)
    return leads


@dataclass(frozen=True)
class RecipientsPreview:
    names: list[str]  # up to PREVIEW_NAMES, sorted
    count: int

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.names))


PREVIEW_NAMES = 8
PREVIEW_KINDS = {
    NotificationKind.CHECKIN_SUBMITTED,
    NotificationKind.CHECKIN_WITHDRAWN,
    NotificationKind.CHECKIN_RETURNED,
    NotificationKind.CHECKIN_APPROVED,
    NotificationKind.SESSION_HELD,
    NotificationKind.SESSION_DELETED,
    NotificationKind.SESSION_REOPENED,
    NotificationKind.CHECKIN_OPENED,
}


def notification_recipients_preview(
    *, kind: str, actor=None, department_id: int | None = None, memo: dict | None = None
) -> RecipientsPreview:
    """Who an action would notify, before it is taken ("who will be notified"): the
    reviewers of a submission or a withdrawal, the department's leads of a return or an
    approval, every department's leads of a session's hold, deletion, reopening or opening.
    The actor is never among them; people who turned the kind off are left out. Two queries;
    none more for another kind of the same audience given the same `memo` (a page showing
    who its hold and its delete notify)."""
    if kind in (NotificationKind.CHECKIN_SUBMITTED, NotificationKind.CHECKIN_WITHDRAWN):
        audience = "reviewers"
    elif kind in (NotificationKind.CHECKIN_RETURNED, NotificationKind.CHECKIN_APPROVED):
        audience = f"leads:{department_id}"
    elif kind in PREVIEW_KINDS:
        audience = "all-leads"
    else:
        raise ValueError(f"No preview for {kind!r}.")
    actor_id = getattr(actor, "pk", None)
    memo = {} if memo is None else memo
    key = (audience, actor_id)
    if key not in memo:
        found = {
            user.pk: user
            for user in _audience(audience, department_id)
            .exclude(pk=actor_id)
            .distinct()
            .order_by("username")
            .only("username", "first_name", "last_name")
        }
        memo[key] = (found, channels_for(user_ids=found, kinds=PREVIEW_KINDS))
    found, channels = memo[key]
    names = [
        user.get_full_name() or user.get_username()
        for pk, user in found.items()
        if channels[(pk, kind)] != "off"
    ]
    return RecipientsPreview(names=names[:PREVIEW_NAMES], count=len(names))


def _audience(audience: str, department_id: int | None):
    users = get_user_model().objects.filter(is_active=True)
    if audience == "reviewers":
        return users.filter(Q(is_superuser=True) | Q(groups__name__in=REVIEWER_ROLES))
    if audience == "all-leads":
        return users.filter(led_departments__isnull=False)
    return users.filter(led_departments=department_id)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class Inbox:
    notifications: list[Notification]
    unread: int
    has_more: bool


def inbox_of(user, *, limit: int = INBOX_PAGE, unread_only: bool = False) -> Inbox:
    """The person's latest notifications (two queries)."""
    rows = Notification.objects.filter(recipient=user).select_related("actor")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    page = list(rows.order_by("-created_at", "-id")[: limit + 1])
    return Inbox(notifications=page[:limit], unread=unread_count(user), has_more=len(page) > limit)


def notification_of(user, notification_id: int) -> Notification | None:
    """The person's own notification, or None (someone else's id reads as none)."""
    return Notification.objects.filter(recipient=user, pk=notification_id).first()


def preferences_of(user) -> list[tuple[str, str, str]]:
    """(kind, its label, the person's channel) for every kind, defaults filled in; one query."""
    channels = channels_for(user_ids=[user.pk], kinds=NotificationKind.values)
    return [(kind, label, channels[(user.pk, kind)]) for kind, label in NotificationKind.choices]
