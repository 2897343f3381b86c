"""Production: base with DEBUG off; SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL come from the
environment (base refuses to start without SECRET_KEY)."""

import os

os.environ["DEBUG"] = "0"

from .base import *  # noqa: E402,F403
