"""The quarterly cycle of tuning sessions: open the next session from the latest one, author
it, hold it (freeze what was presented), reopen it (admins), delete an unused one.

Permission checks are the caller's (metrics.permissions.can_facilitate / can_reopen_session).
Every write records history; edits of a session's rows check the version the caller read.
A held session refuses every edit (SessionHeldError, a LockedError: 423 in the API).

By concern: `lifecycle` (open the next session, hold, reopen, delete), `authoring` (the
session's texts and rows, its objectives and key results), `carry_over` (what the next
quarter's session takes over, an objective duplicated into it) and `common` (what they share).
The cycle's rules that are reads (which quarter is next, what opening it would be refused for,
what a session presents) are metrics.selectors.session_rules, re-exported here.
"""

from metrics.selectors.session_rules import (
    SessionAlreadyOpenError,
    default_status_deadline,
    entered_status_count,
    latest_session_of,
    next_quarter_of,
    next_session_of,
    next_title,
    session_objectives_presented,
    session_open_next_validate,
)
from metrics.services.sessions.authoring import (
    DEFINITION_FIELDS,
    KEY_RESULT_FIELDS,
    SESSION_TEXT_FIELDS,
    definition_add,
    definition_move,
    definition_update,
    deliverable_add,
    deliverable_move,
    deliverable_remove,
    deliverable_update,
    draft_narratives_follow,
    key_result_add,
    key_result_move,
    key_result_update,
    objective_add,
    session_objective_move,
    session_objective_update,
    session_update,
)
from metrics.services.sessions.carry_over import objective_duplicate_next_quarter
from metrics.services.sessions.common import SessionHeldError, session_ensure_draft
from metrics.services.sessions.lifecycle import (
    OpenResult,
    session_create_first,
    session_delete,
    session_freeze_presented,
    session_hold,
    session_open_next,
    session_open_notify,
    session_reopen,
)

__all__ = [
    "DEFINITION_FIELDS",
    "KEY_RESULT_FIELDS",
    "SESSION_TEXT_FIELDS",
    "OpenResult",
    "SessionAlreadyOpenError",
    "SessionHeldError",
    "default_status_deadline",
    "definition_add",
    "definition_move",
    "definition_update",
    "deliverable_add",
    "deliverable_move",
    "deliverable_remove",
    "deliverable_update",
    "draft_narratives_follow",
    "entered_status_count",
    "key_result_add",
    "key_result_move",
    "key_result_update",
    "latest_session_of",
    "next_quarter_of",
    "next_session_of",
    "next_title",
    "objective_add",
    "objective_duplicate_next_quarter",
    "session_delete",
    "session_ensure_draft",
    "session_freeze_presented",
    "session_hold",
    "session_objective_move",
    "session_objective_update",
    "session_objectives_presented",
    "session_create_first",
    "session_open_next",
    "session_open_next_validate",
    "session_open_notify",
    "session_reopen",
    "session_update",
]
