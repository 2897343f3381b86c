"""Constant queries that every request runs (the data versions, the overview's recompute
strip), compiled to SQL once per process: compiling cost more than running them. A
per-process store of SQL text, never of data."""

from collections.abc import Callable
from functools import lru_cache

from django.db import connection
from django.db.models import QuerySet


def compiled_rows(build: Callable[[], QuerySet], *, datetime_columns=()) -> list[tuple]:
    """The rows of the `values_list()` query `build()` makes, its SQL compiled once per
    process and database. `build` must be a module-level function (it keys the compiled SQL)
    and its query constant. The columns at `datetime_columns` come back as datetimes on every
    database (SQLite returns text)."""
    sql, params = _sql(build, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    if convert is None or not datetime_columns:
        return rows
    return [
        tuple(
            convert(value, None, connection) if index in datetime_columns else value
            for index, value in enumerate(row)
        )
        for row in rows
    ]


def compiled_first_row(build: Callable[[], QuerySet], *, datetime_columns=()) -> tuple | None:
    """The first row of compiled_rows (None without one)."""
    rows = compiled_rows(build, datetime_columns=datetime_columns)
    return rows[0] if rows else None


@lru_cache(maxsize=16)
def _sql(build: Callable[[], QuerySet], vendor: str) -> tuple[str, tuple]:
    sql, params = build().query.sql_with_params()
    return sql, tuple(params)
