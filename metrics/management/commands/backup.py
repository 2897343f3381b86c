"""`manage.py backup FILE`: the whole database in one file that `manage.py restore` reads back.

PostgreSQL: pg_dump's custom format (consistent: one snapshot, while the app keeps running).
SQLite: SQLite's online backup API (a consistent copy even while the app writes).
"""

import os
import shutil
import sqlite3
import subprocess
from glob import glob
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections


def postgres_tool(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"))[::-1]), None
    )
    if not found:
        raise CommandError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def postgres_args(settings: dict) -> tuple[list[str], dict]:
    args = ["--host", settings.get("HOST") or "127.0.0.1"]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", settings["USER"]]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return args, env


def postgres_run(tool: str, settings: dict, *, options: list[str], operand: str) -> None:
    """Runs pg_dump or pg_restore with `options`, the connection arguments of `settings`
    and `operand`; CommandError with the tool's own message when it fails."""
    connection_args, env = postgres_args(settings)
    result = subprocess.run(
        [postgres_tool(tool), *options, *connection_args, operand],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise CommandError(f"{tool} failed: {result.stderr.strip()}")


def sqlite_copy(source: Path | str, target: Path | str) -> None:
    """A consistent copy of a SQLite database (the backup API, safe while it is in use)."""
    source_db, target_db = sqlite3.connect(str(source)), sqlite3.connect(str(target))
    try:
        with target_db:
            source_db.backup(target_db)
    finally:
        target_db.close()
        source_db.close()


class Command(BaseCommand):
    help = "Writes the whole database to FILE (pg_dump custom format, or a SQLite copy)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--database", default="default")

    def handle(self, *args, file: Path, database: str, **options):
        connection = connections[database]
        settings = connection.settings_dict
        file.parent.mkdir(parents=True, exist_ok=True)
        if connection.vendor == "postgresql":
            postgres_run(
                "pg_dump",
                settings,
                options=["--format=custom", "--no-owner", f"--file={file}"],
                operand=settings["NAME"],
            )
        elif connection.vendor == "sqlite":
            sqlite_copy(settings["NAME"], file)
        else:
            raise CommandError(f"No backup for {connection.vendor} databases.")
        self.stdout.write(
            f"Backed up {connection.vendor} database to {file} ({file.stat().st_size:,} bytes)."
        )
