"""Admin for outgoing webhooks (imported by metrics/admin.py): endpoints are saved through the
service; deliveries and their attempts are a read-only log."""

from django.contrib import admin

from metrics import permissions as rules
from metrics.admin_jobs import RecordAdmin
from metrics.forms.webhooks import WebhookEndpointForm
from metrics.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from metrics.services.webhooks import webhook_endpoint_delete, webhook_endpoint_save


class AdminsOnly:
    def has_module_permission(self, request):
        return rules.can_manage_webhooks(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.can_manage_webhooks(request.user)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AdminsOnly, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    fields = ["name", "url", "events", "active", "secret"]

    def has_add_permission(self, request):
        return rules.can_manage_webhooks(request.user)

    def has_change_permission(self, request, obj=None):
        return rules.can_manage_webhooks(request.user)

    def has_delete_permission(self, request, obj=None):
        return rules.can_manage_webhooks(request.user)

    def save_model(self, request, obj, form, change):
        saved = webhook_endpoint_save(
            actor=request.user, endpoint=obj if change else None, **form.service_values()
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        webhook_endpoint_delete(actor=request.user, endpoint=obj)


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["attempted_at", "status_code", "error", "duration_ms", "response_excerpt"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AdminsOnly, RecordAdmin):
    list_display = [
        "delivery_id",
        "event",
        "endpoint",
        "state",
        "attempts",
        "last_status_code",
        "created_at",
        "next_attempt_at",
    ]
    list_filter = ["state", "event", "endpoint"]
    search_fields = ["delivery_id", "event", "body"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created_at"
    readonly_fields = [*list_display, "delivered_at", "body"]
    inlines = [WebhookAttemptInline]
