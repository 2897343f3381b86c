"""Files the app generates, kept in the database when DECK_FILES_STORAGE=database: every web
host and worker that reaches the database reads them, with no shared folder or extra
service (metrics/storage.py)."""

from django.db import models


class StoredFile(models.Model):
    name = models.CharField(max_length=255, unique=True)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField()
    modified_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} ({self.size} bytes)"
