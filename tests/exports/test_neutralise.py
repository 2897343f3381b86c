"""The one guard against spreadsheet formula injection, used by every CSV and Excel export."""

import pytest

from metrics.exports import formula_risk, neutralise_cell

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-1+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "+8.1% YoY (92K/mo*)",
]
SAFE = ["-", "92K/mo", "Monthly Active Editors", "-5", "+0.25", "-1.5E+3", "", "4 of 4", 12, None]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_gets_a_leading_apostrophe(payload):
    assert formula_risk(payload)
    assert neutralise_cell(payload) == f"'{payload}"


@pytest.mark.parametrize("value", SAFE)
def test_text_and_plain_numbers_are_left_as_they_are(value):
    assert not formula_risk(value)
    assert neutralise_cell(value) == value
