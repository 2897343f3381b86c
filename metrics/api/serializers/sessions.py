"""Input and output of the quarterly-cycle actions on sessions (open next, hold, reopen)."""

from django.utils.translation import gettext as _
from rest_framework import serializers


class OpenNextInputSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(
        required=False, min_value=1900, max_value=9999, help_text="Defaults to the next quarter's."
    )
    quarter_number = serializers.IntegerField(required=False, min_value=1, max_value=4)
    status_deadline = serializers.DateField(
        required=False,
        help_text="Default: SESSION_STATUS_DEADLINE_DAYS after the quarter ends.",
    )
    notify = serializers.BooleanField(
        required=False, default=True, help_text="Email each department's leads."
    )

    def validate(self, attrs):
        if ("fiscal_year" in attrs) != ("quarter_number" in attrs):
            raise serializers.ValidationError(
                _("Give both fiscal_year and quarter_number, or neither (the next quarter).")
            )
        return attrs


class SessionStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    quarter = serializers.CharField(source="quarter.label")
    state = serializers.CharField()
    held_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class OpenNextResultSerializer(serializers.Serializer):
    created = serializers.BooleanField()
    emailed = serializers.IntegerField(help_text="Departments whose leads were emailed.")
    session = SessionStateSerializer()
