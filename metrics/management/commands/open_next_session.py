"""`manage.py open_next_session`: opens the session after the latest held one (the last
presented; the latest session when none is held), with the same service as the page and the
API. Idempotent: run twice, it creates nothing new."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from metrics.models import ChangeSource, Priority, SessionState, TuningSession
from metrics.services.sessions import latest_session_of, session_open_next


class Command(BaseCommand):
    help = "Opens the next tuning session from the latest one and emails the department leads."

    def add_arguments(self, parser):
        parser.add_argument("--priority", help="priority slug (default: the only one)")
        parser.add_argument(
            "--deadline", type=date.fromisoformat, help="status deadline, YYYY-MM-DD"
        )
        parser.add_argument("--no-email", action="store_true", help="do not email the leads")

    def handle(self, *args, **options):
        priorities = Priority.objects.all()
        if options["priority"]:
            priorities = priorities.filter(slug=options["priority"])
        if priorities.count() != 1:
            raise CommandError("Name the priority with --priority SLUG.")
        priority = priorities.get()
        source = (
            TuningSession.objects.filter(priority=priority, state=SessionState.HELD)
            .select_related("quarter", "priority")
            .order_by("-quarter__fiscal_year", "-quarter__number")
            .first()
        ) or latest_session_of(priority.pk)
        if source is None:
            raise CommandError("There is no session to open the next one from.")
        try:
            result = session_open_next(
                actor=None,
                source=source,
                source_of_change=ChangeSource.ADMIN,
                status_deadline=options["deadline"],
                notify=not options["no_email"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        session = result.session
        if result.created:
            self.stdout.write(
                f"Opened “{session.title}” (id {session.pk}); status deadline "
                f"{session.quarter.status_deadline:%Y-%m-%d}; emailed {result.emailed} "
                f"department{'s' if result.emailed != 1 else ''}."
            )
        else:
            self.stdout.write(
                f"Already open: “{session.title}” (id {session.pk}); nothing created."
            )
