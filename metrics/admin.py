"""Admin for every model: search, filters and inlines where they help an editor."""

from django.contrib import admin

from metrics import models
from metrics.admin_jobs import JobRunAdmin, RecomputeRequestAdmin, RecordAdmin
from metrics.admin_services import (
    CATALOG_SERVICES,
    KeyResultStatusAdminForm,
    ObservationAdminForm,
    QuarterlyStatusAdminForm,
    ServiceAdmin,
    ServiceSavedAdmin,
    SubmissionServiceAdmin,
    metric_state_action,
)
from metrics.admin_sessions import (
    HeldSessionInlineMixin,
    HeldSessionReadOnlyMixin,
    ServiceRowsAdminMixin,
    TuningSessionServiceMixin,
)
from metrics.admin_writes import admin_writes_bump


@admin.register(models.Quarter)
class QuarterAdmin(ServiceAdmin):
    list_display = ["label", "fiscal_year", "number", "start_date", "end_date", "status_deadline"]
    list_filter = ["fiscal_year"]
    readonly_fields = ["start_date", "end_date"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # Every status, submission and session of the quarter would move with these.
        return [*self.readonly_fields, "fiscal_year", "number"]


@admin.register(models.Department)
class DepartmentAdmin(ServiceAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["leads"]


class OutcomeInline(admin.TabularInline):
    model = models.Outcome
    extra = 0


@admin.register(models.Priority)
class PriorityAdmin(ServiceAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OutcomeInline]
    inline_services = {models.Outcome: CATALOG_SERVICES[models.Outcome]}


@admin.register(models.Outcome)
class OutcomeAdmin(ServiceAdmin):
    list_display = ["statement", "priority", "order"]
    list_filter = ["priority"]
    search_fields = ["statement"]


class SegmentInline(admin.TabularInline):
    model = models.Segment
    extra = 0
    fields = [
        "name",
        "slug",
        "group",
        "short_label",
        "footnote_markers",
        "baseline_value",
        "baseline_text",
        "goal_kind",
        "goal_value",
        "goal_text",
        "display_decimals",
        "order",
    ]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.Metric)
class MetricAdmin(ServiceAdmin):
    list_display = ["name", "department", "outcome", "cadence", "direction", "state"]
    list_filter = ["state", "department", "cadence", "direction", "unit", "outcome__priority"]
    search_fields = ["name", "slug", "baseline_text", "goal_text"]
    list_select_related = ["department", "outcome"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SegmentInline]
    inline_services = {models.Segment: CATALOG_SERVICES[models.Segment]}
    actions = [
        metric_state_action(models.MetricState.PAUSED, "Pause the selected metrics"),
        metric_state_action(models.MetricState.ACTIVE, "Make the selected metrics active"),
    ]
    fieldsets = [
        (None, {"fields": ["outcome", "department", "name", "slug", "short_label", "chart_title"]}),
        (
            "Baseline and goal",
            {"fields": ["baseline_value", "baseline_text", "goal_kind", "goal_value", "goal_text"]},
        ),
        (
            "Measurement",
            {
                "fields": [
                    "unit",
                    "unit_suffix",
                    "display_decimals",
                    "direction",
                    "cadence",
                    "measured_in_quarter",
                    "aggregation",
                    "state",
                    "segments_inline",
                    "order",
                    "description",
                ]
            },
        ),
    ]


@admin.register(models.Segment)
class SegmentAdmin(ServiceAdmin):
    list_display = ["name", "metric", "group", "order"]
    list_filter = ["metric__department"]
    search_fields = ["name", "metric__name"]
    list_select_related = ["metric"]
    prepopulated_fields = {"slug": ["name"]}

    def get_readonly_fields(self, request, obj=None):
        # A segment is its metric's breakdown: it never moves to another metric.
        return ["metric"] if obj is not None else []

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if obj is None else {}


@admin.register(models.Observation)
class ObservationAdmin(ServiceSavedAdmin):
    form = ObservationAdminForm
    list_display = ["metric", "segment", "period_start", "period_end", "value", "is_derived"]
    list_filter = ["is_derived", "metric__department", "metric"]
    search_fields = ["metric__name", "segment__name", "source"]
    date_hierarchy = "period_start"
    list_select_related = ["metric", "segment"]
    raw_id_fields = ["metric", "segment"]
    readonly_fields = ["version", "updated_by", "created_at", "updated_at"]


@admin.register(models.QuarterlyStatus)
class QuarterlyStatusAdmin(ServiceSavedAdmin):
    form = QuarterlyStatusAdminForm
    list_display = [
        "metric",
        "segment",
        "quarter",
        "state",
        "value",
        "yoy_delta",
        "arrow",
        "attainment",
        "footnote_markers",
    ]
    list_filter = ["quarter", "state", "attainment", "metric__department"]
    search_fields = ["metric__name", "segment__name", "comment"]
    list_select_related = ["metric", "segment", "quarter"]
    raw_id_fields = ["metric", "segment"]
    # The recompute owns the derived figures.
    readonly_fields = [
        "yoy_delta",
        "arrow",
        "attainment",
        "value_basis",
        "unused_observations",
        "version",
        "updated_by",
        "computed_at",
        "created_at",
        "updated_at",
    ]


class KeyResultInline(admin.StackedInline):
    model = models.KeyResult
    extra = 0
    raw_id_fields = ["metric"]


class DrilldownInline(admin.StackedInline):
    model = models.Drilldown
    extra = 0
    fields = ["session", "title", "situation", "impact", "recommendation", "next_steps", "order"]


class ContentBlockInline(admin.StackedInline):
    """Quotes and examples printed with the objective (S15); saved with history by the
    objective admin's formset save."""

    model = models.ContentBlock
    extra = 0
    fields = ["kind", "title", "body", "attribution", "order"]


@admin.register(models.Objective)
class ObjectiveAdmin(ServiceRowsAdminMixin, admin.ModelAdmin):
    list_display = ["short_name", "title", "department", "fiscal_year", "target_quarter_text"]
    list_filter = ["department", "fiscal_year", "priority"]
    search_fields = ["short_name", "title", "statement", "narrative"]
    prepopulated_fields = {"slug": ["short_name"]}
    readonly_fields = ["version", "updated_by", "created_at", "updated_at"]
    inlines = [KeyResultInline, DrilldownInline, ContentBlockInline]


class KeyResultStatusInline(admin.TabularInline):
    """Read-only here: statuses are edited on their own page, through the service."""

    model = models.KeyResultStatus
    extra = 0
    fields = ["quarter", "state", "text", "number", "milestones_done", "is_done", "confidence"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.KeyResult)
class KeyResultAdmin(ServiceRowsAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "objective", "goal_text", "milestone_total"]
    list_filter = ["objective__department", "objective"]
    search_fields = ["code", "description", "goal_text"]
    list_select_related = ["objective"]
    inlines = [KeyResultStatusInline]


@admin.register(models.KeyResultStatus)
class KeyResultStatusAdmin(ServiceSavedAdmin):
    form = KeyResultStatusAdminForm
    list_display = [
        "key_result",
        "quarter",
        "state",
        "number",
        "milestones_done",
        "is_done",
        "confidence",
    ]
    list_filter = ["quarter", "state", "confidence", "key_result__objective__department"]
    search_fields = ["text", "key_result__description"]
    list_select_related = ["key_result__objective", "quarter"]
    readonly_fields = ["version", "updated_by", "created_at", "updated_at"]


class DrilldownRowInline(admin.TabularInline):
    model = models.DrilldownRow
    extra = 0


@admin.register(models.DrilldownTable)
class DrilldownTableAdmin(ServiceAdmin):
    list_display = ["__str__", "drilldown"]
    inlines = [DrilldownRowInline]
    inline_services = {models.DrilldownRow: CATALOG_SERVICES[models.DrilldownRow]}


class DrilldownTableInline(admin.TabularInline):
    model = models.DrilldownTable
    extra = 0
    show_change_link = True


@admin.register(models.Drilldown)
class DrilldownAdmin(HeldSessionReadOnlyMixin, ServiceRowsAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "objective", "session"]
    list_filter = ["session", "objective__department"]
    search_fields = ["title", "situation", "impact", "recommendation", "next_steps"]
    readonly_fields = ["version", "updated_by", "created_at", "updated_at"]
    inlines = [DrilldownTableInline]


class KeyDeliverableInline(HeldSessionInlineMixin, admin.TabularInline):
    model = models.KeyDeliverable
    extra = 0


class MetricDefinitionInline(HeldSessionInlineMixin, admin.TabularInline):
    model = models.MetricDefinition
    extra = 0
    raw_id_fields = ["metric"]


class FootnoteInline(HeldSessionInlineMixin, admin.TabularInline):
    model = models.Footnote
    extra = 0


class AcronymInline(HeldSessionInlineMixin, admin.TabularInline):
    model = models.Acronym
    extra = 0


@admin.register(models.TuningSession)
class TuningSessionAdmin(TuningSessionServiceMixin, admin.ModelAdmin):
    list_display = ["title", "priority", "quarter", "state"]
    list_filter = ["priority", "quarter", "state"]
    search_fields = ["title", "overview", "progress_challenges", "actions"]
    readonly_fields = [*TuningSessionServiceMixin.readonly_fields, "updated_at"]
    inlines = [KeyDeliverableInline, MetricDefinitionInline, FootnoteInline, AcronymInline]


@admin.register(models.MetricDefinition)
class MetricDefinitionAdmin(HeldSessionReadOnlyMixin, ServiceRowsAdminMixin, admin.ModelAdmin):
    list_display = ["name", "session", "metric", "baseline_text", "goal_text"]
    list_filter = ["session"]
    search_fields = ["name", "baseline_text", "goal_text"]


@admin.register(models.KeyDeliverable)
class KeyDeliverableAdmin(HeldSessionReadOnlyMixin, ServiceRowsAdminMixin, admin.ModelAdmin):
    list_display = ["title", "session", "objective", "order"]
    list_filter = ["session"]


@admin.register(models.Footnote)
class FootnoteAdmin(HeldSessionReadOnlyMixin, ServiceRowsAdminMixin, admin.ModelAdmin):
    list_display = ["marker", "meaning", "session"]
    list_filter = ["session"]


@admin.register(models.Acronym)
class AcronymAdmin(HeldSessionReadOnlyMixin, ServiceRowsAdminMixin, admin.ModelAdmin):
    list_display = ["term", "meaning", "session"]
    list_filter = ["session"]
    search_fields = ["term", "meaning"]


@admin.register(models.Submission)
class SubmissionAdmin(SubmissionServiceAdmin):
    list_display = ["department", "quarter", "state", "submitted_at", "reviewed_at", "locked_at"]
    list_filter = ["state", "quarter", "department"]
    readonly_fields = [
        "submitted_at",
        "submitted_by",
        "reviewed_at",
        "reviewed_by",
        "locked_at",
        "locked_by",
        "reminded_at",
    ]


@admin.register(models.HistoryEntry)
class HistoryEntryAdmin(RecordAdmin):
    list_display = [
        "changed_at",
        "content_type",
        "object_id",
        "field",
        "old_value",
        "new_value",
        "actor",
        "source",
    ]
    # The history grows by a million rows in a first full recompute: newest first by the
    # primary key, date filters as ranges (served by the BRIN index on changed_at), and no
    # full count on every page.
    list_filter = ["changed_at", "source", "content_type", "field"]
    search_fields = ["field", "old_value", "new_value"]
    ordering = ["-id"]
    show_full_result_count = False
    list_select_related = ["content_type", "actor"]

    # The record of who changed what: nobody edits or deletes it, superusers included.


admin.site.register(models.JobRun, JobRunAdmin)
admin.site.register(models.RecomputeRequest, RecomputeRequestAdmin)


# Notifications (issue 18): what the app wrote and mailed, read in the admin only.
@admin.register(models.Notification)
class NotificationAdmin(RecordAdmin):
    list_display = ["created_at", "recipient", "kind", "summary", "read_at", "email_state"]
    list_filter = ["kind", "email_state"]
    search_fields = ["summary", "recipient__username", "event_key"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]


@admin.register(models.ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """Read-only: identities are linked by signing in through the provider. To stop someone
    signing in, deactivate their account."""

    list_display = ["user", "issuer", "email", "last_sign_in", "linked_at"]
    search_fields = ["user__username", "email", "subject"]
    readonly_fields = ["user", "issuer", "subject", "email", "groups", "linked_at", "last_sign_in"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Outgoing webhooks (issue 22): registered by the module.
from metrics import admin_webhooks  # noqa: E402,F401

# Last, once every model is registered (the accounts' admin too): admin writes bump.
admin_writes_bump(admin.site)
