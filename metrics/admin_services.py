"""The admin writes through the same services as the forms and the API: validation, the
locked-quarter rule, the optimistic version check (versioned rows), history (source "admin")
and the recompute request.

Validation never writes. The admin validates the form and its inlines, then saves in
`save_model` and `save_related`, inside the one transaction Django's admin opens for a
change form; a service that refuses (ValidationError, LockedError, ConflictError) raises
ServiceRefused, which rolls that transaction back whole (the row, its inlines, their
history, the recompute request), and the page is shown again with the refusal as the form's
errors."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models as db_models
from django.db import router, transaction
from django.forms.fields import InvalidJSONInput
from django.utils.translation import gettext_lazy as _

from metrics import models
from metrics.models import ChangeSource
from metrics.services import catalog, drilldown_tables
from metrics.services.deletions import data_rows_delete
from metrics.services.errors import ConflictError, LockedError
from metrics.services.history import history_value
from metrics.services.key_results import KEY_RESULT_EDITABLE_FIELDS, key_result_status_save
from metrics.services.observations import observation_save
from metrics.services.statuses import STATUS_EDITABLE_FIELDS, quarterly_status_save
from metrics.services.submissions import submission_delete, submission_state_set

SERVICE_ERRORS = (ValidationError, ConflictError, LockedError)


class ServiceRefused(Exception):
    """A service refused an admin save; carries the error and what it was saving."""

    def __init__(self, error: Exception, *, label: str = ""):
        super().__init__(str(error))
        self.error = error
        self.label = label

    def add_to(self, form: forms.Form) -> None:
        prefix = f"{self.label}: " if self.label else ""
        error = self.error
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for field, field_messages in error.message_dict.items():
                if not prefix and field in form.fields:
                    form.add_error(field, field_messages)
                else:
                    for message in field_messages:
                        form.add_error(None, f"{prefix}{field}: {message}")
        elif isinstance(error, ValidationError):
            for message in error.messages:
                form.add_error(None, f"{prefix}{message}")
        else:
            form.add_error(None, f"{prefix}{error}")


@dataclass(frozen=True)
class RowServices:
    """How the admin saves and deletes one model's rows: `save(instance, actor, source,
    **fields)` (instance None to create) and `delete(instance, actor, source)`."""

    save: Callable
    delete: Callable


def _row_services(save: Callable, delete: Callable, keyword: str) -> RowServices:
    """The services of a model whose save and delete take the row as `keyword`."""
    return RowServices(
        save=lambda instance, **kw: save(**{keyword: instance}, **kw),
        delete=lambda instance, **kw: delete(**{keyword: instance}, **kw),
    )


CATALOG_SERVICES = {
    models.Metric: _row_services(catalog.metric_save, catalog.metric_delete, "metric"),
    models.Segment: _row_services(catalog.segment_save, catalog.segment_delete, "segment"),
    models.Department: _row_services(
        catalog.department_save, catalog.department_delete, "department"
    ),
    models.Priority: _row_services(catalog.priority_save, catalog.priority_delete, "priority"),
    models.Outcome: _row_services(catalog.outcome_save, catalog.outcome_delete, "outcome"),
    models.Quarter: _row_services(catalog.quarter_save, catalog.quarter_delete, "quarter"),
    models.DrilldownTable: _row_services(
        drilldown_tables.drilldown_table_save, drilldown_tables.drilldown_table_delete, "table"
    ),
    models.DrilldownRow: _row_services(
        drilldown_tables.drilldown_row_save, drilldown_tables.drilldown_row_delete, "row"
    ),
}


def model_field_values(form, names, model) -> dict:
    """The cleaned values of the form fields in `names` that are fields of `model`."""
    model_fields = {
        field.name
        for field in model._meta.get_fields()
        if field.concrete and not field.auto_created and not field.primary_key
    }
    return {
        name: form.cleaned_data[name]
        for name in names
        if name in model_fields and name in form.cleaned_data
    }


def really_changed(form, names, model) -> dict:
    """The changed fields' values, less those equal to what the form started from (a JSON
    field posted back as it was counts as changed for Django's form)."""
    return {
        name: value
        for name, value in model_field_values(form, names, model).items()
        if history_value(form.initial.get(name)) != history_value(value)
    }


def adopt(obj, saved) -> None:
    """Make the admin's (unsaved) object the row the service stored, so that the admin's
    log entry and redirect name the right row."""
    for field in type(saved)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class BoundedJSONFormField(forms.JSONField):
    """Django's JSON form field, with JSON nested past Python's recursion limit a form error
    instead of a 500 (json.loads raises RecursionError, which Django does not catch)."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except RecursionError:
            raise ValidationError(
                _("This JSON is nested too deeply."), code="invalid", params={"value": ""}
            ) from None

    def bound_data(self, data, initial):
        try:
            return super().bound_data(data, initial)
        except RecursionError:
            return InvalidJSONInput(data)


BOUNDED_JSON = {db_models.JSONField: {"form_class": BoundedJSONFormField}}


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves, deletions and inline rows go through services. Subclasses
    say how in `service_save`/`service_delete` (by default the catalog services) and, for
    inlines, in `inline_services`."""

    source = ChangeSource.ADMIN
    inline_services: dict = {}
    unchanged_saves_nothing = True
    formfield_overrides = BOUNDED_JSON

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            inline.formfield_overrides = {**inline.formfield_overrides, **BOUNDED_JSON}
        return inlines

    # --- what subclasses change ----------------------------------------------------------

    def service_save(self, request, obj, form, change: bool, fields: dict):
        services = CATALOG_SERVICES[self.model]
        return services.save(
            obj if change else None, actor=request.user, source=self.source, **fields
        )

    def service_delete(self, request, rows) -> None:
        services = CATALOG_SERVICES[self.model]
        for row in rows:
            services.delete(row, actor=request.user, source=self.source)

    # --- the admin's write hooks ---------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            # The admin's transaction has rolled back. Validating again with the refusal as
            # a form error shows the page as for any invalid form, and saves nothing.
            request.admin_service_refusal = refused
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **inner_kwargs):
                super().__init__(*args, **inner_kwargs)
                self.request = request
                current = getattr(getattr(request, "admin_service_refusal", None), "error", None)
                current = getattr(current, "current", None)
                if self.is_bound and current is not None and "seen_version" in self.fields:
                    # An edit conflict: the form keeps what was typed, now at the version
                    # shown in the error, so saving again knowingly replaces their values.
                    self.data = self.data.copy()
                    self.data[self.add_prefix("seen_version")] = current.version

            def clean(self):
                cleaned = super().clean()
                refused = getattr(request, "admin_service_refusal", None)
                if refused is not None:
                    refused.add_to(self)
                return cleaned

        return RequestForm

    def save_model(self, request, obj, form, change):
        if change:
            fields = really_changed(form, form.changed_data, self.model)
        else:
            fields = model_field_values(form, list(form.fields), self.model)
        if change and not fields and self.unchanged_saves_nothing:
            # Nothing to write, so nothing to refuse either (a held session's table saved
            # as it is); the inlines may still have changes.
            return
        try:
            saved = self.service_save(request, obj, form, change, fields)
        except SERVICE_ERRORS as error:
            raise ServiceRefused(error) from error
        adopt(obj, saved)

    def save_related(self, request, form, formsets, change):
        # Many-to-many fields are the service's (see service_save); form.save_m2m would
        # write them around it.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        services = self.inline_services.get(formset.model)
        if services is None and formset.has_changed():
            raise ImproperlyConfiguredInline(f"No service saves {formset.model.__name__} rows.")
        # commit=False only sorts the rows into new, changed and deleted (what the admin's
        # change message reads); each is then written by its service.
        formset.save(commit=False)
        if services is None:
            return  # a read-only inline (statuses shown beside their key result)
        forms_by_instance = {id(inline.instance): inline for inline in formset.saved_forms}
        fk_name = formset.fk.name
        row = None
        try:
            for row in formset.deleted_objects:
                services.delete(row, actor=request.user, source=self.source)
            for row, changed in formset.changed_objects:
                inline = forms_by_instance[id(row)]
                fields = really_changed(inline, changed, formset.model)
                fields.pop(fk_name, None)
                if fields:
                    adopt(row, services.save(row, actor=request.user, source=self.source, **fields))
            for row in formset.new_objects:
                inline = forms_by_instance[id(row)]
                fields = model_field_values(inline, list(inline.fields), formset.model)
                fields[fk_name] = formset.instance
                adopt(row, services.save(None, actor=request.user, source=self.source, **fields))
        except SERVICE_ERRORS as error:
            label = f"{formset.model._meta.verbose_name.capitalize()} “{row}”"
            raise ServiceRefused(error, label=label) from error

    def delete_model(self, request, obj):
        self._delete(request, [obj])

    def delete_queryset(self, request, queryset):
        self._delete(request, list(queryset))

    def _delete(self, request, rows):
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                self.service_delete(request, rows)
        except SERVICE_ERRORS as error:
            # Nothing was deleted; the admin shows the reason instead of a success message.
            message = " ".join(error.messages) if isinstance(error, ValidationError) else error
            raise PermissionDenied(str(message)) from error


class ImproperlyConfiguredInline(Exception):
    """An inline of a ServiceAdmin whose rows no service saves: never saved around one."""


def state_action(state: str, description: str, service: Callable):
    """An admin action that sets `state` on each selected row through `service(row, state,
    request)`; rows the service refuses are reported, the others saved."""

    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        done, refused = 0, []
        for row in queryset:
            try:
                with transaction.atomic():
                    service(row, state, request)
            except SERVICE_ERRORS as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else error
                refused.append(f"{row}: {text}")
            else:
                done += 1
        if done:
            modeladmin.message_user(request, f"{done} row(s) updated.", messages.SUCCESS)
        for text in refused:
            modeladmin.message_user(request, text, messages.ERROR)

    action.__name__ = f"set_{state}"
    return action


# --- the deck's cells: statuses, observations, key-result statuses ---------------------------


class ServiceSavedForm(forms.ModelForm):
    """A cell's form: `seen_version` carries the version the editor read (the service's
    optimistic check); `save_through_service` is called from the admin's save_model."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def save_through_service(self, cleaned: dict, *, actor, expected_version):
        raise NotImplementedError


class QuarterlyStatusAdminForm(ServiceSavedForm):
    def save_through_service(self, cleaned, *, actor, expected_version):
        fields = {field: cleaned[field] for field in STATUS_EDITABLE_FIELDS if field in cleaned}
        if "value" not in self.changed_data:
            # A value typed in becomes the quarter's observation; an unchanged one stays derived.
            fields.pop("value", None)
        return quarterly_status_save(
            metric=cleaned["metric"],
            segment=cleaned.get("segment"),
            quarter=cleaned["quarter"],
            actor=actor,
            source=ChangeSource.ADMIN,
            expected_version=expected_version,
            **fields,
        )


class ObservationAdminForm(ServiceSavedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        period_end = self.fields.get("period_end")
        if period_end is not None:
            period_end.required = False
            period_end.help_text = "Leave empty: derived from the start and the metric's cadence."

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and any(
            cleaned.get(field) != getattr(self.instance, field)
            for field in ("metric", "segment", "period_start")
            if field in cleaned
        ):
            # The service keys observations by metric, segment and period: moving one
            # would create a second row and leave the old one behind.
            raise ValidationError(
                _(
                    "An observation cannot be moved to another metric, segment or period: "
                    "add a new one instead (and delete this one if it is wrong)."
                )
            )
        return cleaned

    def save_through_service(self, cleaned, *, actor, expected_version):
        return observation_save(
            metric=cleaned["metric"],
            segment=cleaned.get("segment"),
            period_start=cleaned["period_start"],
            period_end=cleaned.get("period_end"),
            value=cleaned["value"],
            is_derived=cleaned.get("is_derived", False),
            actor=actor,
            source=ChangeSource.ADMIN,
            expected_version=expected_version,
        )


class KeyResultStatusAdminForm(ServiceSavedForm):
    def save_through_service(self, cleaned, *, actor, expected_version):
        return key_result_status_save(
            key_result=cleaned["key_result"],
            quarter=cleaned["quarter"],
            actor=actor,
            source=ChangeSource.ADMIN,
            expected_version=expected_version,
            **{field: cleaned[field] for field in KEY_RESULT_EDITABLE_FIELDS if field in cleaned},
        )


class ServiceSavedAdmin(ServiceAdmin):
    """The cells: saved by their form's service call, deleted by data_rows_delete."""

    # Their services compare with the stored row themselves (and a form's hand value flag
    # is not a model change).
    unchanged_saves_nothing = False

    def service_save(self, request, obj, form, change, fields):
        expected = form.cleaned_data.get("seen_version") if change else 0
        return form.save_through_service(
            form.cleaned_data, actor=request.user, expected_version=expected
        )

    def service_delete(self, request, rows):
        data_rows_delete(rows=rows, actor=request.user, source=self.source)


# --- submissions ---------------------------------------------------------------------------


def _submission_to(submission, state, request):
    submission_state_set(
        department=submission.department,
        quarter=submission.quarter,
        state=state,
        actor=request.user,
        source=ChangeSource.ADMIN,
    )


class SubmissionServiceAdmin(ServiceAdmin):
    """A department's quarter changes state by the workflow's steps (history, recompute on
    reopening); deleting a locked one is refused."""

    actions = [
        state_action(models.SubmissionState.LOCKED, "Lock the selected quarters", _submission_to),
        state_action(models.SubmissionState.DRAFT, "Reopen the selected quarters", _submission_to),
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # A submission is the state of one department's quarter; another pair is
            # another submission.
            readonly += ["department", "quarter"]
        return readonly

    def service_save(self, request, obj, form, change, fields):
        return submission_state_set(
            department=obj.department,
            quarter=obj.quarter,
            state=form.cleaned_data.get("state", obj.state),
            actor=request.user,
            source=self.source,
            # Returning needs the comment the lead will read (the review loop).
            comment=form.cleaned_data.get("review_comment", ""),
        )

    def service_delete(self, request, rows):
        for row in rows:
            submission_delete(submission=row, actor=request.user, source=self.source)


def metric_state_action(state: str, description: str):
    def set_state(metric, state, request):
        catalog.metric_save(
            metric=metric, actor=request.user, source=ChangeSource.ADMIN, state=state
        )

    return state_action(state, description, set_state)
