import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env_overrides):
    # A clean environment: the test settings module has set variables in this process.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "okrtracker.settings.production",
            "SECRET_KEY": "x7#kq-production-like-secret-for-the-deploy-check-9f2a1c0d5e8b3a6f",
            "ALLOWED_HOSTS": "okr.example.org",
            "DATABASE_URL": "sqlite:///:memory:",
            # The check does not connect; a deployment names its shared Redis.
            "CACHE_URL": "redis://127.0.0.1:6379/15",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_sign_in_limits_would_count_per_worker():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "okrtracker.settings.production",
            "SECRET_KEY": "x7#kq-production-like-secret-for-the-deploy-check-9f2a1c0d5e8b3a6f",
            "ALLOWED_HOSTS": "okr.example.org",
            "DATABASE_URL": "sqlite:///:memory:",
        },
    )
    assert result.returncode != 0
    assert "okrtracker.W001" in result.stderr + result.stdout
    assert "CACHE_URL" in result.stderr + result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_manage(
        "check",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "okrtracker.settings.production",
            "SECRET_KEY": "",
            "DATABASE_URL": "sqlite:///:memory:",
        },
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("sqlite:////tmp/okr.sqlite3", "django.db.backends.sqlite3"),
        ("postgres://postgres@127.0.0.1:5432/okr", "django.db.backends.postgresql"),
    ],
)
def test_database_comes_from_database_url(url, engine):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        env_overrides={"DJANGO_SETTINGS_MODULE": "okrtracker.settings.dev", "DATABASE_URL": url},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == engine


def test_celery_is_eager_without_a_broker_and_real_with_one():
    code = "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)"
    env = {"DJANGO_SETTINGS_MODULE": "okrtracker.settings.dev"}
    eager = run_manage(
        "shell", "--no-imports", "-c", code, env_overrides={**env, "CELERY_BROKER_URL": ""}
    )
    real = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        env_overrides={**env, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"},
    )
    assert eager.stdout.strip() == "True", eager.stderr
    assert real.stdout.strip() == "False", real.stderr


def test_the_development_server_opens_no_lingering_database_connection_per_request():
    """runserver answers each request in a new thread: a persistent connection outlives its
    thread, so a few hundred requests exhausted a shared PostgreSQL's max_connections."""
    code = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    url = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/okr"}
    dev = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        env_overrides={"DJANGO_SETTINGS_MODULE": "okrtracker.settings.dev", **url},
    )
    chosen = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "okrtracker.settings.dev",
            "DATABASE_CONN_MAX_AGE": "30",
            **url,
        },
    )
    assert dev.stdout.strip() == "0", dev.stderr
    assert chosen.stdout.strip() == "30", chosen.stderr
