"""Notifications without Celery beat: a cron line runs this (docs/notifications.md)."""

from django.core.management.base import BaseCommand

from metrics.services.notifications import notification_digests_send, notifications_pending_send
from metrics.services.reminders import status_reminders_send


class Command(BaseCommand):
    help = (
        "Mail the notifications still pending (the default), write the day's check-in "
        "deadline reminders (--reminders) and send the daily digests (--digest), in this "
        "process. Safe to run as often as you like: nothing is told or mailed twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reminders", action="store_true", help="Check-in deadline reminders first."
        )
        parser.add_argument("--digest", action="store_true", help="The daily digest mails too.")

    def handle(self, *args, reminders=False, digest=False, **options):
        if reminders:
            self.stdout.write(f"Reminders written: {status_reminders_send()}")
        self.stdout.write(f"Notifications mailed: {notifications_pending_send()}")
        if digest:
            self.stdout.write(f"Digests mailed: {notification_digests_send()}")
