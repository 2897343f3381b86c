from django.urls import include, path

app_name = "metrics"
urlpatterns = [
    # The quarterly cycle: open the next session, author, hold (before the dashboards'
    # sessions/<id>/ pages).
    path("", include("metrics.views.urls_sessions")),
    # The dashboards, "home" included.
    path("", include("metrics.views.urls_dashboards")),
    # Status entry: check-in pages, backfill, imports, narratives.
    path("", include("metrics.views.urls_entry")),
    # Outgoing webhooks: the admins' pages.
    path("", include("metrics.views.urls_ops")),
]
