"""Site-wide response policies: failed authorisations logged."""

from metrics import permissions


class DenialLogMiddleware:
    """Every refused request (401, 403, 429) leaves a line in the `metrics.permissions` log,
    unless the code that refused it already logged it with more detail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        logged: list = []
        token = permissions.denials_this_request.set(logged)
        try:
            response = self.get_response(request)
        finally:
            permissions.denials_this_request.reset(token)
        if response.status_code in (401, 403, 429) and not logged:
            permissions.log_denied(
                getattr(request, "user", None),
                f"{request.method} {request.path}",
                f"HTTP {response.status_code}",
            )
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy, Permissions-Policy and, for signed-in users, Cache-Control.

    Scripts come only from this site's own files (static/js), never inline: a script that
    slips into a page through user content cannot run. Styles allow inline because plotly.js
    injects its chart styles as <style> elements. A per-request nonce (request.csp_nonce) is
    there for a template that truly needs an inline script; the schema browsers (Swagger UI,
    Redoc) are third-party pages with inline bootstrap scripts and get 'unsafe-inline' for
    scripts on their own two URLs only.
    """

    POLICY = (
        "default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
        "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
    DOCS_POLICY = POLICY.replace("'nonce-{nonce}'", "'unsafe-inline'")
    PERMISSIONS = (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=(), interest-cohort=()"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import secrets

        from django.urls import reverse

        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        docs = request.path in {
            reverse("api:swagger", kwargs={"version": "v1"}),
            reverse("api:redoc", kwargs={"version": "v1"}),
        }
        policy = self.DOCS_POLICY if docs else self.POLICY.format(nonce=request.csp_nonce)
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", self.PERMISSIONS)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # What one person may read must not stay in a shared or back-button cache.
            # A view that set its own policy (ETag revalidation) keeps it, made private.
            if "Cache-Control" in response.headers:
                from django.utils.cache import patch_cache_control

                patch_cache_control(response, private=True)
            else:
                response.headers["Cache-Control"] = "private, no-store"
        return response
