"""The deck document's shape: derived from the deck dataclasses (metrics.api.serializers
.from_dataclass) and pinned here key for key, in the order clients and ETags have always seen,
for a draft and a held session; the OpenAPI schema describes exactly those keys."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse

from metrics import models
from metrics.api.serializers.from_dataclass import Shape, dataclass_serializer
from metrics.services.sessions import session_hold
from tests import factories
from tests.api.conftest import api_url, client_for

CELL = [
    "quarter",
    "state",
    "value",
    "yoy_delta",
    "arrow",
    "arrow_symbol",
    "arrow_tone",
    "footnote_markers",
    "state_markers",
    "attainment",
    "comment",
    "parts",
    "inline",
    "display",
]
METRIC_ROW = [
    "metric_id",
    "slug",
    "name",
    "title",
    "baseline_text",
    "goal_text",
    "chart_title",
    "unit",
    "unit_suffix",
    "direction",
    "cadence",
    "state",
    "department",
    "department_slug",
    "segments_inline",
    "attainment",
    "cells",
    "segments",
]
# Component name in the schema -> the document's keys, in order.
SHAPE = {
    "Deck": [
        "session_id",
        "title",
        "session_state",
        "priority",
        "quarter_id",
        "quarter_number",
        "quarter_label",
        "fiscal_year",
        "quarters",
        "overview",
        "progress_challenges",
        "actions",
        "key_deliverables",
        "outcomes",
        "objectives",
        "footnotes",
        "acronyms",
        "threads",
    ],
    "ThreadItem": [
        "thread_id",
        "target",
        "target_key",
        "label",
        "department_id",
        "is_resolved",
        "resolved_by",
        "resolved_at",
        "comments",
    ],
    "CommentItem": [
        "comment_id",
        "author_id",
        "author",
        "body",
        "created_at",
        "edited_at",
        "in_reply_to_id",
        "version",
        "revisions",
    ],
    "RevisionItem": ["body", "written_at"],
    "OutcomeGroup": ["outcome_id", "statement", "metrics"],
    "MetricRow": METRIC_ROW,
    "Cell": CELL,
    "CellParts": [
        "state_text",
        "state_markers",
        "lead",
        "lead_markers",
        "label",
        "detail",
        "detail_markers",
        "arrow",
        "arrow_symbol",
        "text",
    ],
    "InlineCell": ["segment_slug", "group", "prefix", "parts", "arrow_tone", "display"],
    "SegmentRow": [
        "segment_id",
        "slug",
        "name",
        "group",
        "footnote_markers",
        "baseline_text",
        "goal_text",
        "cells",
    ],
    "ObjectiveBlock": [
        "objective_id",
        "slug",
        "short_name",
        "title",
        "statement",
        "narrative",
        "target_quarter_text",
        "department",
        "department_slug",
        "key_results",
        "drilldowns",
        "content_blocks",
    ],
    "KeyResultRow": [
        "key_result_id",
        "code",
        "description",
        "baseline_text",
        "goal_text",
        "milestone_total",
        "milestones_done",
        "latest_status",
        "attainment",
        "cells",
        "metric_row",
    ],
    "KeyResultCell": [
        "quarter",
        "state",
        "text",
        "number",
        "milestones_done",
        "is_done",
        "display",
        "confidence",
        "confidence_score",
    ],
    "DrilldownBlock": [
        "drilldown_id",
        "title",
        "situation",
        "impact",
        "recommendation",
        "next_steps",
        "tables",
    ],
    "DrilldownTableBlock": ["title", "columns", "rows"],
    "DrilldownTableRow": ["label", "is_group_heading", "cells"],
    "ContentBlockItem": ["kind", "title", "body", "attribution"],
    "FootnoteItem": ["marker", "meaning"],
    "AcronymItem": ["term", "meaning"],
    "DeliverableItem": ["title", "objective_slug"],
}
# Where each component sits in the document (a key -> the component of its value).
CHILDREN = {
    "Deck": {
        "key_deliverables": "DeliverableItem",
        "outcomes": "OutcomeGroup",
        "objectives": "ObjectiveBlock",
        "footnotes": "FootnoteItem",
        "acronyms": "AcronymItem",
        "threads": "ThreadItem",
    },
    "ThreadItem": {"comments": "CommentItem"},
    "CommentItem": {"revisions": "RevisionItem"},
    "OutcomeGroup": {"metrics": "MetricRow"},
    "MetricRow": {"cells": "Cell", "segments": "SegmentRow"},
    "SegmentRow": {"cells": "Cell"},
    "Cell": {"parts": "CellParts", "inline": "InlineCell"},
    "InlineCell": {"parts": "CellParts"},
    "ObjectiveBlock": {
        "key_results": "KeyResultRow",
        "drilldowns": "DrilldownBlock",
        "content_blocks": "ContentBlockItem",
    },
    "KeyResultRow": {"cells": "KeyResultCell", "metric_row": "MetricRow"},
    "DrilldownBlock": {"tables": "DrilldownTableBlock"},
    "DrilldownTableBlock": {"rows": "DrilldownTableRow"},
}


def keys_seen(document, component, seen):
    """Each component's key lists met in the document, walked by CHILDREN."""
    seen.setdefault(component, set()).add(tuple(document))
    for key, child in CHILDREN.get(component, {}).items():
        value = document[key]
        for item in value if isinstance(value, list) else [value] if value else []:
            keys_seen(item, child, seen)
    return seen


@pytest.fixture
def client(seed_deck, db):
    return client_for(factories.UserFactory(username="reader", roles=["Viewer"]))


def decks(client):
    return [
        client.get(api_url("session-deck", session.pk)).json()
        for session in models.TuningSession.objects.order_by("pk")
    ]


def test_every_object_of_the_deck_document_has_its_keys_in_their_order(client):
    seen = {}
    for deck in decks(client):
        keys_seen(deck, "Deck", seen)

    for component, key_lists in seen.items():
        assert key_lists == {tuple(SHAPE[component])}, component
    # The seeded decks reach the metric, key-result and content-block objects at least.
    assert {"Deck", "MetricRow", "Cell", "CellParts", "SegmentRow", "KeyResultRow"} <= set(seen)


def test_a_held_sessions_deck_read_from_its_snapshot_has_the_same_keys(client):
    session = models.TuningSession.objects.order_by("pk").first()
    session_hold(actor=factories.UserFactory(roles=["Admin"]), session=session)

    deck = client.get(api_url("session-deck", session.pk)).json()

    assert deck["session_state"] == "held"
    for component, key_lists in keys_seen(deck, "Deck", {}).items():
        assert key_lists == {tuple(SHAPE[component])}, component


def test_figures_print_with_six_places_and_null_without_a_value(client):
    metric = next(m for deck in decks(client) for o in deck["outcomes"] for m in o["metrics"])
    values = [cell["value"] for cell in metric["cells"]]

    assert any(value is None for value in values)
    assert all(value is None or len(value.split(".")[1]) == 6 for value in values)


def test_the_schema_describes_exactly_the_documents_keys(client):
    schema = client.get(reverse("api:schema", kwargs={"version": "v1"}), {"format": "json"})
    components = schema.json()["components"]["schemas"]

    for component, keys in SHAPE.items():
        assert list(components[component]["properties"]) == keys, component
    assert components["Cell"]["properties"]["yoy_delta"]["description"].startswith("Fraction")
    assert components["Cell"]["properties"]["value"]["nullable"] is True
    kind = components["ContentBlockItem"]["properties"]["kind"]["$ref"].rsplit("/", 1)[1]
    assert components[kind]["enum"] == ["text", "quote"]


# --- the builder itself ------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    label: str
    amount: Decimal | None


@dataclass(frozen=True)
class Tree:
    name: str
    count: int
    done: bool
    tags: tuple[str, ...]
    leaves: tuple[Leaf, ...]
    first: Leaf | None
    internal: int = 0

    @property
    def shout(self) -> str:
        return self.name.upper()


def test_a_dataclass_field_reaches_the_serializer_without_being_restated():
    serializer = dataclass_serializer(
        Tree,
        {Tree: Shape(exclude=("internal",), properties=("shout",), after={"done": "name"})},
    )
    tree = Tree("oak", 2, True, ("a",), (Leaf("x", Decimal("1.5")),), None, internal=9)

    data = serializer(tree).data

    assert list(data) == ["name", "done", "count", "tags", "leaves", "first", "shout"]
    assert data["leaves"] == [{"label": "x", "amount": "1.500000"}]
    assert (data["tags"], data["first"], data["shout"]) == (["a"], None, "OAK")
    assert serializer.__name__ == "TreeSerializer"


def test_a_field_of_a_type_without_a_serializer_field_is_refused():
    @dataclass(frozen=True)
    class Odd:
        when: complex

    with pytest.raises(TypeError):
        dataclass_serializer(Odd, {})
