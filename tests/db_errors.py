"""PostgreSQL errors as Django raises them, for tests of what the services retry."""

from django.db import OperationalError


class PgError(Exception):
    def __init__(self, pgcode):
        super().__init__(pgcode)
        self.pgcode = pgcode


def database_error(pgcode: str) -> OperationalError:
    """40P01: a deadlock; 40001: a serialisation failure; anything else: not transient."""
    error = OperationalError("deadlock detected" if pgcode == "40P01" else "connection lost")
    error.__cause__ = PgError(pgcode)
    return error
