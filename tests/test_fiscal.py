"""The fiscal calendar's one home (metrics/fiscal.py): stored quarters and the backfill's
periods are derived from it."""

from datetime import date

import pytest

from metrics.fiscal import FiscalQuarter, months_later
from metrics.models import Quarter


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2020, 7, 1), 0, date(2020, 7, 1)),
        (date(2020, 11, 15), 3, date(2021, 2, 1)),
        (date(2020, 12, 1), 1, date(2021, 1, 1)),
        (date(2021, 1, 1), -1, date(2020, 12, 1)),
        (date(2020, 7, 1), 24, date(2022, 7, 1)),
    ],
)
def test_months_later_is_the_first_of_the_month_so_many_months_on(day, months, expected):
    assert months_later(day, months) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("start_month", [1, 4, 7, 10])
def test_a_stored_quarter_takes_its_dates_and_label_from_the_fiscal_calendar(settings, start_month):
    settings.FISCAL_YEAR_START_MONTH = start_month
    for number in (1, 2, 3, 4):
        stored = Quarter.objects.get_or_create_fiscal(2020, number)
        fiscal = FiscalQuarter(2020, number)
        assert (stored.start_date, stored.end_date, stored.label) == (
            fiscal.start_date,
            fiscal.end_date,
            fiscal.label,
        )
        stored.delete()


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2021, 10, 1), date(2020, 10, 1)),
        (date(2024, 2, 29), date(2023, 2, 28)),
    ],
)
def test_a_day_a_year_earlier(day, expected):
    from metrics.fiscal import day_year_earlier

    assert day_year_earlier(day) == expected
