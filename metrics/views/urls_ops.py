from django.urls import path

from metrics.views import webhooks

urlpatterns = [
    path("webhooks/", webhooks.WebhookListView.as_view(), name="webhooks"),
    path("webhooks/<int:endpoint_id>/", webhooks.WebhookDetailView.as_view(), name="webhook"),
]
