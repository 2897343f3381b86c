"""Production: base with DEBUG off; SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL come from the
environment (base refuses to start without SECRET_KEY)."""

import os

os.environ["DEBUG"] = "0"
# One JSON object a log line, for the log collector (LOG_FORMAT=text to read them by eye).
os.environ.setdefault("LOG_FORMAT", "json")

from .base import *  # noqa: E402,F403
