"""Records that make retries and sign-ins safe, kept in the database (not the cache, which may
be down, nor one process's memory, which another host does not share)."""

from django.conf import settings
from django.db import models


class IdempotentRequest(models.Model):
    """An API write sent with an `Idempotency-Key` header, and the answer it got: a retry
    with the same key gets this answer again instead of running the write a second time.
    Written in the write's own transaction, so a write that committed always has its answer
    stored (metrics/api/idempotency.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotent_requests"
    )
    key = models.CharField(max_length=255)
    # SHA-256 of the method, the path with its query and the body: a key sent again with
    # another request is refused (422), not answered with the first request's answer.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_user_key")
        ]

    def __str__(self):
        return f"{self.key} ({self.status_code})"


class SignInFailureCount(models.Model):
    """Failed sign-ins of one counter (an account from one address, or one address) in the
    window that began at `window_start` (metrics/accounts.py)."""

    key = models.CharField(max_length=200, unique=True)
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.count}"
