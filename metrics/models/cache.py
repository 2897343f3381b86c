from django.db import models


class DataVersion(models.Model):
    """One row: a counter every write bumps in its own transaction (see
    metrics/services/data_version.py). Cached pages, fragments and ETags are keyed by it, so a
    cached copy is never read after a write: the write changed the key."""

    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "data version"

    def __str__(self):
        return f"Data version {self.version}"


class HistoryEntryQuerySet(models.QuerySet):
    """Every service records what it changed by bulk-creating history entries (one
    statement, forms, API, import and admin alike): that statement also bumps the data
    version, in the same transaction."""

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            from metrics.services.data_version import data_version_bump

            data_version_bump()
        return created
