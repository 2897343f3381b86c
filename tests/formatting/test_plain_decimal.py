"""A decimal as plain text has one Python form (formatting.plain_decimal), used by history,
the check-in forms, names and chart hover texts, and one SQL twin (plain_decimal_sql) used by
the recompute's history rows. The two agree on values as the database stores them."""

from decimal import Decimal

import pytest
from django.db import connection, models

from metrics.formatting import format_plain, plain_decimal, plain_decimal_sql
from metrics.forms.checkin import number_text
from metrics.services.history import history_value

SAMPLE = [
    "0",
    "-0.000000",
    "92000.000000",
    "7.600000",
    "0.081000",
    "0.000001",
    "-0.000010",
    "0.0001",
    "-12.5",
    "1.000001",
    "123456789.123456",
    "12345678901234.5",
    "99999999999999",
    "-99999999999999",
    "0.1",
    "33.333333",
]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("92000.000000", "92000"),
        ("7.600000", "7.6"),
        ("0.000001", "0.000001"),
        ("-0.000000", "0"),
        ("1E+5", "100000"),
        ("-12.50", "-12.5"),
    ],
)
def test_a_decimal_prints_without_trailing_zeros_exponent_or_minus_zero(value, text):
    assert plain_decimal(Decimal(value)) == text


def test_grouped_digits_for_reading():
    assert plain_decimal(Decimal("-1234567.500"), grouped=True) == "-1,234,567.5"
    assert format_plain(Decimal("92000.000000")) == "92,000"


@pytest.mark.parametrize("value", SAMPLE)
def test_history_and_the_checkin_form_use_the_one_form(value):
    assert history_value(Decimal(value)) == plain_decimal(Decimal(value))
    assert number_text(Decimal(value)) == plain_decimal(Decimal(value))


@pytest.mark.django_db
def test_the_sql_form_agrees_with_the_python_form_on_stored_values():
    """Values go through a column of the value fields' type, so the SQL reads what the
    recompute reads, and Python reads them back as the ORM does."""
    field = models.DecimalField(max_digits=20, decimal_places=6)
    field.set_attributes_from_name("v")
    column_type = field.db_type(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE plain_sample (i integer, v {column_type})")
        for index, value in enumerate(SAMPLE):
            cursor.execute(
                "INSERT INTO plain_sample VALUES (%s, %s)",
                [index, connection.ops.adapt_decimalfield_value(Decimal(value), 20, 6)],
            )
        sql = plain_decimal_sql("v", vendor=connection.vendor)
        cursor.execute(f"SELECT i, v, {sql} FROM plain_sample ORDER BY i", [])
        rows = cursor.fetchall()
        cursor.execute("DROP TABLE plain_sample")
    column = models.expressions.Col("plain_sample", field)
    converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
    for index, stored, text in rows:
        for converter in converters:
            stored = converter(stored, column, connection)
        assert text == plain_decimal(stored), (SAMPLE[index], stored, text)
