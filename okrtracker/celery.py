import os

from celery import Celery

# This module is imported by okrtracker/__init__.py, so it runs before wsgi.py, asgi.py or a
# `celery -A okrtracker` worker choose their settings: whatever it sets wins. It must be the
# production default (manage.py and the Makefile's dev targets pick dev explicitly), or every
# deployment would silently run the dev settings with DEBUG on.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okrtracker.settings.production")

app = Celery("okrtracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Request ids follow tasks (headers), and the worker logs through Django's LOGGING.
from okrtracker.logs import celery_signals_connect  # noqa: E402

celery_signals_connect()
