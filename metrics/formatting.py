"""The deck's number forms, in one place: pages, charts and the API all format through here.

    format_value(92000, unit="count", unit_suffix="/mo")    -> "92K/mo"
    format_value(7.6, unit="percent", unit_suffix="/mo")    -> "7.6%/mo"
    format_value(3.82, unit="index")                        -> "3.82"
    format_value(34, unit="percent", decimals=0)            -> "34%"
    format_yoy(Decimal("0.081"))                            -> "+8.1% YoY"
    cell_display(status, metric=..., segment=...)           -> "+8.1% YoY (92K/mo*)"
    key_result_display(status, milestone_total=4)           -> "2 of 4"
    plain_decimal(Decimal("92000.000000"))                  -> "92000"

Percent values are stored in percentage points (7.6 means 7.6%); YoY deltas as fractions
(0.081 means +8.1%). Rounding is half-up, as a person reading the slide expects.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

NO_STATUS = "-"

# Decimals printed when neither the segment nor the metric says otherwise.
DEFAULT_DECIMALS = {"count": 0, "percent": 1, "index": 2}
# Counts of a million and more print with one decimal ("1.2M") unless told otherwise.
MILLIONS_DEFAULT_DECIMALS = 1

ARROW_SYMBOLS = {"up": "↑", "down": "↓", "flat": "→"}

STATE_TEXTS = {
    "not_available": "not available",
    "measured_annually": "Measured annually",
    "no_data_yet": "no data yet",
    "paused": "paused",
}

# The deck prints "*" inline ("92K/mo*") and the other markers as superscripts set off by a
# space ("6.6%/mo †").
INLINE_MARKERS = {"*"}


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _round(value: Decimal, decimals: int) -> str:
    quantum = Decimal(1).scaleb(-decimals)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never print "-0.0"
    return f"{rounded:f}"


def format_number(value, *, unit: str, decimals: int | None = None) -> str:
    """The value without a suffix: "92K", "7.6%", "3.82"."""
    if value is None:
        return ""
    number = _decimal(value)
    if unit == "percent":
        return f"{_round(number, DEFAULT_DECIMALS['percent'] if decimals is None else decimals)}%"
    if unit == "index":
        return _round(number, DEFAULT_DECIMALS["index"] if decimals is None else decimals)
    magnitude = abs(number)
    if magnitude >= 1_000_000:
        scaled = number / 1_000_000
        text = _round(scaled, MILLIONS_DEFAULT_DECIMALS if decimals is None else decimals)
        return f"{text}M"
    if magnitude >= 1_000:
        return f"{_round(number / 1_000, DEFAULT_DECIMALS['count'] if decimals is None else decimals)}K"
    return _round(number, DEFAULT_DECIMALS["count"] if decimals is None else decimals)


def format_value(value, *, unit: str, unit_suffix: str = "", decimals: int | None = None) -> str:
    """A value as the deck prints it: "92K/mo", "99K", "7.6%/mo", "3.82", "34%"."""
    if value is None:
        return ""
    return f"{format_number(value, unit=unit, decimals=decimals)}{unit_suffix}"


def format_yoy(delta, *, decimals: int = 1) -> str:
    """A year-over-year change given as a fraction: 0.081 -> "+8.1% YoY"."""
    if delta is None:
        return ""
    percent = _decimal(delta) * 100
    text = _round(percent, decimals)
    sign = "" if text.startswith("-") else "+"
    return f"{sign}{text}% YoY"


def with_markers(text: str, markers: str) -> str:
    if not markers:
        return text
    if markers in INLINE_MARKERS:
        return f"{text}{markers}"
    return f"{text} {markers}"


def decimals_for(metric, segment=None) -> int | None:
    """The segment's display_decimals, else the metric's, else None (the unit's default)."""
    for source in (segment, metric):
        decimals = getattr(source, "display_decimals", None)
        if decimals is not None:
            return decimals
    return None


def arrow_tone(arrow: str, direction: str) -> str:
    """Whether a move is good for the metric: for a decrease metric ↓ is good and ↑ bad."""
    if not arrow:
        return ""
    if direction == "increase":
        return {"up": "good", "down": "bad"}.get(arrow, "neutral")
    if direction == "decrease":
        return {"down": "good", "up": "bad"}.get(arrow, "neutral")
    if direction == "maintain":
        return "good" if arrow == "flat" else "neutral"
    return "neutral"


@dataclass(frozen=True)
class CellParts:
    """One cell split the way the deck sets it: the bold `lead` (a YoY change or a value) with
    its markers, the state text when there is no figure, the value in brackets after a YoY
    change, the label ("Youth") and the trend arrow."""

    state_text: str = ""
    state_markers: str = ""
    lead: str = ""
    lead_markers: str = ""
    label: str = ""
    label_before: bool = False
    detail: str = ""
    detail_markers: str = ""
    arrow: str = ""

    @property
    def arrow_symbol(self) -> str:
        return ARROW_SYMBOLS.get(self.arrow, "")

    @property
    def text(self) -> str:
        pieces = []
        if self.state_text:
            pieces.append(f"{self.state_text}{self.state_markers}")
        if self.label and self.label_before:
            pieces.append(self.label)
        if self.lead:
            pieces.append(with_markers(self.lead, self.lead_markers))
        if self.label and not self.label_before:
            pieces.append(self.label)
        if self.detail:
            pieces.append(f"({with_markers(self.detail, self.detail_markers)})")
        if self.arrow_symbol:
            pieces.append(f"({self.arrow_symbol})")
        return " ".join(pieces) or NO_STATUS


def cell_parts(status, *, metric, segment=None, label: str | None = None) -> CellParts:
    """Split one QuarterlyStatus (or None: no status) into the pieces the deck prints.

    `metric` supplies unit, suffix, decimals and the quarter an annual metric is measured in;
    `segment` may override the decimals; `label` is printed after a value that stands without
    a YoY change ("13.9% Youth (↓)"), by default the segment's or metric's short label.
    """
    if status is None:
        return CellParts()
    if label is None:
        label = getattr(segment, "short_label", "") or getattr(metric, "short_label", "")
    value_text = format_value(
        status.value,
        unit=metric.unit,
        unit_suffix=metric.unit_suffix,
        decimals=decimals_for(metric, segment),
    )
    state = status.state
    if state == "measured_annually":
        text = STATE_TEXTS[state]
        if metric.measured_in_quarter:
            text = f"{text} Q{metric.measured_in_quarter}"
        return CellParts(state_text=text, state_markers=status.state_markers)
    if state in ("no_data_yet", "paused"):
        return CellParts(state_text=STATE_TEXTS[state], state_markers=status.state_markers)
    if state == "not_available":
        return CellParts(
            state_text=STATE_TEXTS[state],
            state_markers=status.state_markers,
            detail=value_text,
            detail_markers=status.footnote_markers,
        )
    if status.yoy_delta is not None:
        return CellParts(
            lead=format_yoy(status.yoy_delta),
            detail=value_text,
            detail_markers=status.footnote_markers,
        )
    if not value_text:
        return CellParts()
    return CellParts(
        lead=value_text,
        lead_markers=status.footnote_markers,
        label=label,
        # The deck names the group before a score ("Organizers 3.69") and after a share
        # ("29% Women", "13.9% Youth").
        label_before=metric.unit == "index",
        arrow=status.arrow,
    )


def parts_with_markers(parts: CellParts, markers: str) -> CellParts:
    """The cell as a key-result table prints it with its own markers: "(71K/mo +o)" where
    the metrics table prints "(71K/mo +)", and "(6.6%/mo +#)" where it prints
    "not available# (6.6%/mo †)" (the state's marker joins the figure's, the state is not
    spelled out)."""
    if parts.detail:
        return replace(parts, state_text="", state_markers="", detail_markers=markers)
    if parts.lead:
        return replace(parts, lead_markers=markers)
    return parts


def cell_display(status, *, metric, segment=None, label: str | None = None) -> str:
    """One cell as plain text: "+8.1% YoY (92K/mo*)", "not available# (6.6%/mo †)",
    "Measured annually Q2", "no data yet", "paused", "34% Unsafe (↓)", "-" without a status."""
    return cell_parts(status, metric=metric, segment=segment, label=label).text


def key_result_display(status, milestone_total) -> str:
    """A key result's cell as plain text: its text, its state, "2 of 4", a number or a tick;
    NO_STATUS without a status."""
    if status is None:
        return NO_STATUS
    reported = status.state == "reported"
    if status.text:
        # The text is what the deck prints, states included ("Measured Semi-Annually Q2-Q4").
        display = status.text
    elif not reported:
        display = STATE_TEXTS.get(status.state, status.state)
    elif status.milestones_done is not None:
        display = (
            f"{status.milestones_done} of {milestone_total}"
            if milestone_total
            else str(status.milestones_done)
        )
    elif status.number is not None:
        number = _decimal(status.number)
        display = format_number(
            number, unit="count", decimals=max(0, -number.normalize().as_tuple().exponent)
        )
    elif status.is_done:
        display = "✓"
    else:
        display = NO_STATUS
    if status.is_done and status.text and reported:
        display = f"✓ {display}"
    return display


def plain_decimal(value, *, grouped: bool = False) -> str:
    """A stored number exactly, as a person types it: no trailing zeros, no exponent, never
    "-0": 92000.000000 -> "92000", 7.600000 -> "7.6", 0.000001 -> "0.000001"; grouped:
    "92,000". The one plain form of a decimal: history keeps values in it, forms prefill it,
    names and hover texts print it; plain_decimal_sql is its SQL twin for the recompute."""
    number = _decimal(value)
    if not number.is_finite():
        return str(value)
    normalized = number.normalize()
    if normalized == 0:
        normalized = Decimal(0)
    text = f"{normalized:f}"
    if not grouped:
        return text
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-')):,}"
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"


def plain_decimal_sql(expression: str, *, vendor: str) -> str:
    """SQL for plain_decimal(expression) on a value column (tested to agree in
    tests/formatting/test_plain_decimal.py). For statements run with parameters: "%%" stands
    for "%"."""
    if vendor == "postgresql":
        return f"CAST(trim_scale({expression}) AS TEXT)"
    # SQLite keeps decimals as INTEGER or REAL; its text of a REAL is the 15 significant
    # digits Django reads back, except below 1e-4, where it switches to an exponent.
    return (
        f"CASE WHEN {expression} = CAST({expression} AS INTEGER) "
        f"THEN CAST(CAST({expression} AS INTEGER) AS TEXT) "
        f"WHEN ABS({expression}) < 0.0001 "
        f"THEN rtrim(rtrim(printf('%%.6f', {expression}), '0'), '.') "
        f"ELSE CAST({expression} AS TEXT) END"
    )


def format_plain(value) -> str:
    """A stored number as a person writes it, without the unit's rounding: 6.100000 -> "6.1",
    92000 -> "92,000", 0.0810 -> "0.081". Used where the exact figure matters (history)."""
    if value is None or value == "":
        return ""
    return plain_decimal(value, grouped=True)


def possessive(name) -> str:
    """A name's possessive in English: "Product's", and "Communications'" for a name that
    ends in s (never "Communications's"). Other languages put the name in their own
    construction ("el estado de %(departments)s"): the name alone."""
    from django.utils.translation import get_language

    name = str(name)
    if not (get_language() or "en").startswith("en"):
        return name
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"
