"""`manage.py backup` then `manage.py restore` into a fresh database gives back the same Q2
deck (the deck API's JSON), on SQLite and on PostgreSQL (a throwaway cluster)."""

import json
import subprocess

from tests.deploy.postgres import Cluster
from tests.deploy.servers import BIN, ROOT, SECRET, clean_env, manage

DECK_JSON = """
import json
from django.test import Client
from django.contrib.auth import get_user_model
from metrics.models import TuningSession
session = TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)
client = Client()
client.force_login(get_user_model().objects.get(username="admin"))
response = client.get(f"/api/v1/sessions/{session.pk}/deck/", secure=True)
assert response.status_code == 200, response.status_code
print(json.dumps(response.json(), sort_keys=True))
"""


def deck(env) -> dict:
    result = subprocess.run(
        [
            str(BIN / "python"),
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            DECK_JSON,
            "--settings=okrtracker.settings.production",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def round_trip(tmp_path, original_url: str, fresh_url: str) -> tuple[dict, dict]:
    env = clean_env(
        tmp_path,
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=original_url,
        DEMO_PASSWORD="backup-test-password-19",
    )
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", env=env)
    before = deck(env)
    backup = tmp_path / "backups" / "okr.backup"
    manage("backup", str(backup), env=env)

    fresh = {**env, "DATABASE_URL": fresh_url}
    manage("restore", str(backup), "--noinput", env=fresh)
    return before, deck(fresh)


def test_sqlite_round_trip_keeps_the_deck(tmp_path):
    before, after = round_trip(
        tmp_path,
        f"sqlite:///{tmp_path / 'original.sqlite3'}",
        f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
    )
    assert len(json.dumps(before)) > 10_000  # the whole deck, not an empty document
    assert after == before


def test_postgresql_round_trip_keeps_the_deck(tmp_path):
    cluster = Cluster()
    try:
        cluster.start()
        cluster.createdb("okr")
        cluster.createdb("okr_fresh")
        before, after = round_trip(tmp_path, cluster.url, cluster.url.replace("/okr", "/okr_fresh"))
    finally:
        cluster.destroy()
    assert len(json.dumps(before)) > 10_000
    assert after == before
