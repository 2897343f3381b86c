from django.urls import include, path

app_name = "metrics"
urlpatterns = [
    # The quarterly cycle: open the next session, author, hold (before the dashboards'
    # sessions/<id>/ pages).
    path("", include("metrics.views.urls_sessions")),
    path("", include("metrics.views.urls_review")),  # the review loop, hold and delete confirmed
    # Notifications: inbox, unread count, preferences; the home's "mark as seen".
    path("", include("metrics.views.urls_notify")),
    # The dashboards, "home" included.
    path("", include("metrics.views.urls_dashboards")),
    # Status entry: check-in pages, backfill, imports, narratives.
    path("", include("metrics.views.urls_entry")),
    # Comment threads and the discussion panel.
    path("", include("metrics.views.urls_threads")),
    # Outgoing webhooks: the admins' pages.
    path("", include("metrics.views.urls_ops")),
]
