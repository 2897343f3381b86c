"""The reader's own notifications and notification choices (input and output apart)."""

from rest_framework import serializers

from metrics.models import NotificationChannel, NotificationKind


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    summary = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField(help_text="A path on this site (empty: none).")
    actor = serializers.CharField(
        source="actor.get_username", allow_null=True, default=None, help_text="Who acted."
    )
    department_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    email_state = serializers.CharField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many became read.")


class NotificationPreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    label = serializers.CharField()
    channel = serializers.ChoiceField(choices=NotificationChannel.choices)


class NotificationPreferencesInputSerializer(serializers.Serializer):
    """Kinds left out keep their channel."""

    channels = serializers.DictField(
        child=serializers.ChoiceField(choices=NotificationChannel.choices),
        help_text="kind -> channel (email, in_app, digest, off).",
    )

    def validate_channels(self, value):
        unknown = sorted(set(value) - set(NotificationKind.values))
        if unknown:
            raise serializers.ValidationError(f"Unknown kinds: {', '.join(unknown)}.")
        return value
