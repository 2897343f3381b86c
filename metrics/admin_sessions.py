"""Admin of the session rows (sessions, metric rows, deliverables, footnotes, acronyms,
drill-downs): a held session and its rows are read-only (its deck stays as presented); a
session's texts and quarter are saved, and a session deleted, through metrics.services.sessions
(history, the held check, the refusal to delete a session in use)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from metrics import models
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


class TuningSessionServiceMixin(HeldSessionReadOnlyMixin):
    """(Sessions are opened from the latest one on the "Open the next session" page; the admin
    adds only the very first.)"""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not models.TuningSession.objects.exists()

    def save_formset(self, request, form, formset, change):
        ServiceRowsAdminMixin.save_formset(self, request, form, formset, change)

    """Texts and quarter of an existing session through session_update; deletion through
    session_delete (refused for a held session or one whose quarter has statuses)."""

    readonly_fields = ["state", "held_at", "held_by", "version", "updated_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        fields = {
            name: form.cleaned_data[name]
            for name in cycle.SESSION_TEXT_FIELDS
            if name in form.changed_data
        }
        quarter = form.cleaned_data.get("quarter") if "quarter" in form.changed_data else None
        original = models.TuningSession.objects.get(pk=obj.pk)
        try:
            updated = cycle.session_update(
                session=original, actor=request.user, source="admin", quarter=quarter, **fields
            )
        except (LockedError, ValidationError) as error:
            raise ValidationError(str(error)) from error
        obj.version = updated.version

    def delete_model(self, request, obj):
        try:
            cycle.session_delete(actor=request.user, session=obj, source="admin")
        except (LockedError, ValidationError) as error:
            self.message_user(
                request, " ".join(getattr(error, "messages", [str(error)])), messages.ERROR
            )

    def delete_queryset(self, request, queryset):
        for session in queryset:
            self.delete_model(request, session)


def _admin_row_save(*, instance, form, actor, change: bool):
    """One admin-edited row through the services: a versioned row by the version-checked
    update (history, updated_by), any other by a save with its changes in history."""
    from metrics.services.history import history_record, history_record_created
    from metrics.services.versioned import versioned_instance_update

    names = [name for name in form.changed_data if name in form.cleaned_data]
    if not change or instance.pk is None or instance._state.adding:
        instance.save()
        history_record_created(instance=instance, fields=names, actor=actor, source="admin")
        return instance
    values = {name: form.cleaned_data[name] for name in names}
    if not values:
        return instance
    if hasattr(instance, "version"):
        stored = type(instance).objects.get(pk=instance.pk)
        updated, _ = versioned_instance_update(
            instance=stored, values=values, expected_version=None, actor=actor, source="admin"
        )
        return updated
    stored = type(instance).objects.get(pk=instance.pk)
    changes = {
        name: (getattr(stored, name), value)
        for name, value in values.items()
        if getattr(stored, name) != value
    }
    instance.save()
    history_record(instance=instance, changes=changes, actor=actor, source="admin")
    return instance


class ServiceRowsAdminMixin:
    """Saves, inline rows and deletions with history; objectives' texts through
    objective_update (so sessions in preparation follow a narrative edit)."""

    def save_model(self, request, obj, form, change):
        from metrics.services.narratives import OBJECTIVE_EDITABLE_FIELDS, objective_update

        if change and isinstance(obj, models.Objective):
            texts = {
                name: form.cleaned_data[name]
                for name in OBJECTIVE_EDITABLE_FIELDS
                if name in form.changed_data
            }
            if texts:
                objective_update(
                    objective=models.Objective.objects.get(pk=obj.pk),
                    actor=request.user,
                    source="admin",
                    **texts,
                )
            for name in texts:
                form.changed_data.remove(name)
        _admin_row_save(instance=obj, form=form, actor=request.user, change=change)

    def save_formset(self, request, form, formset, change):
        from metrics.services.history import history_record

        instances = formset.save(commit=False)
        for row in formset.deleted_objects:
            history_record(instance=row, changes={"deleted": (str(row), None)}, actor=request.user)
            row.delete()
        by_instance = {id(f.instance): f for f in formset.forms}
        for row in instances:
            row_form = by_instance.get(id(row))
            adding = row.pk is None
            if row_form is None:
                row.save()
                continue
            _admin_row_save(instance=row, form=row_form, actor=request.user, change=not adding)
        formset.save_m2m()

    def delete_model(self, request, obj):
        from metrics.services.history import history_record

        history_record(instance=obj, changes={"deleted": (str(obj), None)}, actor=request.user)
        obj.delete()
