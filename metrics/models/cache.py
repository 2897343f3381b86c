from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """A counter per scope that writes bump at the end of their transaction (see
    metrics/caching/versions.py): the structure (scope "") and each department's figures
    ("figures:<id>"). Cached pages, fragments and ETags are keyed by them, so a cached copy is
    never read after a write: the write changed the key."""

    scope = models.CharField(max_length=40, unique=True, default="")
    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data version")

    def __str__(self):
        return f"Data version {self.scope or 'structure'} {self.version}"
