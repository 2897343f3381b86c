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
    """One optional field per kind, its channel; kinds left out keep theirs."""

    def get_fields(self):
        return {
            kind: serializers.ChoiceField(
                choices=NotificationChannel.choices, required=False, help_text=str(label)
            )
            for kind, label in NotificationKind.choices
        }
