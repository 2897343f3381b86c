"""The deck endpoint's document: metrics.selectors.deck.Deck as JSON, field for field. The
structure and the display texts are the selector's and metrics.formatting's (the dashboards
print the same); these serializers only name the fields, so the OpenAPI schema describes
them."""

from rest_framework import serializers


def _decimal(**kwargs):
    return serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True, **kwargs)


class CellPartsSerializer(serializers.Serializer):
    state_text = serializers.CharField()
    state_markers = serializers.CharField()
    lead = serializers.CharField(help_text='Printed bold: a YoY change or a value ("+8.1% YoY").')
    lead_markers = serializers.CharField()
    label = serializers.CharField()
    detail = serializers.CharField(help_text='The value in brackets after a YoY change ("92K/mo").')
    detail_markers = serializers.CharField()
    arrow = serializers.CharField()
    arrow_symbol = serializers.CharField()
    text = serializers.CharField()


class InlineCellSerializer(serializers.Serializer):
    segment_slug = serializers.CharField()
    group = serializers.CharField()
    prefix = serializers.CharField()
    parts = CellPartsSerializer()
    arrow_tone = serializers.CharField()
    display = serializers.CharField()


class CellSerializer(serializers.Serializer):
    quarter = serializers.IntegerField()
    state = serializers.CharField(help_text='A quarterly-status state; "" without a status.')
    value = _decimal()
    yoy_delta = _decimal(help_text="Fraction: 0.081 is +8.1% YoY.")
    arrow = serializers.CharField()
    arrow_symbol = serializers.CharField()
    arrow_tone = serializers.CharField(help_text="good | bad | neutral | '' for the direction.")
    footnote_markers = serializers.CharField()
    state_markers = serializers.CharField()
    attainment = serializers.CharField()
    comment = serializers.CharField()
    parts = CellPartsSerializer()
    inline = InlineCellSerializer(many=True, help_text="Segment figures printed in this cell.")
    display = serializers.CharField(help_text='As the dashboard prints it: "+8.1% YoY (92K/mo*)".')


class SegmentRowSerializer(serializers.Serializer):
    segment_id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField()
    footnote_markers = serializers.CharField()
    baseline_text = serializers.CharField()
    goal_text = serializers.CharField()
    cells = CellSerializer(many=True)


class MetricRowSerializer(serializers.Serializer):
    metric_id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    title = serializers.CharField()
    baseline_text = serializers.CharField()
    goal_text = serializers.CharField()
    chart_title = serializers.CharField()
    unit = serializers.CharField()
    unit_suffix = serializers.CharField()
    direction = serializers.CharField()
    cadence = serializers.CharField()
    state = serializers.CharField()
    department = serializers.CharField()
    department_slug = serializers.CharField()
    segments_inline = serializers.BooleanField()
    attainment = serializers.CharField()
    cells = CellSerializer(many=True)
    segments = SegmentRowSerializer(many=True)


class OutcomeGroupSerializer(serializers.Serializer):
    outcome_id = serializers.IntegerField()
    statement = serializers.CharField()
    metrics = MetricRowSerializer(many=True)


class KeyResultCellSerializer(serializers.Serializer):
    quarter = serializers.IntegerField()
    state = serializers.CharField()
    text = serializers.CharField()
    number = _decimal()
    milestones_done = serializers.IntegerField(allow_null=True)
    is_done = serializers.BooleanField()
    display = serializers.CharField()


class KeyResultRowSerializer(serializers.Serializer):
    key_result_id = serializers.IntegerField()
    code = serializers.CharField()
    description = serializers.CharField()
    baseline_text = serializers.CharField()
    goal_text = serializers.CharField()
    milestone_total = serializers.IntegerField(allow_null=True)
    milestones_done = serializers.IntegerField(allow_null=True)
    latest_status = serializers.CharField()
    attainment = serializers.CharField()
    cells = KeyResultCellSerializer(many=True)
    metric_row = MetricRowSerializer(allow_null=True)


class DrilldownTableRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    is_group_heading = serializers.BooleanField()
    cells = serializers.ListField(child=serializers.CharField())


class DrilldownTableBlockSerializer(serializers.Serializer):
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = DrilldownTableRowSerializer(many=True)


class DrilldownBlockSerializer(serializers.Serializer):
    drilldown_id = serializers.IntegerField()
    title = serializers.CharField()
    situation = serializers.CharField()
    impact = serializers.CharField()
    recommendation = serializers.CharField()
    next_steps = serializers.CharField()
    tables = DrilldownTableBlockSerializer(many=True)


class ContentBlockItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["text", "quote"])
    title = serializers.CharField()
    body = serializers.CharField(help_text="Markdown.")
    attribution = serializers.ListField(child=serializers.CharField())


class ObjectiveBlockSerializer(serializers.Serializer):
    objective_id = serializers.IntegerField()
    slug = serializers.CharField()
    short_name = serializers.CharField()
    title = serializers.CharField()
    statement = serializers.CharField()
    narrative = serializers.CharField()
    target_quarter_text = serializers.CharField()
    department = serializers.CharField()
    department_slug = serializers.CharField()
    key_results = KeyResultRowSerializer(many=True)
    drilldowns = DrilldownBlockSerializer(many=True)
    content_blocks = ContentBlockItemSerializer(many=True)


class FootnoteItemSerializer(serializers.Serializer):
    marker = serializers.CharField()
    meaning = serializers.CharField()


class AcronymItemSerializer(serializers.Serializer):
    term = serializers.CharField()
    meaning = serializers.CharField()


class DeliverableItemSerializer(serializers.Serializer):
    title = serializers.CharField()
    objective_slug = serializers.CharField()


class DeckSerializer(serializers.Serializer):
    session_id = serializers.IntegerField()
    title = serializers.CharField()
    session_state = serializers.ChoiceField(
        choices=["draft", "held"],
        help_text="held: the deck as presented, frozen when the session was held; draft: the "
        "figures as they are saved.",
    )
    priority = serializers.CharField()
    quarter_id = serializers.IntegerField()
    quarter_number = serializers.IntegerField()
    quarter_label = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    quarters = serializers.ListField(child=serializers.IntegerField())
    overview = serializers.CharField()
    progress_challenges = serializers.CharField()
    actions = serializers.CharField()
    key_deliverables = DeliverableItemSerializer(many=True)
    outcomes = OutcomeGroupSerializer(many=True)
    objectives = ObjectiveBlockSerializer(many=True)
    footnotes = FootnoteItemSerializer(many=True)
    acronyms = AcronymItemSerializer(many=True)
