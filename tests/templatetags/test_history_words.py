"""History in words: each stored change as a person would say it."""

import pytest

from metrics.formatting import format_plain
from metrics.templatetags.history import change_words


@pytest.mark.parametrize(
    ("field", "old", "new", "words"),
    [
        ("value_is_manual", None, "true", "entered by hand"),
        ("value_is_manual", "true", "false", "computed from the data again"),
        ("value", None, "6.100000", "value 6.1"),
        ("value", "91000", "92000", "value 91,000 → 92,000"),
        ("value", "5", None, "value cleared (was 5)"),
        ("yoy_delta", None, "0.081", "YoY change +8.1%"),
        ("state", "reported", "not_available", "state Reported → Not available"),
        ("arrow", "", "up", "arrow ↑"),
        ("is_done", "false", "true", "marked done"),
        ("footnote_markers", None, "†", "markers †"),
        ("milestones_done", "1", "2", "milestones done 1 → 2"),
        ("next_steps", "", "Ship it", "next steps Ship it"),
    ],
)
def test_a_change_reads_as_words(field, old, new, words):
    assert change_words(field, old, new) == words


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("6.100000", "6.1"),
        ("92000", "92,000"),
        ("-0.0", "0"),
        ("0.0810", "0.081"),
        ("1E+3", "1,000"),
    ],
)
def test_plain_numbers_drop_trailing_zeros(value, text):
    assert format_plain(value) == text
