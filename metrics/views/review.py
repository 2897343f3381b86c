"""The review loop's pages (docs/review.md): a session's review of each department's check-in
(approve, or return with a comment), and the facilitator's confirmations before holding or
deleting a session, which name what is missing or what goes. Every change is one service
call; facilitators and admins only (metrics.permissions)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from metrics import permissions
from metrics.formatting import possessive
from metrics.models import SessionState, SubmissionState
from metrics.selectors.entry import department_by_slug
from metrics.selectors.review import (
    checkin_progress,
    checkin_states,
    delete_impact,
    held_checkins,
    held_progress,
    hold_impact,
)
from metrics.selectors.session_cycle import session_for_action
from metrics.services import sessions as cycle
from metrics.services.errors import LockedError
from metrics.services.submissions import submission_approve, submission_return
from metrics.views.lookups import found_or_404
from metrics.views.session_cycle import FacilitatorMixin

# The states a lead submits from (a returned check-in is submitted again).
SUBMITTABLE = frozenset({SubmissionState.DRAFT, SubmissionState.RETURNED})


def is_read_only_under_review(user, submission) -> bool:
    """A submitted or approved check-in is read-only for its leads until they withdraw it."""
    return submission.state in permissions.UNDER_REVIEW and not permissions.edits_under_review(user)


def read_only_message(submission) -> str:
    if submission.state == SubmissionState.APPROVED:
        return _("This check-in is approved: it is read-only until you withdraw it.")
    return _(
        "This check-in is submitted for review: it is read-only until you withdraw it "
        "(the reviewers are told)."
    )


def render_deleted_session(request, view, deleted):
    """410: the quarter's session was deleted; the lead may still open its check-in."""
    return TemplateResponse(
        request,
        "entry/checkin_deleted.html",
        {
            "deleted": deleted,
            "department": view.department,
            "quarter": view.quarter,
            "anyway_url": reverse("metrics:checkin", kwargs=view.quarter_url_kwargs())
            + "?deleted=ignore",
        },
        status=410,
    )


class _SessionActionMixin(FacilitatorMixin):
    @property
    def session(self):
        if not hasattr(self, "_session"):
            self._session = found_or_404(
                session_for_action(self.kwargs["session_id"]), _("No such tuning session.")
            )
        return self._session

    def edit_url(self) -> str:
        return reverse("metrics:session_edit", kwargs={"session_id": self.session.pk})


class ReviewView(_SessionActionMixin, TemplateView):
    """Each department's check-in for the session's quarter with approve / return buttons;
    a held session's page shows who had submitted when it was held, read-only."""

    template_name = "metrics/session_review.html"

    def get(self, request, *args, **kwargs):
        return self.render()

    def render(self, *, errors=None, typed=None, status=200):
        session = self.session
        if session.state == SessionState.HELD:
            checkins = held_checkins(session.pk)
            progress = held_progress(checkins)
            checkins = checkins or []
        else:
            checkins = checkin_states(session.quarter_id)
            progress = checkin_progress(checkins)
        user = self.request.user
        rows = [
            {
                "item": item,
                "may_review": session.state != SessionState.HELD
                and permissions.can_review(user, item.department_id),
                "own": permissions.leads_department(user, item.department_id),
                "error": (errors or {}).get(item.department_slug, ""),
                "typed": (typed or {}).get(item.department_slug, ""),
            }
            for item in checkins
        ]
        context = self.get_context_data(
            session=session,
            rows=rows,
            progress=progress,
            is_held=session.state == SessionState.HELD,
            deck_url=reverse("metrics:session", kwargs={"session_id": session.pk}),
        )
        return self.render_to_response(context, status=status)

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        if action not in ("approve", "return"):
            messages.error(request, _("Unknown action."))
            return redirect(request.path)
        department = found_or_404(department_by_slug(request.POST.get("department", "")))
        if not permissions.can_review(request.user, department):
            permissions.log_denied(request.user, f"submission {action}", department)
            raise PermissionDenied(
                _("You may not review %(departments)s check-in.")
                % {"departments": possessive(department.name)}
            )
        comment = request.POST.get("comment", "")
        try:
            if action == "approve":
                submission_approve(
                    department=department, quarter=self.session.quarter, actor=request.user
                )
            else:
                submission_return(
                    department=department,
                    quarter=self.session.quarter,
                    actor=request.user,
                    comment=comment,
                )
        except (LockedError, ValidationError) as error:
            text = " ".join(getattr(error, "messages", [str(error)]))
            return self.render(
                errors={department.slug: text}, typed={department.slug: comment}, status=400
            )
        done = _("approved") if action == "approve" else _("returned to its leads")
        messages.success(
            request,
            _("%(departments)s check-in for %(quarter)s is %(done)s.")
            % {
                "departments": possessive(department.name),
                "quarter": self.session.quarter.label,
                "done": done,
            },
        )
        return redirect(request.path)


class HoldConfirmView(_SessionActionMixin, TemplateView):
    """*Mark as held*, confirmed: names the departments that have not submitted or were not
    approved (and so what the held record will say) before the facilitator holds."""

    template_name = "metrics/session_hold_confirm.html"

    def get(self, request, *args, **kwargs):
        if self.session.state == SessionState.HELD:
            messages.info(request, _("This session is held already."))
            return redirect(self.edit_url())
        impact = hold_impact(self.session)
        return self.render_to_response(self.get_context_data(session=self.session, impact=impact))

    def post(self, request, *args, **kwargs):
        session = self.session
        try:
            cycle.session_hold(actor=request.user, session=session)
        except LockedError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "%(title)s is held: its pages stay as presented and %(quarter)s is locked "
                    "for every department."
                )
                % {"title": session.title, "quarter": session.quarter.label},
            )
        return redirect(self.edit_url())


class DeleteConfirmView(_SessionActionMixin, TemplateView):
    """*Delete*, confirmed: what goes with the session (emails sent, values and comments
    entered, objectives only it presented), and the quarter's label typed to confirm. A
    session whose quarter has entered statuses is not deleted (the rule stays): the page
    says why and shows no button."""

    template_name = "metrics/session_delete_confirm.html"

    def get(self, request, *args, **kwargs):
        return self.render()

    def render(self, *, error: str = "", status: int = 200):
        session = self.session
        impact = None if session.state == SessionState.HELD else delete_impact(session)
        return self.render_to_response(
            self.get_context_data(session=session, impact=impact, error=error), status=status
        )

    def post(self, request, *args, **kwargs):
        session = self.session
        typed = request.POST.get("confirm_label", "").strip()
        if typed.casefold() != session.quarter.label.casefold():
            return self.render(
                error=_("Type %(label)s to confirm.") % {"label": session.quarter.label},
                status=400,
            )
        title = session.title
        try:
            cycle.session_delete(actor=request.user, session=session)
        except (LockedError, ValidationError) as error:
            text = " ".join(getattr(error, "messages", [str(error)]))
            return self.render(error=text, status=400)
        messages.success(request, _("Deleted %(title)s.") % {"title": title})
        return redirect("metrics:home")
