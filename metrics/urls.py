from django.urls import include, path

app_name = "metrics"
urlpatterns = [
    # The dashboards, "home" included.
    path("", include("metrics.views.urls_dashboards")),
    # Status entry: check-in pages, backfill, imports, narratives.
    path("", include("metrics.views.urls_entry")),
]
