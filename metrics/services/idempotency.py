"""Idempotent API writes: the stored first answer to a request sent with an `Idempotency-Key`
(docs/api.md, "Safe retries"). The API's middleware (metrics/api/idempotency.py) claims the
key in the write's own transaction, runs the write, and records its answer before the commit,
so an answer is stored exactly when the write is."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from metrics.models import IdempotentRequest

# Answers never kept: the request did not run (refused sign-in or rights, throttled) or failed
# on the server's side; a retry with the same key runs it afresh.
NOT_KEPT = frozenset({401, 403, 408, 429})


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


@dataclass(frozen=True)
class Claim:
    """The key's row, locked until the transaction ends: `is_new` when this request runs the
    write; else the stored answer, or `mismatch` when the key came with another request."""

    record: IdempotentRequest
    is_new: bool
    mismatch: bool = False


def idempotent_request_claim(*, user, key: str, fingerprint: str) -> Claim:
    """Inside the caller's transaction: the key's row, created (this request runs) or read
    with a row lock. A second request with the same key waits here for the first one's
    transaction, then reads its answer: the two never both run."""
    expired_before = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL)
    IdempotentRequest.objects.filter(user=user, key=key, created_at__lt=expired_before).delete()
    record, created = IdempotentRequest.objects.select_for_update().get_or_create(
        user=user,
        key=key,
        defaults={"fingerprint": fingerprint, "created_at": timezone.now()},
    )
    return Claim(record=record, is_new=created, mismatch=record.fingerprint != fingerprint)


def idempotent_request_answer(*, record: IdempotentRequest, response) -> bool:
    """Stores the answer the write got; False when it is not kept (the caller then rolls
    the transaction back, so the key is free for a retry)."""
    if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
        return False
    record.status_code = response.status_code
    record.content_type = response.get("Content-Type", "")
    record.body = bytes(response.content)
    record.headers = {name: response[name] for name in ("Location", "ETag") if name in response}
    record.save(update_fields=["status_code", "content_type", "body", "headers"])
    return True


def idempotent_requests_purge() -> int:
    """Deletes the answers older than IDEMPOTENCY_KEY_TTL; the number deleted."""
    expired_before = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL)
    return IdempotentRequest.objects.filter(created_at__lt=expired_before).delete()[0]
