"""Several web hosts and a worker host with no shared folder: the worker stores the PowerPoint
it builds in the "deck_files" storage (DECK_FILES_STORAGE=database), and the download works
from either web process, each with a local folder of its own that stays empty."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.urls import reverse

from metrics import models
from metrics.pptx_export import PPTX_CONTENT_TYPE
from tests.factories import UserFactory
from tests.selectors.builders import build_small_deck

from .conftest import BASE_DIR, wait_for, worker_database_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# A web process: the app as WSGI on a port the kernel picks (port 0), printed for the test.
WEB_HOST = """
import django
django.setup()
from wsgiref.simple_server import WSGIRequestHandler, make_server
from django.core.wsgi import get_wsgi_application
from okrtracker.celery import app

app.conf.task_always_eager = False  # a real web host hands builds to the worker


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
print(server.server_port, flush=True)
server.serve_forever()
"""


class WebHost:
    def __init__(self, *, env: dict, folder: Path):
        folder.mkdir()
        self.folder = folder
        self.process = subprocess.Popen(
            [sys.executable, "-c", WEB_HOST],
            cwd=BASE_DIR,
            env={**env, "DECK_FILES_ROOT": str(folder)},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        port = self.process.stdout.readline().strip()
        assert port.isdigit(), "the web host did not start"
        self.url = f"http://127.0.0.1:{port}"

    def get(self, path: str, cookie: str) -> requests.Response:
        return requests.get(
            self.url + path,
            cookies={settings.SESSION_COOKIE_NAME: cookie},
            headers={"Accept": "*/*"},
            timeout=60,
        )

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture
def hosts(redis_broker, start_worker, tmp_path, monkeypatch):
    monkeypatch.setenv("DECK_FILES_STORAGE", "database")
    monkeypatch.setenv("DECK_FILES_ROOT", str(tmp_path / "worker-files"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "okrtracker.settings.test",
        "DATABASE_URL": worker_database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": redis_broker,
        "PYTHONUNBUFFERED": "1",
    }
    import redis

    redis.Redis.from_url(redis_broker).flushdb()
    worker = start_worker()
    webs = [WebHost(env=env, folder=tmp_path / f"web-{name}-files") for name in ("a", "b")]
    yield webs, worker
    for web in webs:
        web.stop()


def test_the_download_works_from_both_web_hosts_without_a_shared_folder(hosts):
    (first, second), worker = hosts
    session = build_small_deck()
    client = Client()
    client.force_login(UserFactory(roles=["Viewer"]))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    path = reverse("metrics:session_deck_pptx", kwargs={"session_id": session.id})

    assert first.get(path, cookie).status_code == 202  # queued for the worker
    from_second = wait_for(
        lambda: (answer := second.get(path, cookie)).status_code == 200 and answer,
        timeout=180,
        interval=1,
        message=worker.output,
    )
    from_first = first.get(path, cookie)

    assert from_second.headers["Content-Type"] == from_first.headers["Content-Type"]
    assert from_second.headers["Content-Type"] == PPTX_CONTENT_TYPE
    assert from_second.content == from_first.content
    assert from_second.content.startswith(b"PK")
    assert models.StoredFile.objects.count() == 1
    for web in (first, second):
        assert not any(web.folder.iterdir()), f"{web.folder} holds files"
