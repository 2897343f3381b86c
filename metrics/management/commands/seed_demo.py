"""`manage.py seed_demo`: the reference deck and one demo login per role, ready to click through.

The deck (fixtures/seed_deck.json, built from fixtures/seed/ by fixtures/build_seed_deck.py
through the services) comes with its history (fixtures/seed_history.json): each seeded cell's
history starts with a "seed" entry. A prebuilt fixture rather than the builder: loading
both takes about a second, a third of the builder's time (which recomputes), and every
machine gets the same rows, ids and timestamps.

Idempotent: the deck is loaded only into a database that has no tuning session yet, so edits
made since are never overwritten; the demo accounts are created (with the demo password) or
brought back to their role on every run. An existing account's
password is never touched: re-running the seed on a deployment whose admin has changed the
published demo password must not put it back.
"""

import os
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from metrics.caching.versions import data_version_bump
from metrics.models import ChangeSource, Department, TuningSession
from metrics.services.recompute_runs import recompute_run
from metrics.services.sessions import session_freeze_presented

DEFAULT_PASSWORD = "okrtracker-demo"
FIXTURES = ("seed_deck", "seed_history")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    department: Department | None = None
    is_superuser: bool = False


def demo_accounts() -> list[DemoAccount]:
    leads = [
        DemoAccount(f"lead-{department.slug}", "Department lead", department)
        for department in Department.objects.order_by("name")
    ]
    return [
        DemoAccount("admin", "Admin", is_superuser=True),
        DemoAccount("facilitator", "Facilitator"),
        DemoAccount("executive", "Executive"),
        *leads,
        DemoAccount("viewer", "Viewer"),
    ]


def deck_load_if_empty() -> bool:
    """Loads the reference deck unless the database already holds a tuning session."""
    if TuningSession.objects.exists():
        return False
    call_command("loaddata", *FIXTURES, verbosity=0)
    return True


def demo_account_ensure(*, account: DemoAccount, password: str) -> bool:
    """Creates the account or restores its role; True when it was created."""
    user, created = get_user_model().objects.get_or_create(username=account.username)
    user.is_active = True
    user.is_superuser = account.is_superuser
    user.is_staff = account.is_superuser
    if created:
        user.set_password(password)
        # An address, so that opening a session and the reminders show their emails (the
        # console backend under `make run`); example.org never delivers anywhere.
        user.email = f"{account.username}@example.org"
    user.save()
    user.groups.set([Group.objects.get_or_create(name=account.role)[0]])
    if account.department is not None:
        account.department.leads.add(user)
    return created


def everything_recompute() -> int:
    """Derives YoY, arrows and attainment from the freshly loaded observations."""
    return recompute_run(task_name="manage.py seed_demo", metric_ids=None).rows_changed


class Command(BaseCommand):
    help = (
        "Loads the reference deck into an empty database and creates the demo accounts "
        "(password from DEMO_PASSWORD, default okrtracker-demo)."
    )

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        with transaction.atomic():
            loaded = deck_load_if_empty()
            if loaded:  # loaded from fixtures, without the services
                data_version_bump()
            accounts = demo_accounts()
            created = {
                account.username
                for account in accounts
                if demo_account_ensure(account=account, password=password)
            }
        if loaded:
            rows = everything_recompute()
            held = session_freeze_presented(source=ChangeSource.SEED)
            self.stdout.write(
                f"Loaded the reference deck ({', '.join(FIXTURES)}); recompute changed {rows} rows; "
                f"{held} presented session{'s' if held != 1 else ''} held as presented."
            )
        else:
            self.stdout.write("The database already holds a tuning session: deck left as it is.")
        self.stdout.write(self.accounts_table(accounts, password, created))
        self.stdout.write(f"\nOpen {settings.SITE_URL}/")

    @staticmethod
    def accounts_table(accounts: list[DemoAccount], password: str, created: set[str]) -> str:
        rows = [("Login", "Role", "Department", "Password")] + [
            (
                account.username,
                f"{account.role} (superuser)" if account.is_superuser else account.role,
                account.department.name if account.department else "",
                password if account.username in created else "(kept: existing account)",
            )
            for account in accounts
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        if created:
            title = f"Demo accounts (new ones get the password {password})"
        else:
            title = "Demo accounts (all existed: their passwords are left as they are)"
        lines = ["", title]
        for index, row in enumerate(rows):
            lines.append(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
            if index == 0:
                lines.append("  ".join("-" * width for width in widths))
        return "\n".join(lines)
