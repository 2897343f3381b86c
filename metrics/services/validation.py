"""Checks shared by the write services: numbers as people type them, values that fit the
metric's unit, periods that fit the metric's cadence. Each raises django's ValidationError
with a field dict, which forms show next to the field and the API returns as a 400."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from metrics.fiscal import (
    FIRST_FISCAL_YEAR,
    FiscalQuarter,
    is_valid_fiscal_year,
    last_fiscal_year,
    month_end,
    quarter_of,
)
from metrics.models import Cadence, ChangeSource, Metric, Quarter, Segment, Unit
from metrics.parsing import ascii_int as ascii_int  # read here by the forms, views and API

# The value columns hold 20 digits, 6 of them after the point.
MAX_INTEGER_DIGITS = 14
DECIMAL_PLACES = 6
MAX_MARKDOWN_CHARS = 50_000

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_THOUSANDS = re.compile(r"(?<=\d)[,_ '\u00a0\u202f](?=\d{3}\b)")


def parse_number(raw, *, field: str = "value") -> Decimal | None:
    """A number as typed: 92000, "92,000", "7.6", "7.6%". Blank is None. Anything else
    (text, NaN, infinity, too many digits) is a ValidationError on `field`."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValidationError({field: _("Enter a number, e.g. 92000 or 7.6.")})
    if isinstance(raw, Decimal | int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        number = Decimal(repr(raw))
    else:
        text = str(raw).strip()
        if text == "":
            return None
        text = _THOUSANDS.sub("", text).removesuffix("%").strip()
        if not text.isascii():  # Decimal() would read "٩٢" as 92
            raise ValidationError(
                {
                    field: _("“%(raw)s” is not a number; use the digits 0-9, e.g. 92000.")
                    % {"raw": str(raw)[:40]}
                }
            )
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                {
                    field: _("“%(raw)s” is not a number; enter e.g. 92000 or 7.6.")
                    % {"raw": str(raw)[:40]}
                }
            ) from None
    if not number.is_finite():
        raise ValidationError({field: _("Enter a finite number.")})
    # adjusted() reads the exponent without arithmetic, which 1e100000000000 would overflow.
    if number and number.adjusted() >= MAX_INTEGER_DIGITS:
        raise ValidationError(
            {field: _("Too large: at most %(digits)s digits.") % {"digits": MAX_INTEGER_DIGITS}}
        )
    if _too_precise(number):
        raise ValidationError(
            {
                field: _("At most %(places)s decimal places (“%(raw)s” has more).")
                % {"places": DECIMAL_PLACES, "raw": str(raw)[:40]}
            }
        )
    if number.is_zero():
        return Decimal(0)  # not -0 or 0E-7
    exponent = number.as_tuple().exponent
    if exponent < -DECIMAL_PLACES:  # trailing zeros only ("7.6000000"): exact at 6 places
        number = number.quantize(Decimal(1).scaleb(-DECIMAL_PLACES))
    return number


def _too_precise(number: Decimal) -> bool:
    """More than DECIMAL_PLACES significant decimals (7.6000000 is fine, 1e-7 is not)."""
    exponent = number.normalize().as_tuple().exponent if number else 0
    return isinstance(exponent, int) and exponent < -DECIMAL_PLACES


def validate_value_for_unit(value: Decimal | None, *, unit: str, field: str = "value") -> None:
    """A percentage lies between 0 and 100, a count is never negative."""
    if value is None:
        return
    if unit == Unit.PERCENT and not (0 <= value <= 100):
        raise ValidationError({field: _("A percentage lies between 0 and 100.")})
    if unit == Unit.COUNT and value < 0:
        raise ValidationError({field: _("A count cannot be negative.")})


def validate_segment(metric: Metric, segment: Segment | None) -> None:
    if segment is not None and segment.metric_id != metric.pk:
        raise ValidationError(
            {
                "segment": _("“%(segment)s” is not a segment of %(metric)s.")
                % {"segment": segment.name, "metric": metric.name}
            }
        )


def validate_source(source: str) -> None:
    if source not in ChangeSource.values:
        raise ValidationError(
            {"source": _("Unknown change source “%(source)s”.") % {"source": source}}
        )


def validate_known_fields(fields, allowed) -> None:
    """A field the caller may not set through this service is an error on that field."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), _("This field cannot be set here.")))


def validate_markdown_length(fields: dict) -> None:
    errors = {
        name: _("At most %(limit)s characters.") % {"limit": f"{MAX_MARKDOWN_CHARS:,}"}
        for name, text in fields.items()
        if isinstance(text, str) and len(text) > MAX_MARKDOWN_CHARS
    }
    if errors:
        raise ValidationError(errors)


def quarter_resolve(quarter) -> Quarter:
    """A Quarter row for a Quarter, a FiscalQuarter or a (fiscal_year, number) pair. A quarter
    number outside 1-4 is a ValidationError on "quarter"."""
    if isinstance(quarter, Quarter):
        if quarter.number not in (1, 2, 3, 4):
            raise ValidationError({"quarter": _("A fiscal year has quarters 1 to 4.")})
        return quarter
    if isinstance(quarter, tuple):
        try:
            quarter = FiscalQuarter(int(quarter[0]), int(quarter[1]))
        except (ValueError, TypeError, IndexError):
            raise ValidationError({"quarter": _("A fiscal year has quarters 1 to 4.")}) from None
    if isinstance(quarter, FiscalQuarter):
        if not is_valid_fiscal_year(quarter.fiscal_year):
            raise ValidationError(
                {
                    "quarter": _("Choose a fiscal year from %(first)s to %(last)s.")
                    % {"first": FIRST_FISCAL_YEAR, "last": last_fiscal_year()}
                }
            )
        return Quarter.objects.get_or_create_fiscal(quarter.fiscal_year, quarter.number)
    raise ValidationError({"quarter": _("Choose a fiscal quarter.")})


def parse_date(raw, *, field: str) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw or "").strip()
    if _ISO_DATE.fullmatch(text):
        # The common form, without strptime's cost (a bulk upsert parses thousands).
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    # strptime reads any script's digits; a date here is written with 0-9.
    for pattern in ("%Y-%m-%d", "%Y-%m") if text.isascii() else ():
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(
        {field: _("“%(text)s” is not a date; use YYYY-MM-DD or YYYY-MM.") % {"text": text[:40]}}
    )


def period_for_metric(metric: Metric, period_start: date, period_end: date | None) -> date:
    """The period's last day, checked against the metric's cadence. Monthly metrics take
    calendar months or a whole fiscal quarter (a quarterly aggregate); quarterly metrics a
    fiscal quarter; semi-annual metrics a fiscal quarter or half-year; annual metrics only
    their measured quarter (or the whole fiscal year where no quarter is set). A period never
    lies in the future and never runs past its fiscal year. Returns period_end, derived from
    the cadence when not given."""
    if period_start > date.today():
        raise ValidationError({"period_start": _("A period cannot start in the future.")})
    if period_start.year < FIRST_FISCAL_YEAR:
        raise ValidationError(
            {"period_start": _("Periods start in %(year)s or later.") % {"year": FIRST_FISCAL_YEAR}}
        )
    fiscal = quarter_of(period_start)
    if period_end is None:
        period_end = month_end(period_start) if metric.cadence == Cadence.MONTHLY else None
        if period_end is None:
            period_end = fiscal.end_date
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    year_end = FiscalQuarter(fiscal.fiscal_year, 4).end_date
    if period_end > year_end:
        raise ValidationError(
            {
                "period_end": _("The period runs past the end of its fiscal year (%(end)s).")
                % {"end": year_end}
            }
        )
    check = _CADENCE_CHECKS.get(metric.cadence)
    if check is not None:
        check(metric, fiscal, period_start, period_end)
    return period_end


def _whole_quarter(fiscal: FiscalQuarter, start: date, end: date) -> bool:
    return start == fiscal.start_date and end == fiscal.end_date


def _check_monthly(metric: Metric, fiscal: FiscalQuarter, start: date, end: date) -> None:
    whole_month = start.day == 1 and end == month_end(start)
    if not (whole_month or _whole_quarter(fiscal, start, end)):
        raise ValidationError(
            {"period_start": _("A monthly metric takes calendar months (or a whole quarter).")}
        )


def _check_quarterly(metric: Metric, fiscal: FiscalQuarter, start: date, end: date) -> None:
    if not _whole_quarter(fiscal, start, end):
        raise ValidationError({"period_start": _("A quarterly metric takes whole quarters.")})


def _check_semiannual(metric: Metric, fiscal: FiscalQuarter, start: date, end: date) -> None:
    half_end = fiscal.shifted(1).end_date
    whole_half = fiscal.number in (1, 3) and start == fiscal.start_date and end == half_end
    if not (_whole_quarter(fiscal, start, end) or whole_half):
        raise ValidationError(
            {"period_start": _("A semi-annual metric takes a whole quarter or half-year.")}
        )


def _check_annual(metric: Metric, fiscal: FiscalQuarter, start: date, end: date) -> None:
    if metric.measured_in_quarter:
        if not _whole_quarter(fiscal, start, end) or fiscal.number != metric.measured_in_quarter:
            raise ValidationError(
                {
                    "period_start": _("This annual metric is measured in Q%(quarter)s only.")
                    % {"quarter": metric.measured_in_quarter}
                }
            )
        return
    year_start = FiscalQuarter(fiscal.fiscal_year, 1).start_date
    year_end = FiscalQuarter(fiscal.fiscal_year, 4).end_date
    if start != year_start or end != year_end:
        raise ValidationError({"period_start": _("An annual metric takes a fiscal year.")})


# The check of a period against each cadence (period_for_metric).
_CADENCE_CHECKS = {
    Cadence.MONTHLY: _check_monthly,
    Cadence.QUARTERLY: _check_quarterly,
    Cadence.SEMIANNUAL: _check_semiannual,
    Cadence.ANNUAL: _check_annual,
}
