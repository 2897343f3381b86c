"""The quarter's check-in page: a department's every metric, segment and key result on one
page, saved row by row through the write services. A row someone else saved meanwhile is
refused with their value shown next to it; every other row is saved, nothing typed is lost."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from metrics import permissions
from metrics.fiscal import fiscal_year_label
from metrics.forms.checkin import KeyResultRowForm, StatusRowForm
from metrics.forms.conflicts import data_after_conflict
from metrics.forms.errors import form_add_service_errors
from metrics.forms.quarters import QuarterPickForm
from metrics.models import ChangeSource
from metrics.selectors.checkin import checkin_get
from metrics.selectors.entry import entry_departments, recent_submissions, submission_of
from metrics.selectors.entry_quarters import neighbour_quarters, quarter_open_for_entry
from metrics.selectors.job_runs import recompute_pending_for_department
from metrics.selectors.review import deleted_session_of
from metrics.selectors.threads import checkin_thread_counts
from metrics.services.errors import ConflictError, LockedError
from metrics.services.key_results import key_result_status_save
from metrics.services.recompute_requests import recompute_batched
from metrics.services.statuses import quarterly_status_save
from metrics.services.submissions import (
    submission_lock,
    submission_reopen,
    submission_submit,
    submission_withdraw,
)
from metrics.views.entry_access import QuarterEntryMixin
from metrics.views.review import (
    SUBMITTABLE,
    is_read_only_under_review,
    read_only_message,
    render_deleted_session,
)


class CheckinIndexView(LoginRequiredMixin, TemplateView):
    """The departments the user may check in, and a quarter picker."""

    template_name = "entry/index.html"

    def get(self, request, *args, **kwargs):
        departments = entry_departments(
            department_ids=permissions.editable_department_ids(request.user)
        )
        if "department" in request.GET:
            form = QuarterPickForm(request.GET, departments=departments)
            if form.is_valid():
                return redirect(
                    "metrics:checkin",
                    department=form.cleaned_data["department"],
                    fiscal_year=form.cleaned_data["fiscal_year"],
                    number=form.cleaned_data["number"],
                )
        else:
            current = quarter_open_for_entry(today=timezone.localdate())
            form = QuarterPickForm(
                departments=departments,
                initial={"fiscal_year": current.fiscal_year, "number": current.number},
            )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                departments=departments,
                submissions=recent_submissions(departments=departments),
            )
        )


class CheckinView(QuarterEntryMixin, TemplateView):
    template_name = "entry/checkin.html"

    def get(self, request, *args, **kwargs):
        deleted = (
            None if request.GET.get("deleted") == "ignore" else deleted_session_of(self.quarter)
        )
        if deleted is not None:  # the link of a deleted session's emails (docs/review.md)
            return render_deleted_session(request, self, deleted)
        checkin = checkin_get(department=self.department, quarter=self.quarter)
        return self.render_page(checkin, self._unbound_forms(checkin))

    def post(self, request, *args, **kwargs):
        checkin = checkin_get(department=self.department, quarter=self.quarter)
        if checkin.is_locked:
            messages.error(
                request,
                _("%(quarter)s is locked; nothing was saved.") % {"quarter": self.quarter.label},
            )
            return redirect(reverse("metrics:checkin", kwargs=self.quarter_url_kwargs()))
        if is_read_only_under_review(request.user, checkin.submission):
            messages.error(request, read_only_message(checkin.submission))
            return redirect(reverse("metrics:checkin", kwargs=self.quarter_url_kwargs()))
        # Each row commits on its own; the recompute runs once per metric after the last.
        with recompute_batched():
            outcome = _RowSaver(request=request, checkin=checkin, quarter=self.quarter).save_all()
        if outcome.locked:
            messages.error(request, _("%(locked)s Not saved.") % {"locked": outcome.locked})
        if not outcome.has_problems:
            if outcome.saved:
                messages.success(request, _("Saved %(count)s row(s).") % {"count": outcome.saved})
            else:
                messages.info(request, _("Nothing had changed."))
            return redirect(reverse("metrics:checkin", kwargs=self.quarter_url_kwargs()))
        if outcome.saved:
            messages.success(request, _("Saved %(count)s row(s).") % {"count": outcome.saved})
        messages.error(request, _("Some rows were not saved; see the messages next to them."))
        fresh = checkin_get(department=self.department, quarter=self.quarter)
        return self.render_page(fresh, outcome.forms_keeping_problems(fresh))

    def _unbound_forms(self, checkin) -> dict:
        return {row.prefix: _row_form(form_class, row) for form_class, row in _rows(checkin)}

    def render_page(self, checkin, forms):
        read_only = is_read_only_under_review(self.request.user, checkin.submission)
        for row in checkin.status_rows + checkin.key_result_rows:
            row.form = forms[row.prefix]
            row.conflict = getattr(row.form, "conflict", None)
            if checkin.is_locked or read_only:
                for field in row.form.fields.values():
                    field.disabled = True
        user = self.request.user
        submission = checkin.submission
        previous_quarter, next_quarter = neighbour_quarters(
            self.quarter.fiscal, today=timezone.localdate()
        )
        context = self.get_context_data(
            checkin=checkin,
            quarter=self.quarter,
            department=self.department,
            fiscal_year_label=fiscal_year_label(self.quarter.fiscal_year),
            url_kwargs=self.quarter_url_kwargs(),
            can_submit=permissions.can_submit(user, self.department)
            and submission.state in SUBMITTABLE,
            can_lock=permissions.can_lock(user) and submission.state != "locked",
            can_withdraw=submission.pk is not None and permissions.can_withdraw(user, submission),
            can_reopen=submission.pk is not None
            and submission.state != "draft"
            and permissions.can_reopen(user, submission),
            read_only=read_only,
            read_only_message=read_only_message(submission) if read_only else "",
            figures_pending=recompute_pending_for_department(self.department.pk),
            previous_quarter=previous_quarter,
            next_quarter=next_quarter,
            # Comment threads on this department's cells of the quarter (one query).
            checkin_threads=checkin_thread_counts(
                department_id=self.department.pk, quarter=self.quarter
            ),
        )
        return self.render_to_response(context)


class _RowSaver:
    """Saves the rows whose form changed, each through its service in its own transaction."""

    def __init__(self, *, request, checkin, quarter):
        self.request, self.checkin, self.quarter = request, checkin, quarter
        self.saved = 0
        self.locked = ""  # why a save was refused (locked, or under review) meanwhile
        self.problem_forms: dict = {}

    @property
    def has_problems(self) -> bool:
        return bool(self.problem_forms) or self.locked

    def save_all(self) -> "_RowSaver":
        for form_class, row in _rows(self.checkin):
            self._save(
                _row_form(form_class, row, self.request.POST),
                lambda version, fields, row=row, save=_ROW_SERVICES[form_class]: save(
                    row,
                    quarter=self.quarter,
                    actor=self.request.user,
                    source=ChangeSource.FORM,
                    expected_version=version,
                    **fields,
                ),
                prefix=row.prefix,
            )
        return self

    def _save(self, form, save, *, prefix):
        if form.add_prefix("version") not in self.request.POST:
            # A row added since the page was loaded: it was not on the form, so it has not
            # been edited; reading its missing fields as blanks would wipe what is stored.
            return
        if self.locked or not form.edited_names():
            return
        if not form.is_valid():
            self.problem_forms[prefix] = form
            return
        try:
            save(form.cleaned_data["version"], form.changed_fields())
        except ConflictError as conflict:
            self.problem_forms[prefix] = _form_after_conflict(form, conflict.current)
        except ValidationError as error:
            form_add_service_errors(form, error)
            self.problem_forms[prefix] = form
        except LockedError as error:
            self.locked = str(error)
        else:
            self.saved += 1

    def forms_keeping_problems(self, fresh_checkin) -> dict:
        """Rows with a problem keep what was typed; every other row shows what is stored."""
        return {
            row.prefix: self.problem_forms.get(row.prefix) or _row_form(form_class, row)
            for form_class, row in _rows(fresh_checkin)
        }


# The service that saves each kind of row, given the row (a metric's or segment's status, a
# key result's status).
_ROW_SERVICES = {
    StatusRowForm: lambda row, **kwargs: quarterly_status_save(
        metric=row.metric, segment=row.segment, **kwargs
    ),
    KeyResultRowForm: lambda row, **kwargs: key_result_status_save(
        key_result=row.key_result, **kwargs
    ),
}


def _rows(checkin):
    """Every row of the page with the form class that edits it, metrics first."""
    yield from ((StatusRowForm, row) for row in checkin.status_rows)
    yield from ((KeyResultRowForm, row) for row in checkin.key_result_rows)


def _row_form(form_class, row, data=None):
    """The row's form showing what is stored (bound to `data` when posted)."""
    return form_class(data, prefix=row.prefix, initial=form_class.initial_for(row.status))


def _form_after_conflict(form, current):
    """The row as it is now, with what this person edited typed over it, at the row's
    current version: saving again keeps the other person's values unless this person ticks
    the row's "keep mine" (forms/conflicts.py)."""
    initial = type(form).initial_for(current)
    stored = type(form)(prefix=form.prefix, initial=initial).as_data()
    data = data_after_conflict(form, edited=form.edited_names(), stored=stored)
    rebound = type(form)(data, prefix=form.prefix, initial=initial)
    rebound.is_valid()
    who = current.updated_by.get_username() if current.updated_by else "someone else"
    rebound.add_error(
        None,
        _(
            "%(who)s saved this row meanwhile (version %(version)s); their values are shown "
            "next to yours and are kept unless you tick “Keep mine” before saving again."
        )
        % {"who": who, "version": current.version},
    )
    rebound.conflict = current
    return rebound


class SubmissionView(QuarterEntryMixin, View):
    """Submit (lead or admin), withdraw (lead or admin), lock (admin) or reopen (admin; a lead
    withdrawing). Reviewers approve and return on the session's review page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        user = request.user
        submission = submission_of(department=self.department, quarter=self.quarter)
        allowed = {
            "submit": permissions.can_submit(user, self.department),
            "lock": permissions.can_lock(user),
            "reopen": permissions.can_reopen(user, submission),
            "withdraw": permissions.can_withdraw(user, submission),
        }
        if action not in allowed:
            messages.error(request, _("Unknown action."))
            return self._back()
        if not allowed[action]:
            permissions.log_denied(user, f"submission {action}", submission)
            denied = {
                "submit": _("You may not submit this quarter."),
                "lock": _("You may not lock this quarter."),
                "reopen": _("You may not reopen this quarter."),
                "withdraw": _("You may not withdraw this quarter."),
            }
            raise PermissionDenied(denied[action])
        service = {
            "submit": submission_submit,
            "lock": submission_lock,
            "reopen": submission_reopen,
            "withdraw": submission_withdraw,
        }[action]
        try:
            result = service(department=self.department, quarter=self.quarter, actor=user)
        except LockedError as error:
            messages.error(request, str(error))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(department)s %(quarter)s: %(state)s.")
                % {
                    "department": self.department,
                    "quarter": self.quarter.label,
                    "state": result.get_state_display(),
                },
            )
        return self._back()

    def _back(self):
        return redirect(reverse("metrics:checkin", kwargs=self.quarter_url_kwargs()))
