"""Pointing this process's Celery app at another broker, for the tests that need a real one."""

import os

from okrtracker.celery import app


def broker_switch(broker_url: str) -> None:
    """Publish to `broker_url` from now on.

    Celery reads the CELERY_BROKER_URL environment variable before its own configuration
    (celery.app.utils.Settings.broker_url), so both change; pooled connections and producers
    were made for the old URL and are dropped."""
    os.environ["CELERY_BROKER_URL"] = broker_url
    app.conf.broker_url = broker_url
    app._pool = None
    app.amqp._producer_pool = None


def broker_state() -> tuple:
    return app.conf.task_always_eager, app.conf.broker_url, os.environ.get("CELERY_BROKER_URL")


def broker_restore(state: tuple) -> None:
    eager, broker_url, environ_url = state
    app.conf.task_always_eager = eager
    broker_switch(broker_url)
    if environ_url is None:
        os.environ.pop("CELERY_BROKER_URL", None)
    else:
        os.environ["CELERY_BROKER_URL"] = environ_url
