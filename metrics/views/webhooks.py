"""The admins' pages for outgoing webhooks: the endpoints, one endpoint's settings and its
delivery log (the latest deliveries, each attempt with its status, error and duration)."""

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from metrics import permissions
from metrics.forms.webhooks import EVENT_LABELS, WebhookEndpointForm
from metrics.selectors.webhooks import (
    DELIVERY_LOG_SIZE,
    webhook_deliveries,
    webhook_endpoint,
    webhook_endpoints,
)
from metrics.services.webhooks import (
    BODY_VERSION,
    webhook_endpoint_delete,
    webhook_endpoint_save,
)


class WebhookAdminMixin(AccessMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not permissions.can_manage_webhooks(request.user):
            permissions.log_denied(request.user, f"{request.method} {request.path}", "webhooks")
            raise PermissionDenied(_("Only admins manage webhooks."))
        return super().dispatch(request, *args, **kwargs)


class WebhookListView(WebhookAdminMixin, TemplateView):
    template_name = "webhooks/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            endpoints=list(webhook_endpoints()),
            form=kwargs.get("form") or WebhookEndpointForm(),
            body_version=BODY_VERSION,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = WebhookEndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint = webhook_endpoint_save(actor=request.user, **form.service_values())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Webhook endpoint “%s” added.") % endpoint.name)
                return redirect("metrics:webhook", endpoint_id=endpoint.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class WebhookDetailView(WebhookAdminMixin, TemplateView):
    template_name = "webhooks/detail.html"

    def endpoint(self):
        # An unknown id: NotFoundError, the 404 page (metrics.middleware.NotFoundMiddleware).
        return webhook_endpoint(self.kwargs["endpoint_id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        endpoint = kwargs.get("endpoint") or self.endpoint()
        context.update(
            endpoint=endpoint,
            form=kwargs.get("form") or WebhookEndpointForm(instance=endpoint),
            deliveries=list(webhook_deliveries(endpoint_id=endpoint.pk)[:DELIVERY_LOG_SIZE]),
            delivery_log_size=DELIVERY_LOG_SIZE,
            event_labels=EVENT_LABELS,
        )
        return context

    def post(self, request, *args, **kwargs):
        endpoint = self.endpoint()
        if request.POST.get("action") == "delete":
            webhook_endpoint_delete(actor=request.user, endpoint=endpoint)
            messages.success(request, _("Webhook endpoint “%s” deleted.") % endpoint.name)
            return redirect("metrics:webhooks")
        form = WebhookEndpointForm(request.POST, instance=endpoint)
        if form.is_valid():
            try:
                webhook_endpoint_save(
                    actor=request.user, endpoint=endpoint, **form.service_values()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Webhook endpoint “%s” saved.") % endpoint.name)
                return redirect("metrics:webhook", endpoint_id=endpoint.pk)
        context = self.get_context_data(endpoint=self.endpoint(), form=form)
        return self.render_to_response(context, status=400)
