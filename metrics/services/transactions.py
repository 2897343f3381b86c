"""Running a service's transaction again when PostgreSQL rolled it back for a deadlock or a
serialisation failure.

Every write bumps the one data-version row in its own transaction, so two writes that touch
the same rows in different orders (a check-in save, an upsert, the recompute, a narrative
edit) can deadlock: PostgreSQL rolls one back whole, and running it again is expected to
succeed. The person gets the save, not a 503. Inside a caller's transaction the caller's
work was rolled back too, so only the caller can run it again: the error goes up.
"""

import functools
import logging
import time

from django.db import OperationalError, transaction

from metrics.services.errors import is_transient

logger = logging.getLogger(__name__)

ATTEMPTS = 3


def retried_when_transient(func):
    """Decorates a write service whose whole work is one transaction of its own."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return func(*args, **kwargs)
            except OperationalError as error:
                if attempt == ATTEMPTS or not is_transient(error):
                    raise
                if transaction.get_connection().in_atomic_block:
                    raise
                logger.warning(
                    "%s attempt %s failed (%s); retrying.", func.__name__, attempt, error
                )
                time.sleep(0.02 * 2**attempt)
        raise AssertionError("unreachable")

    return run
