"""Who may do what: the one place forms, views, the API and the admin ask.

Roles are Django groups (created by migrations 0002_roles and 0006_session_lifecycle): Admin,
Facilitator, Executive, Department lead, Viewer. Superusers are admins. A facilitator runs the
quarterly cycle: opens, authors, holds and deletes tuning sessions (not department figures). A department lead edits only the departments they lead
(Department.leads); executives and viewers read everything and edit nothing.
"""

import contextvars
import logging
from collections.abc import Callable
from enum import StrEnum

from metrics import models

logger = logging.getLogger("metrics.permissions")
# The denials logged while serving the current request (a list the request's middleware
# installs), so that its catch-all does not log the same refusal twice.
denials_this_request: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "denials_this_request", default=None
)


class Role(StrEnum):
    ADMIN = "Admin"
    FACILITATOR = "Facilitator"
    EXECUTIVE = "Executive"
    LEAD = "Department lead"
    VIEWER = "Viewer"
    NONE = ""


def _group_names(user) -> set[str]:
    cached = getattr(user, "_okr_group_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._okr_group_names = cached
    return cached


def role_of(user) -> Role:
    if user is None or not user.is_authenticated or not user.is_active:
        return Role.NONE
    if user.is_superuser:
        return Role.ADMIN
    names = _group_names(user)
    for role in (Role.ADMIN, Role.FACILITATOR, Role.EXECUTIVE, Role.LEAD, Role.VIEWER):
        if role.value in names:
            return role
    return Role.NONE


def is_admin(user) -> bool:
    return role_of(user) == Role.ADMIN


def can_read(user) -> bool:
    """Every role reads every department's figures; anonymous users and users without a
    role read nothing."""
    return role_of(user) != Role.NONE


def led_department_ids(user) -> set[int]:
    if role_of(user) != Role.LEAD:
        return set()
    cached = getattr(user, "_okr_led_department_ids", None)
    if cached is None:
        cached = set(user.led_departments.values_list("id", flat=True))
        user._okr_led_department_ids = cached
    return cached


def writes_figures(user) -> bool:
    """Admins and department leads change figures (each lead only their own departments');
    every other role reads them. Decides whether the API takes a write at all and whether
    the Check-in link shows."""
    return role_of(user) in (Role.ADMIN, Role.LEAD)


def can_edit_department(user, department) -> bool:
    role = role_of(user)
    if role == Role.ADMIN:
        return True
    department_id = getattr(department, "pk", department)
    return role == Role.LEAD and department_id in led_department_ids(user)


def department_id_of(obj) -> int | None:
    match obj:
        case models.Department():
            return obj.pk
        case models.Metric() | models.Objective() | models.Submission():
            return obj.department_id
        case models.Segment() | models.Observation() | models.QuarterlyStatus():
            return obj.metric.department_id
        case models.KeyResult() | models.Drilldown():
            return obj.objective.department_id
        case models.KeyResultStatus():
            return obj.key_result.objective.department_id
    return None


def can_edit(user, obj) -> bool:
    """Write access to one row. Shared rows (sessions, outcomes, priorities, acronyms,
    footnotes, quarters) are the admins' only."""
    if is_admin(user):
        return True
    department_id = department_id_of(obj)
    return department_id is not None and can_edit_department(user, department_id)


def can_write_metric(user, metric, *, department=None) -> bool:
    """May `user` write this metric's figures? Whoever may edit its department. Written from
    one department's page (`department`: the CSV import, the backfill, the check-in), only
    that department's metrics, admins included: a file meant for one department never
    changes another's."""
    if department is not None and metric.department_id != getattr(department, "pk", department):
        return False
    return can_edit_department(user, metric.department_id)


def metric_write_rule(user, *, action: str, department=None) -> Callable[[object], bool]:
    """can_write_metric as the per-row check every bulk write path hands to
    observations_upsert (API upsert, CSV import, backfill); each refusal is logged."""

    def allowed(metric) -> bool:
        if can_write_metric(user, metric, department=department):
            return True
        log_denied(user, action, metric)
        return False

    return allowed


def can_lock(user) -> bool:
    return is_admin(user)


def can_submit(user, department) -> bool:
    return can_edit_department(user, department)


def log_denied(user, action: str, target) -> None:
    """Refused writes are logged: a lead posting to another department's URL is worth knowing."""
    logged = denials_this_request.get()
    if logged is not None:
        logged.append(action)
    logger.warning(
        "permission denied: user=%s role=%s action=%s target=%r",
        getattr(user, "pk", None),
        role_of(user).value or "none",
        action,
        target,
    )


def can_use_checkin(user, department) -> bool:
    """The check-in page of a department (its forms) is for whoever may edit it: admins and
    the department's own leads. Executives and viewers read the dashboards instead."""
    return can_edit_department(user, department)


def can_reopen(user, submission) -> bool:
    """Admins reopen any quarter; a lead may withdraw their own submitted or approved (not
    locked) one."""
    if is_admin(user):
        return True
    return submission.state in UNDER_REVIEW and can_edit_department(user, submission.department_id)


# --- the review loop (docs/review.md) ---------------------------------------------------------

# A check-in in one of these states is read-only for its leads until they withdraw it.
UNDER_REVIEW = frozenset({models.SubmissionState.SUBMITTED, models.SubmissionState.APPROVED})


def leads_department(user, department) -> bool:
    """Whether the user is one of the department's leads, whatever their role (an admin or a
    facilitator may lead a department too)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_okr_any_led_department_ids", None)
    if cached is None:
        cached = set(user.led_departments.values_list("id", flat=True))
        user._okr_any_led_department_ids = cached
    return getattr(department, "pk", department) in cached


def can_review(user, department) -> bool:
    """Approve a department's submitted check-in or return it with a comment: facilitators
    and admins, and never a person for a department they lead (no approving your own)."""
    return can_facilitate(user) and not leads_department(user, department)


def can_withdraw(user, submission) -> bool:
    """Take a submitted or approved check-in back to draft (which tells the reviewers): the
    department's own leads and admins."""
    return submission.state in UNDER_REVIEW and can_edit_department(user, submission.department_id)


def edits_under_review(user) -> bool:
    """Whether `user` may still change the figures of a check-in under review (submitted or
    approved): admins (a correction, recorded in history) and the system itself (None: the
    seed, commands). Leads withdraw it first."""
    return user is None or is_admin(user)


def editable_department_ids(user) -> set[int] | None:
    """Departments whose check-in the user may open; None means all of them (admins)."""
    if is_admin(user):
        return None
    return led_department_ids(user)


def can_facilitate(user) -> bool:
    """Open the next session, author a session (texts, deliverables, metric rows, objectives
    and key results), hold it, delete an unused one: admins and facilitators."""
    return role_of(user) in (Role.ADMIN, Role.FACILITATOR)


def can_reopen_session(user) -> bool:
    """Reopening a held session un-freezes what was presented: admins only."""
    return is_admin(user)


# --- comment threads (docs/threads.md) ---------------------------------------------------------


def can_read_session(user, session) -> bool:
    """Who reads a session's pages and its threads: every role reads every session (the
    dashboards' rule, can_read); a user without a role reads none."""
    return can_read(user)


def can_comment(user, session) -> bool:
    """Everyone who reads the session may post in its threads, but viewers, who read only."""
    return can_read_session(user, session) and role_of(user) != Role.VIEWER


def can_edit_comment(user, comment) -> bool:
    """Authors edit their own comments (and only while they may still comment)."""
    return comment.author_id is not None and comment.author_id == getattr(user, "pk", None)


def can_resolve_thread(user, thread) -> bool:
    """Resolve or reopen: whoever started the thread, the target department's leads, the
    facilitators and admins."""
    if not can_comment(user, thread.session):
        return False
    if can_facilitate(user) or thread.created_by_id == getattr(user, "pk", None):
        return True
    return thread.department_id is not None and can_edit_department(user, thread.department_id)


def can_manage_webhooks(user) -> bool:
    """Register, change and delete webhook endpoints and read their delivery log (the
    endpoints' secrets sign what the app tells other tools): admins only."""
    return is_admin(user)
