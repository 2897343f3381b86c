from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from metrics.sso.views import SignOutView, password_sign_in_or_redirect
from metrics.views.accounts import (
    LimitedAdminAuthenticationForm,
    password_reset,
    sign_in,
    signin_limited,
)
from metrics.views.languages import LanguageChoiceView

# The admin's login counts failed sign-ins with the login page's limits.
admin.site.login_form = LimitedAdminAuthenticationForm

urlpatterns = [
    path(
        "admin/login/",
        password_sign_in_or_redirect(signin_limited(admin.site.login)),
        name="admin-login",
    ),
    path("admin/", admin.site.urls),
    path("accounts/login/", sign_in, name="login"),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("accounts/password_reset/", password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("oidc/", include("metrics.sso.urls")),
    path("language/", LanguageChoiceView.as_view(), name="language"),
    path("api/", include("metrics.api.urls")),
    path("", include("okrtracker.urls_ops")),  # /healthz, /readyz, /metrics
    path("", include("metrics.urls")),
]

if settings.BENCHMARK_FLOORS:  # benchmarks/web.py's floors; never set in a deployment
    from metrics.views import bench_floors

    urlpatterns = [
        path("bench/template/", bench_floors.template_floor),
        path("bench/values/", bench_floors.values_floor),
        *urlpatterns,
    ]

# JSON under /api/, the site's pages elsewhere (a too-large body gets a readable 413).
handler400 = "okrtracker.errors.bad_request"
handler403 = "okrtracker.errors.permission_denied"
handler404 = "okrtracker.errors.page_not_found"
handler500 = "okrtracker.errors.server_error"
