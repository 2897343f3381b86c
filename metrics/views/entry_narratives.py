"""Objective narratives and drill-downs, edited as Markdown and previewed sanitised."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from metrics import permissions
from metrics.forms.conflicts import data_after_conflict
from metrics.forms.errors import form_add_service_errors
from metrics.forms.narratives import DrilldownForm, ObjectiveNarrativeForm
from metrics.models import ChangeSource
from metrics.selectors.checkin import history_latest
from metrics.selectors.entry import drilldown_for_edit, objective_for_edit
from metrics.services.errors import ConflictError, LockedError
from metrics.services.narratives import drilldown_update, objective_update
from metrics.services.sessions import session_ensure_draft
from metrics.views.lookups import found_or_404


class NarrativeEditView(LoginRequiredMixin, TemplateView):
    template_name = "entry/narrative_form.html"
    form_class = None
    fields: tuple[str, ...] = ()

    def get_object(self):
        raise NotImplementedError

    def update(self, obj, *, expected_version, fields):
        raise NotImplementedError

    def locked_reason(self) -> str:
        """Why the text cannot be saved now ("" when it can): the page then shows it read-only
        instead of a form whose save would be refused."""
        return ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        if not permissions.can_edit(request.user, self.object):
            permissions.log_denied(request.user, f"{request.method} {request.path}", self.object)
            raise PermissionDenied(_("Only the department's leads and admins edit this text."))
        return super().dispatch(request, *args, **kwargs)

    def initial(self):
        return self.form_class.with_seen(
            {"version": self.object.version}
            | {name: getattr(self.object, name) for name in self.fields}
        )

    def get(self, request, *args, **kwargs):
        return self.render_form(self.form_class(initial=self.initial()))

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, initial=self.initial())
        if form.is_valid():
            # Fields absent from the post were not on the form: never read them as blanks.
            changed = {
                name: form.cleaned_data[name]
                for name in form.edited_names()
                if name in request.POST
            }
            try:
                self.object = self.update(
                    self.object, expected_version=form.cleaned_data["version"], fields=changed
                )
            except ConflictError as conflict:
                self.object = conflict.current
                stored = self.form_class(initial=self.initial()).as_data()
                data = data_after_conflict(form, edited=changed, stored=stored)
                form = self.form_class(data, initial=self.initial())
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "Someone else saved this text meanwhile; their version is shown under "
                        "“Saved now” and is kept unless you tick “Keep mine” before saving "
                        "again."
                    ),
                )
                return self.render_form(form, conflict=conflict.current)
            except LockedError as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("Saved.") if changed else _("Nothing had changed."))
                return redirect(request.path)
        return self.render_form(form)

    def render_form(self, form, conflict=None):
        history = history_latest([self.object], per_object=20).get(
            (type(self.object), self.object.pk), []
        )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                object=self.object,
                conflict=conflict,
                history=history,
                fields=self.fields,
                locked_reason=self.locked_reason(),
            )
        )


class ObjectiveEditView(NarrativeEditView):
    form_class = ObjectiveNarrativeForm
    fields = ("statement", "narrative", "target_quarter_text")

    def get_object(self):
        return found_or_404(objective_for_edit(self.kwargs["slug"]))

    def update(self, obj, *, expected_version, fields):
        return objective_update(
            objective=obj,
            actor=self.request.user,
            source=ChangeSource.FORM,
            expected_version=expected_version,
            **fields,
        )


class DrilldownEditView(NarrativeEditView):
    form_class = DrilldownForm
    fields = ("title", "situation", "impact", "recommendation", "next_steps")

    def get_object(self):
        return found_or_404(drilldown_for_edit(self.kwargs["pk"]))

    def locked_reason(self) -> str:
        try:
            session_ensure_draft(self.object.session)
        except LockedError as held:
            return str(held)
        return ""

    def update(self, obj, *, expected_version, fields):
        return drilldown_update(
            drilldown=obj,
            actor=self.request.user,
            source=ChangeSource.FORM,
            expected_version=expected_version,
            **fields,
        )
