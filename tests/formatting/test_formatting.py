from decimal import Decimal
from types import SimpleNamespace

import pytest

from metrics.formatting import (
    arrow_tone,
    cell_display,
    cell_parts,
    decimals_for,
    format_value,
    format_yoy,
)


def metric(**overrides):
    fields = {
        "unit": "count",
        "unit_suffix": "/mo",
        "display_decimals": None,
        "measured_in_quarter": None,
        "short_label": "",
    }
    fields.update(overrides)
    return SimpleNamespace(**fields)


def status(**overrides):
    fields = {
        "state": "reported",
        "value": None,
        "yoy_delta": None,
        "arrow": "",
        "footnote_markers": "",
        "state_markers": "",
    }
    fields.update(overrides)
    return SimpleNamespace(**fields)


@pytest.mark.parametrize(
    ("value", "unit", "suffix", "decimals", "expected"),
    [
        (92000, "count", "/mo", None, "92K/mo"),
        (99000, "count", "", None, "99K"),
        (Decimal("23400"), "count", "/mo", None, "23K/mo"),
        (540, "count", "", None, "540"),
        (1_000_000, "count", "", None, "1.0M"),
        (Decimal("7.6"), "percent", "/mo", None, "7.6%/mo"),
        (Decimal("3.82"), "index", "", None, "3.82"),
        (34, "percent", "", 0, "34%"),
        (Decimal("15.0"), "percent", "", None, "15.0%"),
        (Decimal("4.07"), "index", "", None, "4.07"),
    ],
)
def test_format_value_prints_the_decks_forms(value, unit, suffix, decimals, expected):
    assert format_value(value, unit=unit, unit_suffix=suffix, decimals=decimals) == expected


def test_format_value_rounds_half_up():
    assert format_value(Decimal("7.65"), unit="percent") == "7.7%"
    assert format_value(Decimal("92500"), unit="count") == "93K"


def test_format_value_of_nothing_is_empty():
    assert format_value(None, unit="count", unit_suffix="/mo") == ""


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (Decimal("0.081"), "+8.1% YoY"),
        (Decimal("-0.052"), "-5.2% YoY"),
        (Decimal("0.06"), "+6.0% YoY"),
        (Decimal("0.1074"), "+10.7% YoY"),
        (Decimal("0"), "+0.0% YoY"),
        (Decimal("-0.0001"), "+0.0% YoY"),
    ],
)
def test_format_yoy_signs_and_rounds_to_one_decimal(delta, expected):
    assert format_yoy(delta) == expected


def test_segment_decimals_override_metric_which_override_unit_default():
    assert decimals_for(metric(display_decimals=1), SimpleNamespace(display_decimals=0)) == 0
    assert decimals_for(metric(display_decimals=1), SimpleNamespace(display_decimals=None)) == 1
    assert decimals_for(metric()) is None


def test_cell_with_yoy_prints_change_then_value_with_inline_asterisk():
    cell = status(value=Decimal("92000"), yoy_delta=Decimal("0.081"), footnote_markers="*")
    assert cell_display(cell, metric=metric()) == "+8.1% YoY (92K/mo*)"


def test_cell_with_superscript_marker_sets_it_off_by_a_space():
    cell = status(value=Decimal("71000"), yoy_delta=Decimal("0.06"), footnote_markers="+")
    assert cell_display(cell, metric=metric()) == "+6.0% YoY (71K/mo +)"


def test_not_available_cell_keeps_the_value_and_both_markers():
    cell = status(
        state="not_available", value=Decimal("6.6"), state_markers="#", footnote_markers="†"
    )
    retention = metric(unit="percent", unit_suffix="/mo")
    assert cell_display(cell, metric=retention) == "not available# (6.6%/mo †)"


def test_measured_annually_names_the_quarter():
    survey = metric(unit="index", unit_suffix="", measured_in_quarter=2)
    assert cell_display(status(state="measured_annually"), metric=survey) == (
        "Measured annually Q2"
    )


@pytest.mark.parametrize(
    ("state", "expected"), [("no_data_yet", "no data yet"), ("paused", "paused")]
)
def test_states_without_figures(state, expected):
    assert cell_display(status(state=state), metric=metric()) == expected


def test_value_with_label_and_arrow():
    safety = metric(unit="percent", unit_suffix="", display_decimals=0)
    unsafe = SimpleNamespace(short_label="Unsafe", display_decimals=None)
    cell = status(value=Decimal("34"), arrow="down")
    assert cell_display(cell, metric=safety, segment=unsafe) == "34% Unsafe (↓)"


def test_metric_short_label_used_without_segment():
    youth = metric(unit="percent", unit_suffix="", short_label="Youth")
    cell = status(value=Decimal("13.9"), arrow="down")
    assert cell_display(cell, metric=youth) == "13.9% Youth (↓)"


def test_index_value_with_arrow_only():
    empowerment = metric(unit="index", unit_suffix="")
    assert cell_display(status(value=Decimal("3.82"), arrow="up"), metric=empowerment) == (
        "3.82 (↑)"
    )


def test_no_status_is_a_dash():
    assert cell_display(None, metric=metric()) == "-"


def test_cell_parts_separate_bold_lead_from_bracketed_value():
    parts = cell_parts(
        status(value=Decimal("92000"), yoy_delta=Decimal("0.081"), footnote_markers="*"),
        metric=metric(),
    )
    assert (parts.lead, parts.detail, parts.detail_markers) == ("+8.1% YoY", "92K/mo", "*")


@pytest.mark.parametrize(
    ("arrow", "direction", "tone"),
    [
        ("up", "increase", "good"),
        ("down", "increase", "bad"),
        ("down", "decrease", "good"),
        ("up", "decrease", "bad"),
        ("flat", "maintain", "good"),
        ("", "increase", ""),
    ],
)
def test_arrow_tone_depends_on_direction(arrow, direction, tone):
    assert arrow_tone(arrow, direction) == tone


def test_label_precedes_an_index_score():
    supported = metric(unit="index", unit_suffix="")
    organizers = SimpleNamespace(short_label="Organizers", display_decimals=None)
    cell = status(value=Decimal("3.69"), arrow="up")
    assert cell_display(cell, metric=supported, segment=organizers) == "Organizers 3.69 (↑)"
