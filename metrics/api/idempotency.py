"""Safe retries of API writes: a POST, PUT, PATCH or DELETE under /api/ sent with an
`Idempotency-Key` header runs once per user and key; a retry with the same key (within
IDEMPOTENCY_KEY_TTL, 24 hours) gets the first answer again, marked `Idempotent-Replayed:
true`, and never runs the write a second time (so never a 409 for its own write). The same
key with another method, path or body is a 422.

The key is claimed in one transaction with the write and its answer: when the write commits
its answer is stored, even if the connection drops before the client hears it (a 503 to the
client, a replay of the 200 on its retry). Concurrent requests with one key queue on the
key's row. Requests without the header, or that do not name a user (no valid token or
session: the view answers 401), run as before."""

import io
import re

from django.db import OperationalError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from metrics.services.errors import is_transient
from metrics.services.idempotency import (
    idempotent_request_answer,
    idempotent_request_claim,
    request_fingerprint,
)

HEADER = "Idempotency-Key"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Visible ASCII, as HTTP header values and the IETF draft's examples use (UUIDs, ULIDs...).
KEY_FORMAT = re.compile(r"[\x21-\x7e]{1,255}")
ATTEMPTS = 3  # a deadlock rolls the whole request back; it runs again, as services do alone


def _api_user(request):
    """The user the API will act for: by token when the request carries one (DRF tries it
    first), else the signed-in session's; None when neither names one."""
    from rest_framework.authentication import TokenAuthentication, get_authorization_header
    from rest_framework.exceptions import AuthenticationFailed

    if get_authorization_header(request):
        try:
            found = TokenAuthentication().authenticate(request)
        except AuthenticationFailed:
            return None
        return found[0] if found else None
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _replay(record) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type
    )
    for name, value in record.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyKeyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if (
            key is None
            or request.method not in WRITE_METHODS
            or not request.path_info.startswith("/api/")
        ):
            return self.get_response(request)
        if not KEY_FORMAT.fullmatch(key):
            return JsonResponse(
                {HEADER: [_("1 to 255 visible ASCII characters (a UUID, for example).")]},
                status=400,
            )
        user = _api_user(request)
        try:
            body = request.body
        except Exception:  # too large or unreadable: the view gives the 413 or 400
            return self.get_response(request)
        if user is None:
            return self.get_response(request)
        fingerprint = request_fingerprint(
            method=request.method, path=request.get_full_path(), body=body
        )
        for attempt in range(1, ATTEMPTS + 1):
            request.idempotency_error = None
            request._stream = io.BytesIO(body)  # the view reads the body afresh each run
            response = self._run_once(request, user=user, key=key, fingerprint=fingerprint)
            error = request.idempotency_error
            if not (isinstance(error, OperationalError) and is_transient(error)):
                return response
            if attempt == ATTEMPTS:
                return response
        return response

    def _run_once(self, request, *, user, key, fingerprint):
        with transaction.atomic():
            claim = idempotent_request_claim(user=user, key=key, fingerprint=fingerprint)
            if claim.mismatch:
                return JsonResponse(
                    {
                        "detail": _(
                            "This Idempotency-Key was sent before with another request; use "
                            "a new key for a new request."
                        )
                    },
                    status=422,
                )
            if not claim.is_new:
                return _replay(claim.record)
            response = self.get_response(request)
            if not idempotent_request_answer(record=claim.record, response=response):
                transaction.set_rollback(True)
            return response

    def process_exception(self, request, exception):
        # The view's exception becomes an error answer further in; keep it to tell a deadlock
        # (run again) from any other failure.
        request.idempotency_error = exception
        return None
