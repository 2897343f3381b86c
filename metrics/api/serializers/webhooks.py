"""The webhooks API's input and output: the secret is write-only, never shown back."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from metrics.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from metrics.services.webhooks import SECRET_MIN_LENGTH, WEBHOOK_EVENTS


class WebhookEndpointInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WEBHOOK_EVENTS), allow_empty=False
    )
    active = serializers.BooleanField(default=True)
    secret = serializers.CharField(
        write_only=True,
        required=False,
        min_length=SECRET_MIN_LENGTH,
        max_length=200,
        help_text=_("Signs every delivery (HMAC-SHA256). Required to create; never shown back."),
    )


class WebhookEndpointOutputSerializer(serializers.ModelSerializer):
    pending_count = serializers.IntegerField(read_only=True, default=0)
    failed_count = serializers.IntegerField(read_only=True, default=0)
    events = serializers.ListField(child=serializers.ChoiceField(choices=WEBHOOK_EVENTS))

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "name",
            "url",
            "events",
            "active",
            "created_at",
            "updated_at",
            "pending_count",
            "failed_count",
        ]


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["attempted_at", "status_code", "error", "duration_ms", "response_excerpt"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "delivery_id",
            "event",
            "state",
            "created_at",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "last_status_code",
            "attempt_log",
        ]
