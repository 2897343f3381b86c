"""Errors the write services raise; views turn them into form errors, the API into 409/400."""


class ConflictError(Exception):
    """Someone else saved the row since it was read (optimistic version check failed)."""

    def __init__(self, current, message: str | None = None):
        self.current = current
        super().__init__(
            message
            or f"{current} was changed by someone else (now version {current.version}); "
            "review their value and save again."
        )


class LockedError(Exception):
    """The department's quarter is locked: its figures can no longer be edited."""
