"""The webhooks API's input and output: the secret is write-only, never shown back."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrics.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from metrics.services.webhooks import SECRET_MIN_LENGTH, WEBHOOK_EVENTS

# The schema promises only what the service accepts: a name that does not start or end with
# a space, an http(s) URL with a host name (addresses are checked when sending), at least one
# known event, a secret of 16 to 200 characters kept exactly as sent.
NAME_PATTERN = r"^[!-~]([^\x00]{0,98}[!-~])?$"
URL_PATTERN = (
    r"^https?://[A-Za-z][A-Za-z0-9-]{0,62}(\.[A-Za-z0-9-]{1,63})+(:[1-9][0-9]{0,3})?(/[!-~]*)?$"
)
SECRET_PATTERN = r"^[^\x00]*$"


class TextOnly:
    """A JSON string only: DRF's CharField would take 13.333 as "13.333"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": 100, "pattern": NAME_PATTERN})
class NameInput(TextOnly, serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            max_length=100,
            trim_whitespace=False,
            validators=[
                RegexValidator(
                    NAME_PATTERN,
                    _("Use printable characters, without a space at either end."),
                )
            ],
            **kwargs,
        )


@extend_schema_field({"type": "string", "format": "uri", "maxLength": 500, "pattern": URL_PATTERN})
class UrlInput(TextOnly, serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            max_length=500,
            validators=[
                RegexValidator(
                    URL_PATTERN,
                    _(
                        "Give an http:// or https:// address with a host name, e.g. "
                        "https://hooks.example.org/okr."
                    ),
                )
            ],
            **kwargs,
        )


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "enum": list(WEBHOOK_EVENTS)},
        "minItems": 1,
        "maxItems": 50,
    }
)
class EventsInput(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.ChoiceField(choices=WEBHOOK_EVENTS),
            allow_empty=False,
            max_length=50,
            **kwargs,
        )


@extend_schema_field(
    {
        "type": "string",
        "writeOnly": True,
        "minLength": SECRET_MIN_LENGTH,
        "maxLength": 200,
        "pattern": SECRET_PATTERN,
    }
)
class SecretInput(TextOnly, serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            write_only=True,
            trim_whitespace=False,
            min_length=SECRET_MIN_LENGTH,
            max_length=200,
            help_text=_("Signs every delivery (HMAC-SHA256). Never shown back."),
            **kwargs,
        )


class WebhookEndpointUpdateInput(serializers.Serializer):
    """PUT (every field but the secret, which is kept when left out) and PATCH."""

    name = NameInput()
    url = UrlInput()
    events = EventsInput()
    active = serializers.BooleanField(default=True)
    secret = SecretInput(required=False)


class WebhookEndpointCreateInput(WebhookEndpointUpdateInput):
    secret = SecretInput()


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
