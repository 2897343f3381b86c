"""From domain events to notifications: who is told what (registered once in
`MetricsConfig.ready`; runs inside the writer's transaction, see services/events.py).

- submission.changed: submitted -> the reviewers (admins, facilitators); withdrawn (back to
  draft from submitted or approved, by one of the department's leads) -> the reviewers;
  returned (or a reviewer moving it back to draft), approved, locked -> the department's leads.
  A lock or an unlock that is part of a session's hold or reopening says nothing of its own:
  the session's notice covers it.
- session.opened (check-in is open, with the link and the deadline), held, reopened,
  deleted -> every department's leads.
- comment.created: mentioned people, then the replied-to author and the thread's
  participants, then the leads of the department whose cell it is (one notice per person).
- checkin.due: the leads of a department that has not submitted, once per quarter,
  department and kind (due, overdue).

Never the actor. Each event has a key (`event_key`) unique per recipient, so the same event
published again notifies nobody twice.
"""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from metrics.formatting import possessive
from metrics.models import Department, NotificationKind, SessionState, TuningSession
from metrics.selectors.notifications import leads_by_department, readers_among, reviewer_ids
from metrics.services.events import Event, EventKind
from metrics.services.notifications import Notice, notifications_create

K = NotificationKind


def on_event(event: Event) -> None:
    handler = HANDLERS.get(event.kind)
    if handler is not None:
        handler(event)


def _stamp(event: Event) -> str:
    # Transitions that can happen again (submit, withdraw, submit) are told each time; the
    # same published event object carries the same instant.
    return f"{event.occurred_at.timestamp():.6f}"


def checkin_path(department: Department, fiscal_year: int, number: int) -> str:
    return reverse(
        "metrics:checkin",
        kwargs={"department": department.slug, "fiscal_year": fiscal_year, "number": number},
    )


def _quarter_session_held(fiscal_year: int, number: int) -> bool:
    return TuningSession.objects.filter(
        quarter__fiscal_year=fiscal_year, quarter__number=number, state=SessionState.HELD
    ).exists()


# --- submission.changed -------------------------------------------------------------------


def _submission_kind(payload: dict, *, actor_id, lead_ids: list[int]) -> str | None:
    old, new = payload.get("from_state"), payload.get("to_state")
    if old == "locked":
        # An unlock (a reopened session restores each quarter): session.reopened tells them.
        return None
    if new == "submitted":
        return K.CHECKIN_SUBMITTED
    if new == "returned":
        return K.CHECKIN_RETURNED
    if new == "approved":
        return K.CHECKIN_APPROVED
    if new == "locked":
        return K.CHECKIN_LOCKED
    if new == "draft" and old in ("submitted", "approved"):
        return K.CHECKIN_WITHDRAWN if actor_id in lead_ids else K.CHECKIN_RETURNED
    return None


def _review_path(year: int, number: int) -> str | None:
    """Where reviewers act on a submission: the session's review page (facilitators may not
    open a department's check-in)."""
    session_id = (
        TuningSession.objects.filter(quarter__fiscal_year=year, quarter__number=number)
        .values_list("pk", flat=True)
        .first()
    )
    return (
        reverse("metrics:session_review", kwargs={"session_id": session_id}) if session_id else None
    )


def on_submission_changed(event: Event) -> None:
    payload = event.payload
    department = Department.objects.filter(pk=payload.get("department_id")).first()
    if department is None:
        return
    year, number = payload["fiscal_year"], payload["quarter_number"]
    lead_ids = leads_by_department([department.pk]).get(department.pk, [])
    kind = _submission_kind(payload, actor_id=event.actor_id, lead_ids=lead_ids)
    if kind is None:
        return
    if kind == K.CHECKIN_LOCKED and _quarter_session_held(year, number):
        return  # part of the hold: the session.held notice tells the leads
    names = {
        "department": department.name,
        "departments": possessive(department.name),
        "quarter": payload.get("quarter", ""),
    }
    summaries = {
        K.CHECKIN_SUBMITTED: _("%(department)s submitted its check-in for %(quarter)s"),
        K.CHECKIN_WITHDRAWN: _("%(department)s withdrew its check-in for %(quarter)s"),
        K.CHECKIN_RETURNED: _("%(departments)s check-in for %(quarter)s was returned"),
        K.CHECKIN_APPROVED: _("%(departments)s check-in for %(quarter)s was approved"),
        K.CHECKIN_LOCKED: _("%(departments)s check-in for %(quarter)s was locked"),
    }
    summary = summaries[kind] % names
    body = summary + "."
    comment = payload.get("comment") or payload.get("return_comment") or ""
    if comment:
        body += "\n\n" + _("The reviewer wrote:") + "\n" + str(comment)
    to_reviewers = kind in (K.CHECKIN_SUBMITTED, K.CHECKIN_WITHDRAWN)
    recipients = reviewer_ids() if to_reviewers else lead_ids
    link = _review_path(year, number) if to_reviewers else None
    link = link or checkin_path(department, year, number)
    notifications_create(
        notices=[
            Notice(pk, kind, summary, body=body, link=link, department_id=department.pk)
            for pk in recipients
        ],
        event_key=f"submission:{payload.get('submission_id')}:{payload.get('to_state')}:"
        f"{_stamp(event)}",
        actor_id=event.actor_id,
    )


# --- sessions -----------------------------------------------------------------------------


def _deadline_text(deadline: date | None) -> str:
    if deadline is None:
        return ""
    return " " + _("by %(deadline)s") % {"deadline": f"{deadline:%A %d %B %Y}"}


def on_session_opened(event: Event) -> None:
    payload = event.payload
    if not payload.get("notify", True):
        return
    session = (
        TuningSession.objects.filter(pk=payload["session_id"]).select_related("quarter").first()
    )
    if session is None:
        return
    quarter = session.quarter
    leads = leads_by_department()
    notices = []
    for department in Department.objects.filter(pk__in=list(leads)).order_by("name"):
        summary = _("Check-in for %(quarter)s is open: %(department)s") % {
            "quarter": quarter.label,
            "department": department.name,
        }
        body = _(
            "The %(title)s is being prepared. Please enter %(departments)s status for "
            "%(quarter)s and submit it%(deadline)s."
        ) % {
            "title": session.title,
            "departments": possessive(department.name),
            "quarter": quarter.label,
            "deadline": _deadline_text(quarter.status_deadline),
        }
        link = checkin_path(department, quarter.fiscal_year, quarter.number)
        notices += [
            Notice(pk, K.CHECKIN_OPENED, summary, body=body, link=link, department_id=department.pk)
            for pk in leads[department.pk]
        ]
    notifications_create(
        notices=notices, event_key=f"session.opened:{session.pk}", actor_id=event.actor_id
    )


def on_session_changed(event: Event) -> None:
    payload = event.payload
    kind, key, link, summary, body = {
        EventKind.SESSION_HELD: (
            K.SESSION_HELD,
            f"session.held:{payload['session_id']}:{_stamp(event)}",
            reverse("metrics:session", kwargs={"session_id": payload["session_id"]}),
            _("%(title)s was held: its deck is now the record"),
            _("%(title)s was held. Its pages now show the deck as it was presented."),
        ),
        EventKind.SESSION_REOPENED: (
            K.SESSION_REOPENED,
            f"session.reopened:{payload['session_id']}:{_stamp(event)}",
            reverse("metrics:session", kwargs={"session_id": payload["session_id"]}),
            _("%(title)s was reopened"),
            _(
                "%(title)s was reopened for preparation: check-ins of %(quarter)s can be "
                "edited again."
            ),
        ),
        EventKind.SESSION_DELETED: (
            K.SESSION_DELETED,
            f"session.deleted:{payload['session_id']}",
            reverse("metrics:home"),
            _("%(title)s was deleted"),
            _(
                "%(title)s was deleted. The check-in link you were sent for %(quarter)s no "
                "longer applies."
            ),
        ),
    }[event.kind]
    names = {"title": payload.get("title", ""), "quarter": payload.get("quarter", "")}
    leads = leads_by_department()
    notifications_create(
        notices=[
            Notice(pk, kind, summary % names, body=body % names, link=link, department_id=dept)
            for dept, ids in leads.items()
            for pk in ids
        ],
        event_key=key,
        actor_id=event.actor_id,
    )


# --- comments -----------------------------------------------------------------------------


def on_comment_created(event: Event) -> None:
    payload = event.payload
    author_id = payload.get("author_id") or event.actor_id
    target = payload.get("target_label") or _("a discussion")
    link = payload.get("link") or ""
    department_id = payload.get("department_id")
    mentioned = [int(pk) for pk in payload.get("mentioned_user_ids") or []]
    replied = [payload["in_reply_to_author_id"]] if payload.get("in_reply_to_author_id") else []
    participants = [int(pk) for pk in payload.get("participant_ids") or []]
    leads = leads_by_department([department_id]).get(department_id, []) if department_id else []
    readers = readers_among({*mentioned, *replied, *participants, *leads})
    texts = {
        K.MENTION: _("You were mentioned on %(target)s"),
        K.REPLY: _("New reply on %(target)s"),
        K.DEPARTMENT_THREAD: _("New comment on your department's %(target)s"),
    }
    notices = [
        Notice(pk, kind, texts[kind] % {"target": target}, link=link, department_id=department_id)
        for kind, ids in (
            (K.MENTION, mentioned),
            (K.REPLY, replied + participants),
            (K.DEPARTMENT_THREAD, leads),
        )
        for pk in ids
        if pk in readers and pk != author_id
    ]
    notifications_create(
        notices=notices, event_key=f"comment:{payload['comment_id']}", actor_id=author_id
    )


# --- deadlines ----------------------------------------------------------------------------


def on_checkin_due(event: Event) -> None:
    payload = event.payload
    department = Department.objects.filter(pk=payload["department_id"]).first()
    if department is None:
        return
    overdue = payload.get("due") == "overdue"
    names = {
        "departments": possessive(department.name),
        "quarter": payload.get("quarter", ""),
        "deadline": payload.get("deadline", ""),
    }
    if overdue:
        kind = K.CHECKIN_OVERDUE
        summary = _("Overdue: %(departments)s status for %(quarter)s was due %(deadline)s")
        body = _(
            "%(departments)s quarterly status for %(quarter)s has not been submitted yet. "
            "It was due on %(deadline)s."
        )
    else:
        kind = K.CHECKIN_DUE
        summary = _("Reminder: %(departments)s status for %(quarter)s is due %(deadline)s")
        body = _(
            "%(departments)s quarterly status for %(quarter)s has not been submitted yet. "
            "It is due on %(deadline)s. Fill it in and submit it."
        )
    link = checkin_path(department, payload["fiscal_year"], payload["quarter_number"])
    lead_ids = leads_by_department([department.pk]).get(department.pk, [])
    notifications_create(
        notices=[
            Notice(
                pk, kind, summary % names, body=body % names, link=link, department_id=department.pk
            )
            for pk in lead_ids
        ],
        event_key=f"checkin.due:{payload['quarter_id']}:{department.pk}:{kind}",
        actor_id=event.actor_id,
    )


HANDLERS = {
    EventKind.SUBMISSION_CHANGED: on_submission_changed,
    EventKind.SESSION_OPENED: on_session_opened,
    EventKind.SESSION_HELD: on_session_changed,
    EventKind.SESSION_REOPENED: on_session_changed,
    EventKind.SESSION_DELETED: on_session_changed,
    EventKind.COMMENT_CREATED: on_comment_created,
    EventKind.CHECKIN_DUE: on_checkin_due,
}
