from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from metrics.views.accounts import LimitedAdminAuthenticationForm, sign_in, signin_limited

# The admin's login counts failed sign-ins with the login page's limits.
admin.site.login_form = LimitedAdminAuthenticationForm

urlpatterns = [
    path("admin/login/", signin_limited(admin.site.login), name="admin-login"),
    path("admin/", admin.site.urls),
    path("accounts/login/", sign_in, name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("metrics.api.urls")),
    path("", include("metrics.urls")),
]

if settings.BENCHMARK_FLOORS:  # benchmarks/web.py's floors; never set in a deployment
    from metrics.views import bench_floors

    urlpatterns = [
        path("bench/template/", bench_floors.template_floor),
        path("bench/values/", bench_floors.values_floor),
        *urlpatterns,
    ]

# A too-large body (a 10 MB paste) gets a readable 413 page instead of a bare 400.
handler400 = "metrics.views.entry_errors.bad_request"
