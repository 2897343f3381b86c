"""Constant queries that every request runs (the data version, the overview's recompute
strip), compiled to SQL once per process: compiling cost more than running them."""

from collections.abc import Callable
from functools import lru_cache

from django.db import connection
from django.db.models import QuerySet


def compiled_first_row(build: Callable[[], QuerySet], *, datetime_columns=()) -> tuple | None:
    """The first row of the `values_list()` query `build()` makes (None without one), its
    SQL compiled once per process and database. `build` must be a module-level function (it
    keys the compiled SQL) and its query constant. The columns at `datetime_columns` come
    back as datetimes on every database (SQLite returns text)."""
    sql, params = _sql(build, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    if row is None or convert is None:
        return row
    return tuple(
        convert(value, None, connection) if index in datetime_columns else value
        for index, value in enumerate(row)
    )


@lru_cache(maxsize=16)
def _sql(build: Callable[[], QuerySet], vendor: str) -> tuple[str, tuple]:
    sql, params = build().query.sql_with_params()
    return sql, tuple(params)
