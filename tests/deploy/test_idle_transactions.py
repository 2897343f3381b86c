"""A host cut off mid-transaction must not hold its locks for ever: every PostgreSQL
connection asks the server to end a transaction idle for DATABASE_IDLE_IN_TRANSACTION_TIMEOUT
seconds (okrtracker/dbsession.py). Found by `benchmarks/faults.py hosts --kill link`."""

import json
import os
import subprocess
import sys
import time

import psycopg2
import pytest
from django.db import connection

from okrtracker.dbsession import postgres_session_options

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a PostgreSQL server setting"
)
LOCK = 424242


def _connect(**options):
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("options", None)  # each test says which limits it runs under
    return psycopg2.connect(**params, **options)


@on_postgresql
def test_the_server_ends_a_transaction_left_idle_and_its_locks_go_with_it():
    options = postgres_session_options(idle_in_transaction_seconds=1, keepalive_idle_seconds=30)
    stranded = _connect(options=options)
    other = _connect()
    try:
        with stranded.cursor() as cursor:  # psycopg2 opens a transaction here
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
        time.sleep(2)  # the client went silent, as a host cut off from the network does

        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
            started = time.monotonic()
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
            assert time.monotonic() - started < 1
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
        with pytest.raises(psycopg2.Error), stranded.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        stranded.close()
        other.close()


@on_postgresql
def test_without_the_limit_the_lock_stays_held():
    """The control: the same silence with no limit keeps the lock (what the limit ends)."""
    stranded = _connect()
    other = _connect()
    try:
        with stranded.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
        time.sleep(2)
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SET lock_timeout = '500ms'")
            with pytest.raises(psycopg2.errors.LockNotAvailable):
                cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
    finally:
        stranded.rollback()
        stranded.close()
        other.close()


@on_postgresql
def test_the_settings_ask_every_connection_for_the_limits():
    code = (
        "import json, django; django.setup(); from django.db import connection; "
        "cursor = connection.cursor(); "
        "cursor.execute('SHOW idle_in_transaction_session_timeout'); a = cursor.fetchone()[0]; "
        "cursor.execute('SHOW tcp_keepalives_idle'); b = cursor.fetchone()[0]; "
        "print(json.dumps([a, b]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "okrtracker.settings.test",
        "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT": "7",
        "DATABASE_TCP_KEEPALIVE_IDLE": "25",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["7s", "25"]


def test_a_limit_of_zero_asks_for_nothing():
    assert postgres_session_options(idle_in_transaction_seconds=0, keepalive_idle_seconds=0) == ""
    assert postgres_session_options(idle_in_transaction_seconds=60, keepalive_idle_seconds=0) == (
        "-c idle_in_transaction_session_timeout=60000"
    )
