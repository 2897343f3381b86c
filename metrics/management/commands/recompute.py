"""Recompute values, YoY deltas, arrows and attainment now, in this process."""

from django.core.management.base import BaseCommand, CommandError

from metrics.models import ChangeSource, HistoryEntry, Metric
from metrics.services.recompute_runs import recompute_run, recompute_scope

SHOWN_CHANGES = 200


class Command(BaseCommand):
    help = (
        "Recompute the derived figures of quarterly statuses synchronously (the same "
        "service the Celery tasks run) and print what changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--metric",
            dest="metric_ids",
            type=int,
            action="append",
            metavar="ID",
            help="Only this metric (repeatable). Default: every metric.",
        )

    def handle(self, *args, metric_ids=None, **options):
        if metric_ids:
            missing = set(metric_ids) - set(
                Metric.objects.filter(pk__in=metric_ids).values_list("pk", flat=True)
            )
            if missing:
                raise CommandError(f"No metric with id {', '.join(map(str, sorted(missing)))}.")
        scope = recompute_scope(metric_ids or None)
        result = recompute_run(task_name="manage.py recompute", metric_ids=metric_ids or None)

        changes = HistoryEntry.objects.filter(
            source=ChangeSource.RECOMPUTE, changed_at=result.changed_at
        ).order_by("object_id", "id")
        for entry in changes[:SHOWN_CHANGES]:
            self.stdout.write(
                f"status {entry.object_id}: {entry.field} "
                f"{entry.old_value or '-'} -> {entry.new_value or '-'}"
            )
        if result.history_entries > SHOWN_CHANGES:
            self.stdout.write(f"... and {result.history_entries - SHOWN_CHANGES} more changes")
        self.stdout.write(
            self.style.SUCCESS(
                f"Recomputed {scope}: {result.statuses_created} statuses created, "
                f"{result.statuses_updated} updated, {result.history_entries} fields changed."
            )
        )
