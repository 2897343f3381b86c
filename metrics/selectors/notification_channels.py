"""Each person's channel per notification kind: the defaults, and the choices read over them.
Read by the notification writer (metrics.services.notifications) and by the pages that say
who an action would tell and show a person's preferences (metrics.selectors.notifications)."""

from __future__ import annotations

from collections.abc import Iterable

from metrics.models import NotificationChannel, NotificationKind, NotificationPreference

K = NotificationKind
C = NotificationChannel

# A person who chose nothing gets these: the review loop, mentions, replies, the cycle's
# deadlines and a deleted session (their check-in link stops working) by mail; the rest in
# the app.
DEFAULT_CHANNELS = {
    K.CHECKIN_OPENED: C.EMAIL,
    K.CHECKIN_DUE: C.EMAIL,
    K.CHECKIN_OVERDUE: C.EMAIL,
    K.CHECKIN_SUBMITTED: C.EMAIL,
    K.CHECKIN_WITHDRAWN: C.EMAIL,
    K.CHECKIN_RETURNED: C.EMAIL,
    K.CHECKIN_APPROVED: C.EMAIL,
    K.CHECKIN_LOCKED: C.IN_APP,
    K.MENTION: C.EMAIL,
    K.REPLY: C.EMAIL,
    K.DEPARTMENT_THREAD: C.DIGEST,
    K.SESSION_HELD: C.IN_APP,
    K.SESSION_REOPENED: C.IN_APP,
    K.SESSION_DELETED: C.EMAIL,
}


def channels_for(*, user_ids: Iterable[int], kinds: Iterable[str]) -> dict[tuple[int, str], str]:
    """(user id, kind) -> channel, defaults filled in; one query."""
    user_ids, kinds = set(user_ids), set(kinds)
    chosen = {
        (user_id, kind): channel
        for user_id, kind, channel in NotificationPreference.objects.filter(
            user_id__in=user_ids, kind__in=kinds
        ).values_list("user_id", "kind", "channel")
    }
    return {
        (user_id, kind): chosen.get((user_id, kind), DEFAULT_CHANNELS[kind])
        for user_id in user_ids
        for kind in kinds
    }
