"""The deck endpoint's document: metrics.selectors.deck.Deck as JSON. The structure and the
display texts are the selector's and metrics.formatting's (the dashboards print the same); the
serializers are derived from the dataclasses' fields and type hints (from_dataclass), so a
field added to the deck reaches the API and its OpenAPI schema. The shapes below only say what
the types cannot: what stays out of the document, the order of a few keys older than the
dataclasses' field order, help texts and choices."""

from metrics.api.serializers.from_dataclass import Shape, dataclass_serializer
from metrics.formatting import CellParts
from metrics.selectors.deck_types import (
    Cell,
    ContentBlockItem,
    Deck,
    KeyResultCell,
    KeyResultRow,
    MetricRow,
    ObjectiveBlock,
    OutcomeGroup,
)
from metrics.selectors.threads import CommentItem, ThreadItem

# Left out of the document: ids and notes the pages use for their history links, layout flags,
# and the footnotes a group prints (the deck lists every marker once, in Deck.footnotes).
SHAPES = {
    CellParts: Shape(
        exclude=("label_before",),
        properties=("arrow_symbol", "text"),
        help_texts={
            "lead": 'Printed bold: a YoY change or a value ("+8.1% YoY").',
            "detail": 'The value in brackets after a YoY change ("92K/mo").',
        },
    ),
    Cell: Shape(
        exclude=("status_id", "basis_label", "basis_note"),
        help_texts={
            "state": 'A quarterly-status state; "" without a status.',
            "yoy_delta": "Fraction: 0.081 is +8.1% YoY.",
            "arrow_tone": "good | bad | neutral | '' for the direction.",
            "inline": "Segment figures printed in this cell.",
            "display": 'As the dashboard prints it: "+8.1% YoY (92K/mo*)".',
        },
    ),
    MetricRow: Shape(
        properties=("title",), after={"title": "name", "attainment": "segments_inline"}
    ),
    OutcomeGroup: Shape(exclude=("footnotes",)),
    KeyResultCell: Shape(
        exclude=("status_id",),
        choices={"confidence": ("", "on_track", "at_risk", "off_track")},
        help_texts={
            "confidence": "The lead's confidence this quarter, beside the printed cell "
            '(on_track, at_risk, off_track; "" when not given).',
            "confidence_score": "Optionally, the confidence from 1 to 10.",
        },
    ),
    KeyResultRow: Shape(exclude=("segment_markers",), after={"attainment": "latest_status"}),
    ContentBlockItem: Shape(choices={"kind": ("text", "quote")}, help_texts={"body": "Markdown."}),
    ObjectiveBlock: Shape(exclude=("footnotes",)),
    ThreadItem: Shape(
        choices={"target": ("metric_cell", "key_result_cell", "objective", "session")},
        help_texts={
            "target_key": 'What the thread is about: "m12.s0.q2020-2" (metric 12, no segment, '
            'Q2 FY20-21), "kr5.q2020-2", "o7" (an objective), "session".',
        },
    ),
    CommentItem: Shape(help_texts={"body": "Markdown."}),
    Deck: Shape(
        exclude=("quarter_end_date",),
        after={"session_state": "title", "quarters": "fiscal_year"},
        choices={"session_state": ("draft", "held")},
        help_texts={
            "session_state": "held: the deck as presented, frozen when the session was held; "
            "draft: the figures as they are saved.",
            "threads": "The session's comment threads; a held deck's as they stood at the hold.",
        },
    ),
}

DeckSerializer = dataclass_serializer(Deck, SHAPES)
