"""A deployment done as the README says runs the production settings: gunicorn started with
the README's command, in an operator's environment (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL,
BEHIND_TLS_PROXY), probed over HTTP as a client would."""

import os
import re
import sqlite3
import subprocess

import pytest
import requests

from tests.deploy.servers import (
    BIN,
    ROOT,
    SECRET,
    Server,
    clean_env,
    free_port,
    manage,
    readme_gunicorn_command,
)

# What Django's technical (DEBUG) pages print and a production error page must not.
DEBUG_PAGE_MARKERS = ("Traceback", "SECRET_KEY", "DATABASES", "URLconf", "Request Method:")


CACHE_URL = os.environ.get("OKR_TEST_CACHE_URL", "redis://127.0.0.1:6379/3")


def shared_cache_url() -> str:
    """A Redis database for the server's cache (pages and API throttles shared by its workers)."""
    import redis

    try:
        client = redis.Redis.from_url(CACHE_URL, socket_connect_timeout=2)
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is not reachable at {CACHE_URL} ({error}); CI=true")
        pytest.skip(f"Redis is not reachable at {CACHE_URL} ({error})")
    client.flushdb()
    return CACHE_URL


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("gunicorn")
    database = tmp_path / "db.sqlite3"
    env = clean_env(
        tmp_path,
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{database}",
        BEHIND_TLS_PROXY="1",
        DJANGO_SUPERUSER_PASSWORD="a-long-deploy-test-password-81",
        CACHE_URL=shared_cache_url(),
    )
    manage("migrate", "--noinput", env=env)
    manage("collectstatic", "--noinput", env=env)
    manage("createsuperuser", "--noinput", "--username=ops", "--email=ops@example.org", env=env)
    server = Server(
        readme_gunicorn_command(free_port()), env=env, log_path=tmp_path / "gunicorn.log"
    ).start()
    server.database = database
    yield server
    server.stop()


def https(server, path, session=None, **kwargs):
    """A request as the TLS proxy forwards it."""
    headers = {"X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
    response = (session or requests).request(
        kwargs.pop("method", "GET"),
        server.url + path,
        headers=headers,
        allow_redirects=False,
        timeout=30,
        **kwargs,
    )
    if session is not None:
        # The client speaks plain HTTP to gunicorn (TLS ends at the proxy): keep sending the
        # Secure cookies, noting that they were set Secure.
        session.secure_cookies = getattr(session, "secure_cookies", set())
        for cookie in session.cookies:
            if cookie.secure:
                session.secure_cookies.add(cookie.name)
                cookie.secure = False
    return response


def sign_in(server, client):
    page = https(server, "/accounts/login/", client)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return https(
        server,
        "/accounts/login/",
        client,
        method="POST",
        data={
            "username": "ops",
            "password": "a-long-deploy-test-password-81",
            "csrfmiddlewaretoken": token,
        },
        headers={"Origin": server.url.replace("http://", "https://")},
    )


def test_plain_http_is_redirected_to_https(server):
    response = requests.get(server.url + "/accounts/login/", allow_redirects=False, timeout=30)
    assert response.status_code == 301, server.output()
    assert response.headers["Location"].startswith("https://")


def test_https_pages_send_hsts_and_secure_cookies(server):
    client = requests.Session()
    page = https(server, "/accounts/login/", client)
    assert page.status_code == 200, server.output()
    assert "max-age=31536000" in page.headers["Strict-Transport-Security"]
    assert "Secure" in page.headers["Set-Cookie"]  # the CSRF cookie

    login = sign_in(server, client)
    assert login.status_code == 302, login.text[:500]
    assert {"csrftoken", "sessionid"} <= client.secure_cookies
    session_cookie = next(cookie for cookie in client.cookies if cookie.name == "sessionid")
    assert session_cookie.has_nonstandard_attr("HttpOnly")


def test_not_found_is_the_plain_page_not_the_debug_page(server):
    response = https(server, "/no-such-page/")
    assert response.status_code == 404
    for marker in DEBUG_PAGE_MARKERS:
        assert marker not in response.text


def test_a_server_error_shows_no_traceback(server):
    client = requests.Session()
    assert sign_in(server, client).status_code == 302
    # Break the database under the running server: the home page's query fails.
    with sqlite3.connect(server.database) as connection:
        connection.execute("DROP TABLE metrics_tuningsession")
    response = https(server, "/", client)
    assert response.status_code >= 500, response.text[:500]
    for marker in DEBUG_PAGE_MARKERS + ("metrics_tuningsession", "OperationalError"):
        assert marker not in response.text, marker


def test_gunicorn_refuses_to_start_without_a_secret_key(tmp_path):
    env = clean_env(tmp_path, ALLOWED_HOSTS="127.0.0.1", DATABASE_URL="sqlite:///:memory:")
    server = Server(
        readme_gunicorn_command(free_port()), env=env, log_path=tmp_path / "gunicorn.log"
    ).start()
    try:
        server.process.wait(timeout=60)
    finally:
        server.stop()
    assert server.process.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in server.output()


def python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "python"), "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW_SETTINGS = "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"


@pytest.mark.parametrize(
    "entry_point",
    [
        "import okrtracker.wsgi",
        "import okrtracker.asgi",
        # What `celery -A okrtracker worker` does first: import the app, then set Django up.
        "from okrtracker.celery import app; app.loader.import_default_modules()",
    ],
)
def test_entry_points_run_the_production_settings(entry_point, tmp_path):
    env = clean_env(tmp_path, SECRET_KEY=SECRET, DATABASE_URL="sqlite:///:memory:")
    result = python(f"{entry_point}; {SHOW_SETTINGS}", env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["okrtracker.settings.production", "False"]

    without_secret = python(f"{entry_point}; {SHOW_SETTINGS}", {**env, "SECRET_KEY": ""})
    assert without_secret.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in without_secret.stderr


def test_an_explicit_settings_module_still_wins(tmp_path):
    env = clean_env(tmp_path, DJANGO_SETTINGS_MODULE="okrtracker.settings.dev")
    result = python(f"import okrtracker.wsgi; {SHOW_SETTINGS}", env)
    assert result.stdout.split() == ["okrtracker.settings.dev", "True"], result.stderr


def test_manage_py_keeps_the_dev_settings(tmp_path):
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", "shell", "--no-imports", "-c", SHOW_SETTINGS],
        cwd=ROOT,
        env=clean_env(tmp_path, DATABASE_URL="sqlite:///:memory:"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["okrtracker.settings.dev", "True"], result.stderr


def test_sign_in_limits_hold_across_the_workers(server):
    """The README runs 4 workers; counts kept per process would let 4x the tries through.
    Each try is a new connection, so the workers share them out."""
    answers = [
        https(
            server,
            "/api/v1/auth/token/",
            method="POST",
            json={"username": "ops", "password": f"guess-{attempt}"},
            headers={"Connection": "close"},
        ).status_code
        for attempt in range(14)
    ]

    assert answers[:10] == [400] * 10, answers
    assert answers[10:] == [429] * 4, answers
