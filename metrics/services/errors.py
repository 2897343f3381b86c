"""Errors the write services raise; views turn them into form errors, the API into 409/400."""

from django.utils.translation import gettext as _


class ConflictError(Exception):
    """Someone else saved the row since it was read (optimistic version check failed)."""

    def __init__(self, current, message: str | None = None):
        self.current = current
        super().__init__(
            message
            or _(
                "%(row)s was changed by someone else (now version %(version)s); "
                "review their value and save again."
            )
            % {"row": current, "version": current.version}
        )


class LockedError(Exception):
    """The department's quarter is locked: its figures can no longer be edited."""


# PostgreSQL's "deadlock detected" and "could not serialize access": the transaction was
# rolled back whole and running it again is expected to succeed.
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})


def is_transient(error: Exception) -> bool:
    """Whether a database error is a deadlock or serialisation failure (psycopg 2 or 3)."""
    cause = error.__cause__ or error
    return (getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)) in (
        TRANSIENT_SQLSTATES
    )
