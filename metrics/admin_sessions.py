"""Admin of the session rows (sessions, objectives, key results, metric rows, deliverables,
footnotes, acronyms, drill-downs): a held session and its rows are read-only (its deck stays as
presented); a session's texts and quarter are saved, and a session deleted, through
metrics.services.sessions (history, the held check, the refusal to delete a session in use);
every other row through metrics.services.session_rows."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from metrics import models
from metrics.admin_services import (
    CATALOG_SERVICES,
    SERVICE_ERRORS,
    RowServices,
    ServiceAdmin,
    ServiceRefused,
    adopt,
    model_field_values,
)
from metrics.services import session_rows
from metrics.services import sessions as cycle
from metrics.services.errors import LockedError


def _session_of(obj):
    if obj is None:
        return None
    if isinstance(obj, models.TuningSession):
        return obj
    return getattr(obj, "session", None)


class HeldSessionReadOnlyMixin:
    """Rows of a held session can be viewed, not changed or deleted."""

    def _held(self, obj) -> bool:
        session = _session_of(obj)
        return session is not None and session.state == models.SessionState.HELD

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._held(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._held(obj)

    def has_add_permission(self, request, obj=None):
        if obj is not None and self._held(obj):
            return False
        if obj is None:
            return super().has_add_permission(request)
        return super().has_add_permission(request, obj)


class HeldSessionInlineMixin(HeldSessionReadOnlyMixin):
    """Inlines get the parent session as `obj`."""

    def has_add_permission(self, request, obj=None):
        return admin.options.InlineModelAdmin.has_add_permission(
            self, request, obj
        ) and not self._held(obj)


def _session_row_services(model) -> RowServices:
    return RowServices(
        save=lambda instance, **kwargs: session_rows.session_row_save(
            model=model, row=instance, **kwargs
        ),
        delete=lambda instance, **kwargs: session_rows.session_row_delete(row=instance, **kwargs),
    )


SESSION_ROW_SERVICES = {
    model: _session_row_services(model)
    for model in (
        models.Objective,
        models.KeyResult,
        models.Drilldown,
        models.ContentBlock,
        models.MetricDefinition,
        models.KeyDeliverable,
        models.Footnote,
        models.Acronym,
    )
}


class ServiceRowsAdminMixin(ServiceAdmin):
    """The deck's authored rows and their inlines, saved and deleted through the public
    services (metrics/services/session_rows.py routes each to the one owning its rules),
    recorded with source "admin"."""

    inline_services = {
        **SESSION_ROW_SERVICES,
        models.DrilldownTable: CATALOG_SERVICES[models.DrilldownTable],
    }

    def service_save(self, request, obj, form, change, fields):
        return SESSION_ROW_SERVICES[self.model].save(
            obj if change else None, actor=request.user, source=self.source, **fields
        )

    def service_delete(self, request, rows):
        for row in rows:
            SESSION_ROW_SERVICES[self.model].delete(row, actor=request.user, source=self.source)


class TuningSessionServiceMixin(HeldSessionReadOnlyMixin, ServiceAdmin):
    """(Sessions are opened from the latest one on the "Open the next session" page; the admin
    adds only the very first, through session_create_first.) Texts and quarter of an existing
    session through session_update; deletion through session_delete (refused for a held session or one whose
    quarter has statuses); its rows (inlines) through their services."""

    inline_services = SESSION_ROW_SERVICES
    readonly_fields = ["state", "held_at", "held_by", "version", "updated_by", "created_at"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not models.TuningSession.objects.exists()

    def save_model(self, request, obj, form, change):
        if not change:
            self._create_first(request, obj, form)
            return
        fields = {
            name: form.cleaned_data[name]
            for name in cycle.SESSION_TEXT_FIELDS
            if name in form.changed_data
        }
        quarter = form.cleaned_data.get("quarter") if "quarter" in form.changed_data else None
        original = models.TuningSession.objects.get(pk=obj.pk)
        try:
            updated = cycle.session_update(
                session=original, actor=request.user, source=self.source, quarter=quarter, **fields
            )
        except SERVICE_ERRORS as error:
            raise ServiceRefused(error) from error
        obj.version = updated.version

    def _create_first(self, request, obj, form):
        fields = model_field_values(form, list(form.fields), self.model)
        try:
            created = cycle.session_create_first(actor=request.user, source=self.source, **fields)
        except SERVICE_ERRORS as error:
            raise ServiceRefused(error) from error
        adopt(obj, created)

    def delete_model(self, request, obj):
        try:
            cycle.session_delete(actor=request.user, session=obj, source=self.source)
        except (LockedError, ValidationError) as error:
            self.message_user(
                request, " ".join(getattr(error, "messages", [str(error)])), messages.ERROR
            )

    def delete_queryset(self, request, queryset):
        for session in queryset:
            self.delete_model(request, session)
