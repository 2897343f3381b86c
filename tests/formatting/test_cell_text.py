"""Cells as text have one home (metrics/formatting.py): the check-in's "Deck shows" column,
the deck's empty cells, the API, cell history and key-result cells print the same."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from metrics.formatting import NO_STATUS, cell_display, key_result_display
from metrics.templatetags.deck import deck_cell
from metrics.templatetags.entry import deck_text


def kr_status(**fields):
    values = {"state": "reported", "text": "", "milestones_done": None, "number": None}
    return SimpleNamespace(**(values | {"is_done": False} | fields))


def test_no_status_prints_the_same_dash_everywhere():
    metric = SimpleNamespace(unit="count", unit_suffix="", short_label="")
    assert NO_STATUS == "-"
    assert deck_text(None, metric) == cell_display(None, metric=metric) == NO_STATUS
    assert key_result_display(None, 4) == NO_STATUS
    empty = SimpleNamespace(inline=(), is_empty=True)
    assert f">{NO_STATUS}<" in deck_cell(empty)


@pytest.mark.parametrize(
    ("fields", "total", "text"),
    [
        ({"text": "Shipped", "is_done": True}, None, "✓ Shipped"),
        ({"text": "Shipped", "is_done": True, "state": "not_available"}, None, "Shipped"),
        ({"state": "not_available", "is_done": True}, None, "not available"),
        ({"milestones_done": 2}, 4, "2 of 4"),
        ({"milestones_done": 2}, None, "2"),
        ({"number": Decimal("12.500000")}, None, "12.5"),
        ({"number": Decimal("1500")}, None, "2K"),
        ({"is_done": True}, None, "✓"),
        ({}, None, NO_STATUS),
    ],
)
def test_a_key_result_cell_as_text(fields, total, text):
    assert key_result_display(kr_status(**fields), total) == text
