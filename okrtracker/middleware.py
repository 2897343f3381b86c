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
