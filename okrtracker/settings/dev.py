"""Local development: the embedded default (SQLite, eager Celery, DEBUG on)."""

import os

os.environ.setdefault("DEBUG", "1")

from .base import *  # noqa: E402,F403
