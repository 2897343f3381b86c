"""Comment threads in the app: a session's discussion panel, one thread (read, post, reply,
resolve, reopen) and the edit of one's own comment. Thin: the selectors read, the services
(metrics.services.threads) decide who may write and refuse a held session."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from metrics import permissions
from metrics.forms.errors import form_add_service_errors
from metrics.forms.threads import CommentEditForm, CommentForm
from metrics.selectors.session_cycle import session_for_action
from metrics.selectors.threads import (
    comment_row,
    mentionable_departments,
    session_thread,
    session_threads,
    thread_row,
    thread_target,
)
from metrics.services import threads as thread_services
from metrics.services.errors import ConflictError, LockedError
from metrics.views.dashboards import ReadAccessMixin
from metrics.views.lookups import found_or_404


class SessionThreadsMixin(ReadAccessMixin):
    def session(self):
        session = found_or_404(session_for_action(self.kwargs["session_id"]), "No such session.")
        if not permissions.can_read_session(self.request.user, session):
            raise PermissionDenied(_("You cannot read this session."))
        return session


class DiscussionView(SessionThreadsMixin, TemplateView):
    """Every thread of a session, open ones first (as kept at the hold for a held session)."""

    template_name = "metrics/discussion.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.session()
        threads = session_threads(session)
        context.update(
            session=session,
            open_threads=[t for t in threads if not t.is_resolved],
            resolved_threads=[t for t in threads if t.is_resolved],
        )
        return context


class ThreadView(SessionThreadsMixin, TemplateView):
    """One target's thread: its comments with their replies and edit history, and the forms
    to post, reply and resolve (none for viewers or in a held session)."""

    template_name = "metrics/thread.html"

    def get(self, request, *args, **kwargs):
        return self.render(self.session(), CommentForm())

    def render(self, session, form, status=200):
        user = self.request.user
        key = self.kwargs["target_key"]
        thread = session_thread(session, key)
        # A target nobody has discussed yet: its label, or a 404 (NotFoundError) when the
        # key names nothing.
        target_label = thread.label if thread else thread_target(session, key).label
        row = thread_row(session.pk, key) if thread is not None else None
        replies: dict[int, list] = {}
        for comment in thread.comments if thread else ():
            if comment.in_reply_to_id is not None:
                replies.setdefault(comment.in_reply_to_id, []).append(comment)
        context = self.get_context_data(
            session=session,
            thread=thread,
            target_key=key,
            target_label=target_label,
            top_level=[
                (c, replies.get(c.comment_id, ()))
                for c in (thread.comments if thread else ())
                if c.in_reply_to_id is None
            ],
            form=form,
            may_post=not session.is_held and permissions.can_comment(user, session),
            may_resolve=bool(
                row and not session.is_held and permissions.can_resolve_thread(user, row)
            ),
            departments=mentionable_departments(),
        )
        return self.render_to_response(context, status=status)

    def post(self, request, *args, **kwargs):
        session = self.session()
        key = self.kwargs["target_key"]
        form = CommentForm(request.POST)
        if not form.is_valid():
            return self.render(session, form, status=400)
        in_reply_to = None
        if form.cleaned_data["in_reply_to"]:
            in_reply_to = comment_row(form.cleaned_data["in_reply_to"])
            if in_reply_to is None:
                form.add_error(None, _("The comment you answered no longer exists."))
                return self.render(session, form, status=400)
        try:
            comment = thread_services.thread_comment_add(
                actor=request.user,
                session=session,
                target_key=key,
                body=form.cleaned_data["body"],
                in_reply_to=in_reply_to,
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.render(session, form, status=400)
        except LockedError as error:
            form.add_error(None, str(error))
            return self.render(session, form, status=423)
        return redirect(self._url(session.pk, key) + f"#comment-{comment.pk}")

    @staticmethod
    def _url(session_id, key) -> str:
        return reverse("metrics:thread", kwargs={"session_id": session_id, "target_key": key})


class ThreadResolutionView(SessionThreadsMixin, TemplateView):
    """POST: resolve (or, with `resolved=False`, reopen) a thread."""

    resolved = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        session = self.session()
        key = self.kwargs["target_key"]
        thread = found_or_404(thread_row(session.pk, key), "Nobody has started this thread.")
        action = thread_services.thread_resolve if self.resolved else thread_services.thread_reopen
        try:
            action(actor=request.user, thread=thread)
        except LockedError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("Thread resolved.") if self.resolved else _("Thread reopened.")
            )
        return redirect(ThreadView._url(session.pk, key))


class CommentEditView(ReadAccessMixin, TemplateView):
    """The author edits a comment; what it said before stays in its history."""

    template_name = "metrics/comment_edit.html"

    def comment(self):
        comment = found_or_404(comment_row(self.kwargs["comment_id"]), "No such comment.")
        if not permissions.can_edit_comment(self.request.user, comment):
            permissions.log_denied(self.request.user, "comment_edit", comment)
            raise PermissionDenied(_("Only its author edits a comment."))
        return comment

    def get(self, request, *args, **kwargs):
        comment = self.comment()
        form = CommentEditForm(initial={"body": comment.body, "version": comment.version})
        return self.render_to_response(self.get_context_data(comment=comment, form=form))

    def post(self, request, *args, **kwargs):
        comment = self.comment()
        form = CommentEditForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                thread_services.comment_edit(
                    actor=request.user,
                    comment=comment,
                    body=form.cleaned_data["body"],
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            except (ConflictError, LockedError) as error:
                form.add_error(None, str(error))
                status = 409 if isinstance(error, ConflictError) else 423
            else:
                thread = comment.thread
                return redirect(
                    ThreadView._url(thread.session_id, thread.target_key) + f"#comment-{comment.pk}"
                )
        return self.render_to_response(
            self.get_context_data(comment=comment, form=form), status=status
        )
