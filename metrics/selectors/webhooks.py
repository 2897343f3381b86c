"""Reads of the outgoing webhooks: endpoints and their delivery log (bounded queries)."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from metrics.models import WebhookAttempt, WebhookDelivery, WebhookDeliveryState, WebhookEndpoint
from metrics.selectors.errors import NotFoundError

# The delivery log shows this many deliveries of an endpoint, newest first.
DELIVERY_LOG_SIZE = 50


def webhook_endpoints() -> QuerySet:
    """Every endpoint with its pending and failed delivery counts (one query)."""
    return WebhookEndpoint.objects.annotate(
        pending_count=Count("deliveries", filter=Q(deliveries__state=WebhookDeliveryState.PENDING)),
        failed_count=Count("deliveries", filter=Q(deliveries__state=WebhookDeliveryState.FAILED)),
    ).order_by("name", "id")


def webhook_endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = webhook_endpoints().filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFoundError(_("No webhook endpoint %(id)s.") % {"id": endpoint_id})
    return endpoint


def webhook_deliveries(*, endpoint_id: int) -> QuerySet:
    """An endpoint's deliveries, newest first, each with its attempts (two queries a page)."""
    return (
        WebhookDelivery.objects.filter(endpoint_id=endpoint_id)
        .order_by("-created_at", "-id")
        .prefetch_related(
            Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("attempted_at", "id"))
        )
    )
