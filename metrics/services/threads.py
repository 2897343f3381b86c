"""Writing comment threads: post a comment (starting the thread on its first), reply, edit
your own comment (its earlier text kept as a revision), resolve and reopen a thread.

Each write checks the permission itself (metrics.permissions: viewers read only, authors
edit their own), refuses a held session (its threads are part of the record), and saves
in one data_write that says the structure changed (metrics.caching.versions), so every
cached page shows the new counts. A new comment publishes `comment.created` with what a
notification needs: who was mentioned (department leads resolved), who took part before,
whose comment it answers. Mentions: `@username` names a person; `@department-slug` names
that department's leads (a username wins over a department of the same name).
"""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics import permissions
from metrics.caching.versions import data_changed, data_write
from metrics.models import (
    Comment,
    CommentMention,
    CommentRevision,
    Department,
    Quarter,
    Thread,
    TuningSession,
)
from metrics.selectors.threads import ThreadTargetInfo, thread_target
from metrics.services.errors import ConflictError
from metrics.services.events import EventKind, event_publish
from metrics.services.sessions import SessionHeldError
from metrics.services.validation import validate_markdown_length

MAX_COMMENT_CHARS = 10_000
# "@name" at the start of a word; a trailing full stop ends the sentence, not the name.
MENTION = re.compile(r"(?<![\w@.])@([\w][\w.+-]{0,149})")


def _clean_body(body) -> str:
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({"body": _("Write something first.")})
    if len(text) > MAX_COMMENT_CHARS:
        raise ValidationError(
            {"body": _("At most %(limit)s characters.") % {"limit": f"{MAX_COMMENT_CHARS:,}"}}
        )
    validate_markdown_length({"body": text})
    return text


def mentioned_names(body: str) -> list[str]:
    names = []
    for match in MENTION.finditer(body or ""):
        name = match.group(1).rstrip(".-+")
        if name and name.lower() not in (n.lower() for n in names):
            names.append(name)
    return names


def mentions_resolve(body: str) -> list[tuple[int, int | None]]:
    """[(user id, department id it came through or None)] the @names of a text mean: a
    person by username (case-insensitive), else a department's leads by its slug. Unknown
    names are plain text. Two queries at most."""
    names = mentioned_names(body)
    if not names:
        return []
    User = get_user_model()
    lowered = {name.lower() for name in names}
    users = {
        username.lower(): pk
        for pk, username in User.objects.filter(is_active=True)
        .filter(**{f"{User.USERNAME_FIELD}__iregex": _any_of(lowered)})
        .values_list("pk", User.USERNAME_FIELD)
    }
    found: dict[int, int | None] = {}
    for name in lowered:
        if name in users:
            found.setdefault(users[name], None)
    department_slugs = lowered - set(users)
    if department_slugs:
        leads = Department.leads.through.objects.filter(
            department__slug__in=department_slugs, user__is_active=True
        ).values_list("user_id", "department_id")
        for user_id, department_id in leads:
            found.setdefault(user_id, department_id)
    return list(found.items())


def _any_of(names) -> str:
    return "^(" + "|".join(re.escape(name) for name in sorted(names)) + ")$"


def _ensure_open_to(actor, session: TuningSession) -> None:
    if not permissions.can_read_session(actor, session):
        permissions.log_denied(actor, "comment", session)
        raise PermissionDenied(_("You cannot read this session."))
    if not permissions.can_comment(actor, session):
        permissions.log_denied(actor, "comment", session)
        raise PermissionDenied(_("Viewers read the threads; they do not post in them."))
    if session.is_held:
        if session.held_at:
            message = _(
                "The %(quarter)s session was held on %(date)s: its threads are part of its "
                "record and read-only. An admin can reopen the session."
            )
        else:
            message = _(
                "The %(quarter)s session was held: its threads are part of its record and "
                "read-only. An admin can reopen the session."
            )
        raise SessionHeldError(
            message
            % {
                "quarter": session.quarter.label,
                "date": f"{session.held_at:%Y-%m-%d}" if session.held_at else "",
            }
        )


def _thread_for(session: TuningSession, target: ThreadTargetInfo, actor) -> Thread:
    quarter = None
    if target.fiscal_quarter is not None:
        quarter = Quarter.objects.get_or_create_fiscal(
            target.fiscal_quarter.fiscal_year, target.fiscal_quarter.number
        )
    thread, _created = Thread.objects.get_or_create(
        session=session,
        target_key=target.key,
        defaults={
            "target": target.target,
            "metric": target.metric,
            "segment": target.segment,
            "key_result": target.key_result,
            "objective": target.objective,
            "quarter": quarter,
            "department_id": target.department_id,
            "label": target.label[:400],
            "created_by": actor,
        },
    )
    return thread


def thread_link(thread: Thread) -> str:
    return reverse(
        "metrics:thread",
        kwargs={"session_id": thread.session_id, "target_key": thread.target_key},
    )


def thread_comment_add(
    *,
    actor,
    session: TuningSession,
    body: str,
    target_key: str = "",
    thread: Thread | None = None,
    in_reply_to: Comment | None = None,
) -> Comment:
    """Post a comment in the thread on `target_key` of `session` (started by this comment
    when there is none) or in `thread`; a reply when `in_reply_to` is given (a reply to a
    reply answers the comment that one answered: one level)."""
    text = _clean_body(body)
    with data_write():
        data_changed()  # thread counts show on every page of the session
        session = TuningSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
        _ensure_open_to(actor, session)
        if thread is None:
            thread = _thread_for(session, thread_target(session, target_key), actor)
        elif thread.session_id != session.pk:
            raise ValidationError({"thread": _("That thread belongs to another session.")})
        if in_reply_to is not None:
            if in_reply_to.thread_id != thread.pk:
                raise ValidationError({"in_reply_to": _("That comment is in another thread.")})
            if in_reply_to.in_reply_to_id is not None:
                in_reply_to = in_reply_to.in_reply_to
        earlier = set(
            Comment.objects.filter(thread=thread, author__isnull=False).values_list(
                "author_id", flat=True
            )
        )
        comment = Comment.objects.create(
            thread=thread, author=actor, body=text, in_reply_to=in_reply_to
        )
        mentions = mentions_resolve(text)
        CommentMention.objects.bulk_create(
            [
                CommentMention(comment=comment, user_id=user_id, via_department_id=department_id)
                for user_id, department_id in mentions
            ]
        )
        Thread.objects.filter(pk=thread.pk).update(
            comment_count=F("comment_count") + 1, last_comment_at=comment.created_at
        )
        thread.refresh_from_db()
        event_publish(
            kind=EventKind.COMMENT_CREATED,
            actor=actor,
            payload={
                "comment_id": comment.pk,
                "thread_id": thread.pk,
                "target": thread.target,
                "target_key": thread.target_key,
                "target_label": thread.label,
                "link": thread_link(thread),
                "session_id": session.pk,
                "department_id": thread.department_id,
                "author_id": actor.pk,
                "mentioned_user_ids": sorted(user_id for user_id, _ in mentions),
                "participant_ids": sorted(earlier - {actor.pk}),
                "in_reply_to_author_id": in_reply_to.author_id if in_reply_to else None,
            },
        )
    return comment


def comment_edit(
    *, actor, comment: Comment, body: str, expected_version: int | None = None
) -> Comment:
    """The author changes their comment; the text it replaces is kept as a revision."""
    text = _clean_body(body)
    with data_write():
        data_changed()  # thread counts show on every page of the session
        comment = (
            Comment.objects.select_for_update().select_related("thread__session").get(pk=comment.pk)
        )
        session = comment.thread.session
        if not permissions.can_edit_comment(actor, comment):
            permissions.log_denied(actor, "comment_edit", comment)
            raise PermissionDenied(_("Only its author edits a comment."))
        _ensure_open_to(actor, session)
        if expected_version is not None and expected_version != comment.version:
            raise ConflictError(
                comment,
                _(
                    "This comment was edited since you opened it (now version %(version)s): "
                    "read it again and edit once more."
                )
                % {"version": comment.version},
            )
        if text == comment.body:
            return comment
        CommentRevision.objects.create(
            comment=comment, body=comment.body, written_at=comment.edited_at or comment.created_at
        )
        comment.body, comment.edited_at = text, timezone.now()
        comment.version += 1
        comment.save(update_fields=["body", "edited_at", "version"])
        CommentMention.objects.bulk_create(
            [
                CommentMention(comment=comment, user_id=user_id, via_department_id=department_id)
                for user_id, department_id in mentions_resolve(text)
            ],
            ignore_conflicts=True,
        )
    return comment


def _resolution(*, actor, thread: Thread, resolved: bool) -> Thread:
    with data_write():
        data_changed()  # thread counts show on every page of the session
        thread = Thread.objects.select_for_update().select_related("session").get(pk=thread.pk)
        _ensure_open_to(actor, thread.session)
        if not permissions.can_resolve_thread(actor, thread):
            permissions.log_denied(actor, "thread_resolve", thread)
            raise PermissionDenied(
                _(
                    "Whoever started the thread, the department's leads and the facilitators "
                    "resolve or reopen it."
                )
            )
        if thread.is_resolved == resolved:
            return thread
        thread.is_resolved = resolved
        thread.resolved_at = timezone.now() if resolved else None
        thread.resolved_by = actor if resolved else None
        thread.save(update_fields=["is_resolved", "resolved_at", "resolved_by"])
    return thread


def thread_resolve(*, actor, thread: Thread) -> Thread:
    return _resolution(actor=actor, thread=thread, resolved=True)


def thread_reopen(*, actor, thread: Thread) -> Thread:
    return _resolution(actor=actor, thread=thread, resolved=False)
