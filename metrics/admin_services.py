"""Admin edits of the deck's cells go through the same services as the forms and the API:
validation, the locked-quarter rule, the optimistic version check, history (source "admin")
and the recompute request.

The service runs once the admin form is otherwise valid (end of `_post_clean`), inside the
admin's transaction; what it refuses comes back as form errors, never as a 500."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from metrics.models import ChangeSource
from metrics.services.deletions import data_rows_delete
from metrics.services.errors import ConflictError, LockedError
from metrics.services.key_results import KEY_RESULT_EDITABLE_FIELDS, key_result_status_save
from metrics.services.observations import observation_save
from metrics.services.statuses import STATUS_EDITABLE_FIELDS, quarterly_status_save


class ServiceSavedForm(forms.ModelForm):
    """A model form whose save is a service call (`save_through_service`)."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version
        self.request = None
        self.saved = None

    def save_through_service(self, cleaned: dict, *, actor, expected_version):
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        expected = self.cleaned_data.get("seen_version") if self.instance.pk else 0
        try:
            self.saved = self.save_through_service(
                self.cleaned_data,
                actor=getattr(self.request, "user", None),
                expected_version=expected,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
            else:
                self.add_error(None, error)
        except (ConflictError, LockedError) as error:
            self.add_error(None, str(error))


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
                "An observation cannot be moved to another metric, segment or period: "
                "add a new one instead (and delete this one if it is wrong)."
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


class ServiceSavedAdmin(admin.ModelAdmin):
    """Hands the request to the form and returns the service's row instead of saving."""

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **inner_kwargs):
                super().__init__(*args, **inner_kwargs)
                self.request = request

        return RequestForm

    def save_form(self, request, form, change):
        return form.saved

    def save_model(self, request, obj, form, change):
        """Saved by the service during validation."""

    def delete_model(self, request, obj):
        self._delete(request, [obj])

    def delete_queryset(self, request, queryset):
        self._delete(request, queryset)

    def _delete(self, request, rows):
        try:
            data_rows_delete(rows=rows, actor=request.user, source=ChangeSource.ADMIN)
        except LockedError as error:
            # Nothing was deleted; the admin shows the reason instead of a success message.
            raise PermissionDenied(str(error)) from error

    def save_related(self, request, form, formsets, change):
        # These models have no many-to-many fields; inlines (if any) save as usual.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
