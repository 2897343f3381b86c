"""The fiscal calendar: which dates a fiscal quarter covers and how it is labelled.

A fiscal year is identified by the calendar year it starts in. With the default start month
(July) fiscal year 2020 is "FY20-21" and runs 2020-07-01 to 2021-06-30; its Q2 is Oct-Dec 2020.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings


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

    def contains(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


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


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    year, month = _add_months(day.year, day.month, 1)
    return date(year, month, 1) - timedelta(days=1)
