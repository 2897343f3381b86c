"""Local development: the embedded default (SQLite, eager Celery, DEBUG on)."""

import os

os.environ.setdefault("DEBUG", "1")
# runserver answers each request in a thread of its own, so a persistent connection is never
# reused and lingers after its thread: hundreds of them exhaust PostgreSQL's max_connections.
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "0")

from .base import *  # noqa: E402,F403
