"""The reader's own notifications and their choices per kind. Every role may read and mark
its own; nobody reaches another person's (their ids answer 404)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics import permissions as rules
from metrics.api.serializers.notifications import (
    MarkedSerializer,
    NotificationPreferenceSerializer,
    NotificationPreferencesInputSerializer,
    NotificationSerializer,
)
from metrics.api.views.base import ApiViewMixin
from metrics.models import Notification
from metrics.selectors.notifications import preferences_of
from metrics.services.notifications import (
    notification_preferences_set,
    notifications_mark_read,
)


class HasAnyRole(permissions.BasePermission):
    """Any role, reads and writes alike: these are the reader's own rows."""

    message = "Your account has no okrtracker role; ask an administrator for one."

    def has_permission(self, request, view) -> bool:
        return rules.can_read(request.user)


class NotificationViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your notifications, newest first."""

    permission_classes = [HasAnyRole]
    serializer_class = NotificationSerializer
    filter_backends = []
    # Narrowed to the reader's own in get_queryset; named for the router and the schema.
    queryset = Notification.objects.none()
    # An id past a bigint matches no route (a JSON 404), never the database driver.
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        rows = Notification.objects.filter(recipient_id=self.request.user.pk).select_related(
            "actor"
        )
        if _unread_only(self.request.query_params.get("unread")):
            rows = rows.filter(read_at__isnull=True)
        return rows.order_by("-created_at", "-id")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "unread", OpenApiTypes.BOOL, description="Only the unread ones when true."
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        _unread_only(request.query_params.get("unread"))  # a 400 before any query
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, *args, **kwargs):
        """Mark this notification read."""
        notification = self.get_object()
        notifications_mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request, *args, **kwargs):
        """Mark all your notifications read."""
        return Response({"marked": notifications_mark_read(user=request.user)})


class NotificationPreferencesView(ApiViewMixin, APIView):
    """Your channel for each kind of notice: email (in app and by email), in_app, digest
    (in app and a daily digest email) or off."""

    permission_classes = [HasAnyRole]
    pagination_class = None

    def _answer(self, request, code=status.HTTP_200_OK):
        rows = [
            {"kind": kind, "label": str(label), "channel": channel}
            for kind, label, channel in preferences_of(request.user)
        ]
        return Response(NotificationPreferenceSerializer(rows, many=True).data, status=code)

    @extend_schema(responses=NotificationPreferenceSerializer(many=True))
    def get(self, request, *args, **kwargs):
        return self._answer(request)

    @extend_schema(
        request=NotificationPreferencesInputSerializer,
        responses=NotificationPreferenceSerializer(many=True),
    )
    def patch(self, request, *args, **kwargs):
        data = NotificationPreferencesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notification_preferences_set(user=request.user, channels=dict(data.validated_data))
        return self._answer(request)


def _unread_only(raw: str | None) -> bool:
    """`?unread=` as a boolean: true/1, false/0 or blank; anything else is a 400 naming it."""
    if raw in (None, "", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise ValidationError({"unread": ["Use true or false."]})
