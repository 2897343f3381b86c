"""The quarterly cycle in the app: open the next session (preview, then confirm) and author a
session (texts, key deliverables, metric rows, objectives), hold, reopen or delete it. For
facilitators and admins (reopen: admins); every change goes through metrics.services.sessions.
"""

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from metrics import models, permissions
from metrics.forms.conflicts import data_after_conflict
from metrics.forms.errors import form_add_service_errors
from metrics.forms.sessions import (
    KeyResultEditForm,
    ObjectiveEditForm,
    OpenNextForm,
    SessionTextsForm,
)
from metrics.markdown import render_markdown
from metrics.selectors.session_cycle import (
    catalog_row,
    open_next_preview,
    session_authoring,
    session_authoring_departments,
    session_for_action,
    session_key_result,
    session_objective,
    session_row,
)
from metrics.selectors.sessions import latest_session_id
from metrics.services import session_edits
from metrics.services import sessions as cycle
from metrics.services.errors import ConflictError, LockedError
from metrics.views.lookups import found_or_404


class FacilitatorMixin(AccessMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not permissions.can_facilitate(request.user):
            permissions.log_denied(request.user, f"{request.method} {request.path}", "session")
            raise PermissionDenied(_("Only facilitators and admins prepare tuning sessions."))
        return super().dispatch(request, *args, **kwargs)


class OpenNextView(FacilitatorMixin, TemplateView):
    """What the next session carries over from the latest one; confirming opens it."""

    template_name = "metrics/session_open_next.html"

    def source(self, source_id=None):
        source_id = source_id or latest_session_id()
        if source_id is None:
            return None
        return found_or_404(session_for_action(source_id), _("No such tuning session."))

    def get(self, request, *args, **kwargs):
        source = self.source()
        form = OpenNextForm(initial={"source": source.pk if source else None})
        return self.render(source, form)

    def render(self, source, form):
        preview = open_next_preview(source) if source else None
        if preview and not form.is_bound and preview.status_deadline:
            form.initial["status_deadline"] = preview.status_deadline
        return self.render_to_response(
            self.get_context_data(source=source, preview=preview, form=form)
        )

    def post(self, request, *args, **kwargs):
        form = OpenNextForm(request.POST)
        if not form.is_valid():
            return self.render(self.source(), form)
        source = self.source(form.cleaned_data["source"])
        try:
            cycle.session_open_next_validate(source=source)
            result = cycle.session_open_next(
                actor=request.user,
                source=source,
                status_deadline=form.cleaned_data["status_deadline"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.render(source, form)
        session = result.session
        messages.success(
            request,
            ngettext(
                "Opened %(title)s: check-in for %(quarter)s is open until %(deadline)s; "
                "%(count)s department emailed.",
                "Opened %(title)s: check-in for %(quarter)s is open until %(deadline)s; "
                "%(count)s departments emailed.",
                result.emailed,
            )
            % {
                "title": session.title,
                "quarter": session.quarter.label,
                "deadline": f"{session.quarter.status_deadline:%Y-%m-%d}",
                "count": result.emailed,
            },
        )
        return redirect("metrics:session_edit", session_id=session.pk)


class SessionEditView(FacilitatorMixin, TemplateView):
    """A session's authoring page. Each form posts an `action`; every action is one service
    call, refused with its reason (a held session, a stale version, bad input)."""

    template_name = "metrics/session_edit.html"

    def get(self, request, *args, **kwargs):
        return self.render(self.texts_form())

    def texts_form(self, data=None, session=None):
        session = session or found_or_404(
            session_for_action(self.kwargs["session_id"]), _("No such tuning session.")
        )
        initial = {"version": session.version} | {
            name: getattr(session, name) for name in cycle.SESSION_TEXT_FIELDS
        }
        return SessionTextsForm(data, initial=initial)

    def render(self, texts_form, preview=None, bound=None):
        """The page; `bound` is a form refused on a post (its errors and typed values shown in
        place of that row's form)."""
        data = session_authoring(self.kwargs["session_id"])
        kr_forms = {
            kr.pk: KeyResultEditForm.for_key_result(kr)
            for rows in data.key_results.values()
            for kr in rows
        }
        objective_forms = {
            row.objective_id: ObjectiveEditForm.for_objective(
                row.objective, departments=data.departments
            )
            for row in data.objectives
        }
        if isinstance(bound, KeyResultEditForm):
            kr_forms[int(bound.prefix.removeprefix("kr-"))] = bound
        elif isinstance(bound, ObjectiveEditForm):
            objective_forms[int(bound.prefix.removeprefix("obj-"))] = bound
        return self.render_to_response(
            self.get_context_data(
                authoring=data,
                session=data.session,
                texts_form=texts_form,
                preview=preview,
                kr_forms=kr_forms,
                objective_forms=objective_forms,
                bound_prefix=bound.prefix if bound is not None else "",
                next_quarter_label=cycle.next_quarter_of(data.session.quarter).label,
                # Marks can be changed until the next quarter's session is open.
                carry_marks_open=data.next_session is None,
                can_reopen=permissions.can_reopen_session(self.request.user),
                deck_url=reverse("metrics:session", kwargs={"session_id": data.session.pk}),
            )
        )

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        session = found_or_404(
            session_for_action(self.kwargs["session_id"]), _("No such tuning session.")
        )
        if action in ("texts", "preview"):
            return self.post_texts(session, preview=action == "preview")
        handler = getattr(self, "do_" + action.replace("-", "_"), None)
        if handler is None:
            messages.error(request, _("Unknown action."))
            return redirect(request.path)
        if action == "reopen" and not permissions.can_reopen_session(request.user):
            permissions.log_denied(request.user, "reopen session", session)
            raise PermissionDenied(_("Only admins reopen a held session."))
        try:
            done = handler(session, request.POST)
        except (LockedError, ConflictError) as error:
            messages.error(request, str(error))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except ValueError:
            messages.error(request, _("That row is not part of this session."))
        else:
            if isinstance(done, str):
                messages.success(request, done)
            elif done is not None:
                return done
        return redirect(request.path)

    def post_texts(self, session, *, preview: bool):
        form = self.texts_form(self.request.POST, session=session)
        if not form.is_valid():
            return self.render(form)
        if preview:
            texts = {
                name: render_markdown(form.cleaned_data[name])
                for name in ("overview", "progress_challenges", "actions")
            }
            return self.render(form, preview=texts)
        changed = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name != "version" and name in self.request.POST
        }
        try:
            cycle.session_update(
                session=session,
                actor=self.request.user,
                expected_version=form.cleaned_data["version"],
                **changed,
            )
        except ConflictError:
            form.add_error(
                None,
                "Someone else changed this session meanwhile; reload the page to see their "
                "version before saving yours.",
            )
            return self.render(form)
        except LockedError as error:
            form.add_error(None, str(error))
            return self.render(form)
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.render(form)
        messages.success(self.request, _("Saved.") if changed else _("Nothing had changed."))
        return redirect(self.request.path)

    # --- one method per action; each returns a message, a response or None ------------------

    def _row(self, model, session, data):
        return found_or_404(session_row(model, session=session, pk=int(data.get("id", "0") or 0)))

    def do_deliverable_add(self, session, data):
        objective = None
        if data.get("objective"):
            objective = found_or_404(catalog_row(models.Objective, int(data["objective"])))
        cycle.deliverable_add(
            session=session,
            actor=self.request.user,
            title=data.get("title", ""),
            objective=objective,
        )
        return _("Key deliverable added.")

    def do_deliverable_remove(self, session, data):
        cycle.deliverable_remove(
            deliverable=self._row(models.KeyDeliverable, session, data), actor=self.request.user
        )
        return _("Key deliverable removed.")

    def do_deliverable_link(self, session, data):
        objective = None
        if data.get("objective"):
            objective = found_or_404(catalog_row(models.Objective, int(data["objective"])))
        cycle.deliverable_update(
            deliverable=self._row(models.KeyDeliverable, session, data),
            actor=self.request.user,
            objective=objective,
        )
        return _("Key deliverable linked.")

    def do_deliverable_up(self, session, data):
        cycle.deliverable_move(
            deliverable=self._row(models.KeyDeliverable, session, data),
            actor=self.request.user,
            step=-1,
        )

    def do_deliverable_down(self, session, data):
        cycle.deliverable_move(
            deliverable=self._row(models.KeyDeliverable, session, data),
            actor=self.request.user,
            step=1,
        )

    def do_definition_save(self, session, data):
        cycle.definition_update(
            definition=self._row(models.MetricDefinition, session, data),
            actor=self.request.user,
            expected_version=int(data.get("version") or 0) or None,
            **{name: data.get(name, "") for name in cycle.DEFINITION_FIELDS if name in data},
        )
        return _("Metric row saved.")

    def do_definition_retire(self, session, data):
        definition = self._row(models.MetricDefinition, session, data)
        cycle.definition_update(definition=definition, actor=self.request.user, is_retired=True)
        return _("Metric row “%(name)s” retired.") % {"name": definition.name}

    def do_definition_restore(self, session, data):
        definition = self._row(models.MetricDefinition, session, data)
        cycle.definition_update(definition=definition, actor=self.request.user, is_retired=False)
        return _("Metric row “%(name)s” restored.") % {"name": definition.name}

    def do_definition_add(self, session, data):
        metric = found_or_404(catalog_row(models.Metric, int(data.get("metric") or 0)))
        cycle.definition_add(session=session, actor=self.request.user, metric=metric)
        return _("Metric row “%(name)s” added.") % {"name": metric.name}

    def do_definition_up(self, session, data):
        cycle.definition_move(
            definition=self._row(models.MetricDefinition, session, data),
            actor=self.request.user,
            step=-1,
        )

    def do_definition_down(self, session, data):
        cycle.definition_move(
            definition=self._row(models.MetricDefinition, session, data),
            actor=self.request.user,
            step=1,
        )

    def do_objective_save(self, session, data):
        cycle.session_objective_update(
            row=self._row(models.SessionObjective, session, data),
            actor=self.request.user,
            expected_version=int(data.get("version") or 0) or None,
            narrative=data.get("narrative", ""),
        )
        return _("Narrative saved.")

    def do_objective_retire(self, session, data):
        cycle.session_objective_update(
            row=self._row(models.SessionObjective, session, data),
            actor=self.request.user,
            is_retired=True,
        )
        return _("Objective retired from this session.")

    def do_objective_restore(self, session, data):
        cycle.session_objective_update(
            row=self._row(models.SessionObjective, session, data),
            actor=self.request.user,
            is_retired=False,
        )
        return _("Objective restored.")

    def do_objective_up(self, session, data):
        cycle.session_objective_move(
            row=self._row(models.SessionObjective, session, data), actor=self.request.user, step=-1
        )

    def do_objective_down(self, session, data):
        cycle.session_objective_move(
            row=self._row(models.SessionObjective, session, data), actor=self.request.user, step=1
        )

    def do_objective_add(self, session, data):
        department = None
        if data.get("department"):
            department = found_or_404(catalog_row(models.Department, int(data["department"])))
        row = cycle.objective_add(
            session=session,
            actor=self.request.user,
            short_name=data.get("short_name", ""),
            title=data.get("title", ""),
            statement=data.get("statement", ""),
            department=department,
        )
        return _("Objective “%(name)s” added.") % {"name": row.objective.short_name}

    def do_objective_duplicate(self, session, data):
        row = cycle.objective_duplicate_next_quarter(
            row=self._row(models.SessionObjective, session, data), actor=self.request.user
        )
        return _("Duplicated into %(title)s.") % {"title": row.session.title}

    def _key_result(self, session, data, name="id"):
        return found_or_404(session_key_result(session=session, pk=int(data.get(name) or 0)))

    def do_kr_add(self, session, data):
        objective = found_or_404(
            session_objective(session=session, pk=int(data.get("objective") or 0))
        )
        cycle.key_result_add(
            session=session,
            objective=objective,
            actor=self.request.user,
            code=data.get("code", ""),
            description=data.get("description", ""),
            goal_text=data.get("goal_text", ""),
        )
        return _("Key result added.")

    def do_kr_retire(self, session, data):
        cycle.key_result_update(
            session=session,
            key_result=self._key_result(session, data),
            actor=self.request.user,
            is_retired=True,
        )
        return _("Key result retired.")

    def do_kr_restore(self, session, data):
        cycle.key_result_update(
            session=session,
            key_result=self._key_result(session, data),
            actor=self.request.user,
            is_retired=False,
        )
        return _("Key result restored.")

    def do_kr_move_to(self, session, data):
        objective = found_or_404(
            session_objective(session=session, pk=int(data.get("objective") or 0))
        )
        cycle.key_result_update(
            session=session,
            key_result=self._key_result(session, data),
            actor=self.request.user,
            objective=objective,
        )
        return _("Key result moved to %(name)s.") % {"name": objective.short_name}

    def do_kr_up(self, session, data):
        cycle.key_result_move(
            session=session,
            key_result=self._key_result(session, data),
            actor=self.request.user,
            step=-1,
        )

    def do_kr_down(self, session, data):
        cycle.key_result_move(
            session=session,
            key_result=self._key_result(session, data),
            actor=self.request.user,
            step=1,
        )

    # Holding and deleting are confirmed on pages of their own (metrics/views/review.py),
    # which name what is missing or what goes.

    # --- corrections with a version check: a refused one shows the form again, as typed ------

    def _edit_refused(self, form, error) -> object:
        if isinstance(error, ValidationError):
            form_add_service_errors(form, error)
        else:
            form.add_error(None, str(error))
        return self.render(self.texts_form(), bound=form)

    def _edit_conflicted(self, form, conflict, rebuild) -> object:
        edited = form.edited_names()
        stored = rebuild(conflict.current, None).as_data()
        again = rebuild(conflict.current, data_after_conflict(form, edited=edited, stored=stored))
        again.is_valid()
        again.add_error(
            None,
            _(
                "Someone else changed this meanwhile; what is saved now is shown with your "
                "edits typed over it. Save again to replace it with yours, in the fields you "
                "edited."
            ),
        )
        return self.render(self.texts_form(), bound=again)

    def do_kr_edit(self, session, data):
        key_result = self._key_result(session, data)
        form = KeyResultEditForm.for_key_result(key_result, data)
        if not form.is_valid():
            return self.render(self.texts_form(), bound=form)
        try:
            cycle.key_result_update(
                session=session,
                key_result=key_result,
                actor=self.request.user,
                expected_version=form.cleaned_data["version"],
                **form.changed_fields(),
            )
        except ConflictError as conflict:
            return self._edit_conflicted(
                form, conflict, lambda kr, posted: KeyResultEditForm.for_key_result(kr, posted)
            )
        except (LockedError, ValidationError) as error:
            return self._edit_refused(form, error)
        return _("Key result saved.") if form.edited_names() else _("Nothing had changed.")

    def do_objective_edit(self, session, data):
        objective = found_or_404(
            session_objective(session=session, pk=int(data.get("objective") or 0))
        )
        departments = session_authoring_departments()

        def rebuild(current, posted):
            return ObjectiveEditForm.for_objective(current, departments=departments, data=posted)

        form = rebuild(objective, data)
        if not form.is_valid():
            return self.render(self.texts_form(), bound=form)
        try:
            session_edits.session_objective_revise(
                session=session,
                objective=objective,
                actor=self.request.user,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ConflictError as conflict:
            return self._edit_conflicted(form, conflict, rebuild)
        except (LockedError, ValidationError) as error:
            return self._edit_refused(form, error)
        return _("Objective saved.") if form.edited_names() else _("Nothing had changed.")

    # --- carry marks for the next quarter (a held session's too, until the next is open) ----

    def _carry(self, session, data, *, carry: bool):
        if data.get("kind") == "key-result":
            session_edits.carry_over_mark(
                session=session,
                key_result=self._key_result(session, data),
                actor=self.request.user,
                carry=carry,
            )
        else:
            session_edits.carry_over_mark(
                session=session,
                row=self._row(models.SessionObjective, session, data),
                actor=self.request.user,
                carry=carry,
            )
        if carry:
            return _("Marked to carry into %(quarter)s.") % {"quarter": self._next_label(session)}
        return _("Left out of %(quarter)s.") % {"quarter": self._next_label(session)}

    @staticmethod
    def _next_label(session):
        return cycle.next_quarter_of(session.quarter).label

    def do_carry_mark(self, session, data):
        return self._carry(session, data, carry=True)

    def do_carry_unmark(self, session, data):
        return self._carry(session, data, carry=False)

    def do_reopen(self, session, data):
        cycle.session_reopen(actor=self.request.user, session=session)
        return _("%(title)s is in preparation again.") % {"title": session.title}
