"""Admin for the background-job bookkeeping (imported by metrics/admin.py)."""

from django.contrib import admin, messages

from metrics.services.recompute_runs import recompute_run


class RecordAdmin(admin.ModelAdmin):
    """A record the app writes itself (job runs, recompute requests, history): listed and
    read in the admin, never added, changed or deleted there, superusers included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class JobRunAdmin(RecordAdmin):
    list_display = [
        "task_name",
        "scope",
        "started_at",
        "finished_at",
        "duration_ms",
        "rows_changed",
        "outcome",
    ]
    list_filter = ["outcome", "task_name"]
    search_fields = ["task_name", "scope", "error"]
    date_hierarchy = "started_at"
    readonly_fields = [*list_display, "error"]

    # The record of what the jobs did: written by the jobs only.


@admin.action(description="Recompute the selected requests now")
def recompute_selected(modeladmin, request, queryset):
    metric_ids = set(queryset.values_list("metric_id", flat=True))
    result = recompute_run(
        task_name="admin recompute", metric_ids=None if None in metric_ids else metric_ids
    )
    modeladmin.message_user(
        request,
        f"Recomputed: {result.statuses_created} statuses created, "
        f"{result.statuses_updated} updated.",
        messages.SUCCESS,
    )


class RecomputeRequestAdmin(RecordAdmin):
    list_display = ["__str__", "metric", "reason", "requested_at", "claimed_at"]
    list_filter = ["claimed_at"]
    search_fields = ["reason", "metric__name"]
    list_select_related = ["metric"]
    readonly_fields = ["metric", "reason", "requested_at", "claimed_at", "claim_token"]
    actions = [recompute_selected]

    # Recorded by the services and fulfilled by the recompute: deleting one would lose a
    # pending recompute.
