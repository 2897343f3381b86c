"""The REST API. Versioned in the path (/api/v1/...); the schema and its docs live beside the
resources, served from local static files."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from metrics.api.views import notifications, resources, sessions, threads, webhooks, writes
from metrics.api.views.auth import ObtainTokenView
from metrics.api.views.root import ApiRootView
from metrics.views.tokens import ApiTokenView

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("departments", resources.DepartmentViewSet, basename="department")
router.register("priorities", resources.PriorityViewSet, basename="priority")
router.register("quarters", resources.QuarterViewSet, basename="quarter")
router.register("outcomes", resources.OutcomeViewSet, basename="outcome")
router.register("metrics", resources.MetricViewSet, basename="metric")
router.register("observations", writes.ObservationViewSet, basename="observation")
router.register("quarterly-statuses", writes.QuarterlyStatusViewSet, basename="quarterly-status")
router.register("objectives", writes.ObjectiveViewSet, basename="objective")
router.register("key-results", resources.KeyResultViewSet, basename="key-result")
router.register("key-result-statuses", writes.KeyResultStatusViewSet, basename="key-result-status")
router.register("drilldowns", writes.DrilldownViewSet, basename="drilldown")
router.register("sessions", sessions.TuningSessionViewSet, basename="session")
router.register("footnotes", resources.FootnoteViewSet, basename="footnote")
router.register("acronyms", resources.AcronymViewSet, basename="acronym")
# Comment threads (docs/threads.md).
router.register("threads", threads.ThreadViewSet, basename="thread")
router.register("comments", threads.CommentViewSet, basename="comment")
# The reader's own notifications (issue 18).
router.register("notifications", notifications.NotificationViewSet, basename="notification")

# Outgoing webhooks (issue 22): admins only.
router.register("webhooks", webhooks.WebhookEndpointViewSet, basename="webhook")

v1_patterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("auth/token/", ObtainTokenView.as_view(), name="obtain-token"),
    path(
        "notification-preferences/",
        notifications.NotificationPreferencesView.as_view(),
        name="notification-preferences",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("schema/swagger/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="swagger"),
    path("schema/redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include(router.urls)),
    path("", include("metrics.api.urls_review")),  # the review loop: /submissions/...
]


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Anything else under /api/ is a JSON 404, not the site's HTML page."""
    return JsonResponse({"detail": "Not found."}, status=404)


urlpatterns = [
    re_path(r"^(?P<version>v1)/", include(v1_patterns)),
    # The HTML page where users manage their token (not part of the versioned API).
    path("token/", ApiTokenView.as_view(), name="token"),
    re_path(r"^", not_found),
]
