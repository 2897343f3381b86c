from datetime import date

import pytest
from django.db import IntegrityError

from metrics.fiscal import FiscalQuarter, quarter_of
from metrics.models import Quarter


def test_q2_fy20_21_runs_october_to_december_2020():
    quarter = FiscalQuarter(2020, 2)
    assert (quarter.start_date, quarter.end_date) == (date(2020, 10, 1), date(2020, 12, 31))
    assert quarter.label == "Q2 FY20-21"


def test_q3_crosses_into_the_next_calendar_year():
    quarter = FiscalQuarter(2020, 3)
    assert (quarter.start_date, quarter.end_date) == (date(2021, 1, 1), date(2021, 3, 31))


def test_quarter_of_a_date_follows_the_fiscal_year():
    assert quarter_of(date(2020, 7, 1)) == FiscalQuarter(2020, 1)
    assert quarter_of(date(2021, 6, 30)) == FiscalQuarter(2020, 4)
    assert quarter_of(date(2020, 6, 30)) == FiscalQuarter(2019, 4)


def test_start_month_is_configurable(settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    quarter = FiscalQuarter(2021, 2)
    assert (quarter.start_date, quarter.end_date) == (date(2021, 4, 1), date(2021, 6, 30))
    assert quarter.label == "Q2 FY2021"


def test_year_earlier_and_shift():
    assert FiscalQuarter(2020, 2).year_earlier() == FiscalQuarter(2019, 2)
    assert FiscalQuarter(2020, 4).shifted(1) == FiscalQuarter(2021, 1)
    assert FiscalQuarter(2020, 1).shifted(-1) == FiscalQuarter(2019, 4)


@pytest.mark.django_db
def test_saved_quarter_takes_its_dates_from_the_calendar():
    quarter = Quarter.objects.create(fiscal_year=2020, number=2)
    quarter.refresh_from_db()
    assert (quarter.start_date, quarter.end_date) == (date(2020, 10, 1), date(2020, 12, 31))
    assert str(quarter) == "Q2 FY20-21"


@pytest.mark.django_db
def test_quarter_number_outside_one_to_four_is_rejected():
    with pytest.raises(ValueError):
        Quarter.objects.create(fiscal_year=2020, number=5)
    with pytest.raises(IntegrityError):
        Quarter.objects.bulk_create(
            [
                Quarter(
                    fiscal_year=2020,
                    number=5,
                    start_date=date(2021, 7, 1),
                    end_date=date(2021, 9, 30),
                )
            ]
        )
