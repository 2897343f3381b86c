"""Every error as JSON with the right status: the services' errors included, never a 500
for something the client sent."""

import logging

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from metrics.api.serializers.output import serialize_current
from metrics.selectors.errors import NotFoundError
from metrics.services.errors import ConflictError, LockedError

logger = logging.getLogger(__name__)


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def api_exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(
            "The request body is larger than the server accepts; send fewer rows per request."
        )
    if isinstance(exc, NotFoundError):
        return Response({"detail": str(exc)}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoValidationError):
        return Response(as_serializer_error(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ConflictError):
        return Response(
            {"detail": str(exc), "current": serialize_current(exc.current)},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, LockedError):
        return Response(
            {"detail": str(exc) or "This quarter is locked; its figures can no longer change."},
            status=status.HTTP_423_LOCKED,
        )
    return drf_exception_handler(exc, context)
