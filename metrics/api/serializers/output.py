"""What the API answers with: one serializer per resource, flat ids for relations, nested
rows only where they belong to the parent (segments, key-result statuses, drill-down tables)."""

from rest_framework import serializers

from metrics import models
from metrics.formatting import cell_display

GOAL_FIELDS = [
    "baseline_value",
    "baseline_text",
    "goal_kind",
    "goal_value",
    "goal_text",
    "display_decimals",
]


class QuarterSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = models.Quarter
        fields = ["id", "fiscal_year", "number", "label", "start_date", "end_date"]


class DepartmentSerializer(serializers.ModelSerializer):
    lead_usernames = serializers.SerializerMethodField()

    class Meta:
        model = models.Department
        fields = ["id", "name", "slug", "lead_usernames"]

    def get_lead_usernames(self, department) -> list[str]:
        return [lead.get_username() for lead in department.leads.all()]


class PrioritySerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Priority
        fields = ["id", "name", "slug", "description"]


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Outcome
        fields = ["id", "priority", "statement", "order"]


class SegmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Segment
        fields = [
            "id",
            "name",
            "slug",
            "group",
            "short_label",
            "footnote_markers",
            "order",
            *GOAL_FIELDS,
        ]


class MetricSerializer(serializers.ModelSerializer):
    segments = SegmentSerializer(many=True, read_only=True)

    class Meta:
        model = models.Metric
        fields = [
            "id",
            "slug",
            "name",
            "short_label",
            "chart_title",
            "description",
            "outcome",
            "department",
            "unit",
            "unit_suffix",
            "direction",
            "cadence",
            "measured_in_quarter",
            "aggregation",
            "state",
            "segments_inline",
            "order",
            *GOAL_FIELDS,
            "segments",
            "updated_at",
        ]


class ObservationSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Observation
        fields = [
            "id",
            "metric",
            "segment",
            "period_start",
            "period_end",
            "value",
            "is_derived",
            "source",
            "version",
            "updated_at",
        ]


class QuarterlyStatusSerializer(serializers.ModelSerializer):
    quarter = QuarterSerializer(read_only=True)
    display = serializers.SerializerMethodField(
        help_text='The cell as the dashboards print it: "+8.1% YoY (92K/mo*)".'
    )

    class Meta:
        model = models.QuarterlyStatus
        fields = [
            "id",
            "metric",
            "segment",
            "quarter",
            "state",
            "value",
            "value_basis",
            "unused_observations",
            "yoy_delta",
            "arrow",
            "attainment",
            "footnote_markers",
            "state_markers",
            "comment",
            "display",
            "computed_at",
            "version",
            "updated_at",
        ]

    def get_display(self, status) -> str:
        return cell_display(status, metric=status.metric, segment=status.segment)


class ObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Objective
        fields = [
            "id",
            "slug",
            "short_name",
            "title",
            "statement",
            "narrative",
            "priority",
            "department",
            "fiscal_year",
            "target_quarter_text",
            "target_quarter",
            "order",
            "version",
            "updated_at",
        ]


class KeyResultStatusSerializer(serializers.ModelSerializer):
    quarter = QuarterSerializer(read_only=True)

    class Meta:
        model = models.KeyResultStatus
        fields = [
            "id",
            "key_result",
            "quarter",
            "state",
            "text",
            "number",
            "milestones_done",
            "is_done",
            "comment",
            "confidence",
            "confidence_score",
            "version",
            "updated_at",
        ]


class KeyResultSerializer(serializers.ModelSerializer):
    statuses = KeyResultStatusSerializer(many=True, read_only=True)

    class Meta:
        model = models.KeyResult
        fields = [
            "id",
            "objective",
            "code",
            "description",
            "baseline_text",
            "goal_text",
            "metric",
            "milestone_total",
            "order",
            "statuses",
            "updated_at",
        ]


class DrilldownRowSerializer(serializers.ModelSerializer):
    cells = serializers.ListField(child=serializers.CharField(allow_blank=True), read_only=True)

    class Meta:
        model = models.DrilldownRow
        fields = ["id", "label", "is_group_heading", "cells", "order"]


class DrilldownTableSerializer(serializers.ModelSerializer):
    columns = serializers.ListField(child=serializers.CharField(allow_blank=True), read_only=True)
    rows = DrilldownRowSerializer(many=True, read_only=True)

    class Meta:
        model = models.DrilldownTable
        fields = ["id", "title", "columns", "order", "rows"]


class DrilldownSerializer(serializers.ModelSerializer):
    tables = DrilldownTableSerializer(many=True, read_only=True)

    class Meta:
        model = models.Drilldown
        fields = [
            "id",
            "objective",
            "session",
            "title",
            "situation",
            "impact",
            "recommendation",
            "next_steps",
            "order",
            "tables",
            "version",
            "updated_at",
        ]


class KeyDeliverableSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.KeyDeliverable
        fields = ["id", "title", "objective", "order"]


class MetricDefinitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.MetricDefinition
        fields = ["id", "metric", "outcome", "name", "baseline_text", "goal_text", "order"]


class TuningSessionSerializer(serializers.ModelSerializer):
    quarter = QuarterSerializer(read_only=True)
    key_deliverables = KeyDeliverableSerializer(many=True, read_only=True)
    metric_definitions = MetricDefinitionSerializer(many=True, read_only=True)

    class Meta:
        model = models.TuningSession
        fields = [
            "id",
            "title",
            "priority",
            "quarter",
            "overview",
            "progress_challenges",
            "actions",
            "key_deliverables",
            "metric_definitions",
            "state",
            "held_at",
            "version",
            "updated_at",
        ]


class FootnoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Footnote
        fields = ["id", "session", "marker", "meaning"]


class AcronymSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Acronym
        fields = ["id", "session", "term", "meaning"]


SERIALIZER_OF_MODEL = {
    models.Observation: ObservationSerializer,
    models.QuarterlyStatus: QuarterlyStatusSerializer,
    models.KeyResultStatus: KeyResultStatusSerializer,
    models.Objective: ObjectiveSerializer,
    models.Drilldown: DrilldownSerializer,
}


def serialize_current(instance) -> dict | None:
    """The row as it is now, for the body of a 409 answer."""
    serializer = SERIALIZER_OF_MODEL.get(type(instance))
    return serializer(instance).data if serializer else None


class UpsertCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()


class UpsertRowSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the row in the request, from 0.")
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "rejected"])
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    observation = serializers.IntegerField(allow_null=True, help_text="Id of the stored row.")
    metric = serializers.IntegerField(allow_null=True)
    segment = serializers.IntegerField(allow_null=True)
    period_start = serializers.DateField(allow_null=True)
    value = serializers.CharField(allow_null=True)
    old_value = serializers.CharField(allow_null=True)
    version = serializers.IntegerField(allow_null=True)


class UpsertResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    counts = UpsertCountsSerializer()
    rows = UpsertRowSerializer(many=True)


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = serializers.DictField(allow_null=True, help_text="The row as it is now.")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old_value = serializers.CharField(allow_null=True, help_text="As history keeps it: text.")
    new_value = serializers.CharField(allow_null=True)


class CellVersionSerializer(serializers.Serializer):
    changed_at = serializers.DateTimeField()
    actor = serializers.CharField(help_text='The username; "" for a recompute or an import.')
    source = serializers.CharField(help_text="Form, API, Admin, Import, Recompute or Seed.")
    changes = FieldChangeSerializer(many=True)
    display = serializers.CharField(help_text="What the cell read after this change.")


class CellHistorySerializer(serializers.Serializer):
    status = serializers.IntegerField(source="status.pk")
    label = serializers.CharField()
    display = serializers.CharField(help_text="What the cell reads now.")
    versions = CellVersionSerializer(many=True, help_text="Every change, newest first.")
