"""`manage.py restore FILE`: replaces the whole database with a `manage.py backup` file.

Everything in the database is replaced. Stop the web and worker processes first; run
`manage.py migrate` after restoring a backup taken by an older version.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from metrics.management.commands.backup import postgres_run, sqlite_copy


class Command(BaseCommand):
    help = "Replaces the whole database with FILE, written by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, file: Path, database: str, interactive: bool, **options):
        if not file.is_file():
            raise CommandError(f"No backup file at {file}.")
        connection = connections[database]
        settings = connection.settings_dict
        if interactive:
            answer = input(f"Replace everything in database {settings['NAME']} with {file}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Restore cancelled.")
        connection.close()
        if connection.vendor == "postgresql":
            postgres_run(
                "pg_restore",
                settings,
                options=[
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--exit-on-error",
                    f"--dbname={settings['NAME']}",
                ],
                operand=str(file),
            )
        elif connection.vendor == "sqlite":
            sqlite_copy(file, settings["NAME"])
        else:
            raise CommandError(f"No restore for {connection.vendor} databases.")
        self.stdout.write(f"Restored {settings['NAME']} from {file}.")
