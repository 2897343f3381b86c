"""The API's adapter onto `metrics.permissions`: the same rules as the forms, no second copy."""

from rest_framework import permissions

from metrics import permissions as rules


class HasRole(permissions.BasePermission):
    """Reads need a role; writes need a role that may write (admin, department lead) and,
    per row, the right to edit that row's department."""

    message = "Your account has no okrtracker role; ask an administrator for one."

    def has_permission(self, request, view) -> bool:
        if not rules.can_read(request.user):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if rules.writes_figures(request.user):
            return True
        rules.log_denied(request.user, f"api {request.method}", view.__class__.__name__)
        self.message = "Your role reads figures but does not change them."
        return False

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if rules.can_edit(request.user, obj):
            return True
        rules.log_denied(request.user, f"api {request.method}", obj)
        self.message = "You may only change your own department's figures."
        return False
