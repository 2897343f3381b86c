"""The Python and SQL forms of "the fiscal quarter of a date" agree on every quarter of
2000-2100, on the database the suite runs on (SQLite here, PostgreSQL in CI), for the default
fiscal year (July) and a calendar one; and "a year earlier" is QUARTERS_PER_YEAR indexes back,
which is what the recompute's window frame reads."""

from datetime import timedelta

import pytest
from django.db import connection

from metrics.fiscal import (
    QUARTERS_PER_YEAR,
    FiscalQuarter,
    quarter_index,
    quarter_index_sql,
    quarter_of,
)

pytestmark = pytest.mark.django_db


def days_of_every_quarter():
    """The first, a middle and the last day of every fiscal quarter of 2000-2100."""
    for fiscal_year in range(2000, 2101):
        for number in (1, 2, 3, 4):
            quarter = FiscalQuarter(fiscal_year, number)
            yield quarter.start_date
            yield quarter.start_date + timedelta(days=45)
            yield quarter.end_date


@pytest.mark.parametrize("start_month", [7, 1])
def test_the_sql_and_python_forms_agree_on_every_quarter_of_2000_to_2100(settings, start_month):
    settings.FISCAL_YEAR_START_MONTH = start_month
    days = list(days_of_every_quarter())
    index = quarter_index_sql("day", vendor=connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE fiscal_days (n INTEGER, day DATE)")
        cursor.executemany(
            "INSERT INTO fiscal_days (n, day) VALUES (%s, %s)",
            [(n, day.isoformat()) for n, day in enumerate(days)],
        )
        cursor.execute(f"SELECT {index} FROM fiscal_days ORDER BY n", [])
        from_sql = [row[0] for row in cursor.fetchall()]
        cursor.execute("DROP TABLE fiscal_days")

    from_python = [quarter_index(quarter_of(day)) for day in days]
    assert len(from_sql) == len(days) == 101 * 4 * 3
    assert from_sql == from_python
    assert all(
        quarter_index(quarter_of(day)) - QUARTERS_PER_YEAR
        == quarter_index(quarter_of(day).year_earlier())
        for day in days
    )
