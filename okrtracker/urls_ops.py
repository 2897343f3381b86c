"""The operators' endpoints (served early by okrtracker.health.ProbeMiddleware; routed here
too, so reverse() names them)."""

from django.urls import path

from metrics.prometheus import scrape
from okrtracker.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", scrape, name="metrics-scrape"),
]
