"""/api/v1/webhooks/: admins register the endpoints that hear about changes, and read each
endpoint's delivery log. The secret is accepted, never returned."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from metrics import permissions as rules
from metrics.api.pagination import ApiPagination
from metrics.api.serializers.webhooks import (
    WebhookDeliverySerializer,
    WebhookEndpointCreateInput,
    WebhookEndpointOutputSerializer,
    WebhookEndpointUpdateInput,
)
from metrics.api.views.base import ApiViewMixin
from metrics.models import WebhookEndpoint
from metrics.selectors.webhooks import webhook_deliveries, webhook_endpoint, webhook_endpoints
from metrics.services.webhooks import webhook_endpoint_delete, webhook_endpoint_save


class CanManageWebhooks(drf_permissions.BasePermission):
    message = "Only admins manage webhooks."

    def has_permission(self, request, view) -> bool:
        if rules.can_manage_webhooks(request.user):
            return True
        rules.log_denied(request.user, f"api webhooks {view.action}", view.kwargs.get("pk"))
        return False


class WebhookPagination(ApiPagination):
    # Endpoints and deliveries are outside the data version (the base class caches counts
    # under it): count them afresh.
    def get_count(self, queryset):
        return queryset.count()


@extend_schema_view(
    list=extend_schema(summary="Webhook endpoints (admins)"),
    retrieve=extend_schema(
        summary="One webhook endpoint", responses={200: WebhookEndpointOutputSerializer}
    ),
    create=extend_schema(
        summary="Register a webhook endpoint",
        request=WebhookEndpointCreateInput,
        responses={201: WebhookEndpointOutputSerializer},
    ),
    update=extend_schema(
        summary="Change a webhook endpoint (leave out the secret to keep it)",
        request=WebhookEndpointUpdateInput,
        responses={200: WebhookEndpointOutputSerializer},
    ),
    partial_update=extend_schema(
        summary="Change some of a webhook endpoint's fields",
        request=WebhookEndpointUpdateInput,
        responses={200: WebhookEndpointOutputSerializer},
    ),
    destroy=extend_schema(
        summary="Delete a webhook endpoint and its delivery log", responses={204: None}
    ),
)
class WebhookEndpointViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [drf_permissions.IsAuthenticated, CanManageWebhooks]
    queryset = WebhookEndpoint.objects.all()  # what the router and DRF read; rows: get_queryset
    serializer_class = WebhookEndpointOutputSerializer
    pagination_class = WebhookPagination
    renderer_classes = [JSONRenderer]
    filter_backends = []

    def get_queryset(self):
        return webhook_endpoints()

    def create(self, request, *args, **kwargs):
        data = self._input(request, WebhookEndpointCreateInput, partial=False)
        endpoint = webhook_endpoint_save(actor=request.user, **data)
        return self._answer(endpoint, http.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        current = self.get_object()
        partial = kwargs.get("partial", False)
        data = self._input(request, WebhookEndpointUpdateInput, partial=partial)
        values = {
            "name": current.name,
            "url": current.url,
            "events": current.events,
            "active": current.active,
            **data,
        }
        endpoint = webhook_endpoint_save(actor=request.user, endpoint=current, **values)
        return self._answer(endpoint, http.HTTP_200_OK)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        webhook_endpoint_delete(actor=request.user, endpoint=self.get_object())
        return Response(status=http.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="An endpoint's delivery log: each delivery with its attempts, newest first",
        responses={200: WebhookDeliverySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], serializer_class=WebhookDeliverySerializer)
    def deliveries(self, request, *args, **kwargs):
        endpoint = self.get_object()
        page = self.paginate_queryset(webhook_deliveries(endpoint_id=endpoint.pk))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @staticmethod
    def _input(request, serializer_class, *, partial: bool) -> dict:
        serializer = serializer_class(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _answer(self, endpoint, status_code):
        endpoint = webhook_endpoint(endpoint.pk)
        return Response(WebhookEndpointOutputSerializer(endpoint).data, status=status_code)
