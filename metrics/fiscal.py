"""The fiscal calendar: which dates a fiscal quarter covers and how it is labelled.

A fiscal year is identified by the calendar year it starts in. With the default start month
(July) fiscal year 2020 is "FY20-21" and runs 2020-07-01 to 2021-06-30; its Q2 is Oct-Dec 2020.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

# The fiscal years anything may be recorded in, checked by every form, API field, filter
# and URL that takes one: the two-digit labels (FY20-21) are unambiguous within a century,
# and nobody reports further ahead than a few years.
FIRST_FISCAL_YEAR = 1950
YEARS_AHEAD = 5


def last_fiscal_year(today: date | None = None) -> int:
    """The last fiscal year a quarter may lie in; it moves with today."""
    return (today or date.today()).year + YEARS_AHEAD


def is_valid_fiscal_year(fiscal_year: int, today: date | None = None) -> bool:
    return FIRST_FISCAL_YEAR <= fiscal_year <= last_fiscal_year(today)


def start_month() -> int:
    return settings.FISCAL_YEAR_START_MONTH


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


@dataclass(frozen=True)
class FiscalQuarter:
    fiscal_year: int
    number: int

    def __post_init__(self):
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"A fiscal quarter is 1 to 4, not {self.number}.")

    @property
    def start_date(self) -> date:
        year, month = _add_months(self.fiscal_year, start_month(), 3 * (self.number - 1))
        return date(year, month, 1)

    @property
    def end_date(self) -> date:
        year, month = _add_months(self.fiscal_year, start_month(), 3 * self.number)
        return date(year, month, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"Q{self.number} {fiscal_year_label(self.fiscal_year)}"

    def shifted(self, quarters: int) -> "FiscalQuarter":
        index = self.fiscal_year * 4 + (self.number - 1) + quarters
        return FiscalQuarter(index // 4, index % 4 + 1)

    def year_earlier(self) -> "FiscalQuarter":
        return FiscalQuarter(self.fiscal_year - 1, self.number)


def fiscal_year_label(fiscal_year: int) -> str:
    if start_month() == 1:
        return f"FY{fiscal_year}"
    return f"FY{fiscal_year % 100:02d}-{(fiscal_year + 1) % 100:02d}"


def fiscal_year_of(day: date) -> int:
    return day.year if day.month >= start_month() else day.year - 1


def quarter_of(day: date) -> FiscalQuarter:
    fiscal_year = fiscal_year_of(day)
    months_in = (day.month - start_month()) % 12
    return FiscalQuarter(fiscal_year, months_in // 3 + 1)


def months_later(day: date, months: int) -> date:
    """The first day of the month `months` after day's month (backfill's periods)."""
    year, month = _add_months(day.year, day.month, months)
    return date(year, month, 1)


def day_year_earlier(day: date) -> date:
    """The same day a year earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def month_end(day: date) -> date:
    year, month = _add_months(day.year, day.month, 1)
    return date(year, month, 1) - timedelta(days=1)


# --- The fiscal quarter as one integer, in Python and in SQL ------------------------------
# The recompute works on quarter indexes (fiscal_year * 4 + number - 1) in SQL; these are the
# one Python/SQL pair for "the fiscal quarter of a date", tested to agree on every quarter of
# 2000-2100 on SQLite and PostgreSQL (tests/test_fiscal_sql.py). "A year earlier" is then
# QUARTERS_PER_YEAR indexes back: the recompute's window frame (RANGE BETWEEN
# QUARTERS_PER_YEAR PRECEDING AND QUARTERS_PER_YEAR PRECEDING) reads it.

QUARTERS_PER_YEAR = 4


def quarter_index(quarter: FiscalQuarter) -> int:
    return quarter.fiscal_year * QUARTERS_PER_YEAR + quarter.number - 1


def quarter_index_sql(column: str, *, vendor: str) -> str:
    """SQL for quarter_index(quarter_of(date column)). For statements run with parameters:
    "%%" stands for "%"."""
    if vendor == "postgresql":
        month_index = (
            f"(CAST(date_part('year', {column}) AS INTEGER) * 12"
            f" + CAST(date_part('month', {column}) AS INTEGER) - 1)"
        )
    else:
        month_index = (
            f"(CAST(strftime('%%Y', {column}) AS INTEGER) * 12"
            f" + CAST(strftime('%%m', {column}) AS INTEGER) - 1)"
        )
    # Month indexes are never negative for years >= 1, so integer division floors alike on
    # both backends.
    return f"(({month_index} - {start_month() - 1}) / 3)"
