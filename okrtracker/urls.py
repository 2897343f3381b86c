from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("metrics.api.urls")),
    path("", include("metrics.urls")),
]

# A too-large body (a 10 MB paste) gets a readable 413 page instead of a bare 400.
handler400 = "metrics.views.entry_errors.bad_request"
