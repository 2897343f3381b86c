"""A request id on every log line: of the request, and of the Celery tasks it starts.

`RequestIdMiddleware` takes the caller's `X-Request-ID` when it looks like an id (a load
balancer or another service's), else makes one, keeps it in a context variable for the
request and echoes it in the response. `RequestIdFilter` puts it on every log record
(`request_id`), which both formats print (`LOG_FORMAT=json|text`). A task published while
handling the request carries it in its message headers (`before_task_publish`), and the
worker sets it around the task (`task_prerun`/`task_postrun`), so the worker's lines for that
task carry the same id. Publishes made from the broker's sender thread keep it too
(`metrics/broker.py` runs them in the caller's context).

This module is imported by the Celery app (okrtracker/celery.py) before Django is set up: it
must not read settings at import time.
"""

import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
# What an incoming id may look like: letters, digits and a few separators, at most 128
# characters (a UUID, a trace id, a load balancer's id). Anything else is replaced.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,127}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def request_id_current() -> str | None:
    return request_id_var.get()


def request_id_from(incoming: str | None) -> str:
    """The caller's id when it is sane, else a new one."""
    incoming = (incoming or "").strip()
    if _SANE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Outermost: every other middleware's log lines carry the id. It stays set until the
    response is finished, so Django's own "Not Found: /x" line (logged after the middleware
    returned) carries it too."""

    def __init__(self, get_response):
        from django.core.signals import request_finished

        self.get_response = get_response
        request_finished.connect(_request_finished, dispatch_uid="okr-request-id-finished")

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _request_finished(**kwargs):
    request_id_var.set(None)


class RequestIdFilter:
    """Adds `request_id` ("-" outside a request or task) to every record it sees."""

    def filter(self, record) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get() or "-"
        return True


# --- Celery: the id travels in the task's headers ------------------------------------------


def _on_publish(headers=None, **kwargs):
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def _on_task_start(task=None, **kwargs):
    request_id = getattr(task.request, TASK_HEADER, None) if task is not None else None
    if request_id:
        # Kept on the request so the end of the task can restore what was there before.
        task.request._okr_request_id_token = request_id_var.set(str(request_id)[:128])


def _on_task_end(task=None, **kwargs):
    token = getattr(task.request, "_okr_request_id_token", None) if task is not None else None
    if token is not None:
        request_id_var.reset(token)
        task.request._okr_request_id_token = None


def _keep_django_logging(**kwargs):
    """A receiver here tells the worker to leave logging alone: Django's LOGGING (JSON or
    text, with the request id) formats the worker's lines as it does the web's."""


def celery_signals_connect() -> None:
    from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

    before_task_publish.connect(_on_publish, dispatch_uid="okr-request-id-publish")
    task_prerun.connect(_on_task_start, dispatch_uid="okr-request-id-start")
    task_postrun.connect(_on_task_end, dispatch_uid="okr-request-id-end")
    setup_logging.connect(_keep_django_logging, dispatch_uid="okr-keep-django-logging")
