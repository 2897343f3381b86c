"""A home per person: `/` for leads, facilitators, admins and executives (viewers keep the
latest session's deck). Rendered per person and never stored: it shows their own notices."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from metrics import permissions
from metrics.selectors.homes import home_for
from metrics.selectors.sessions import latest_session_id
from metrics.services.homes import home_changes_seen
from metrics.views.dashboards import ReadAccessMixin


def personal_home(request):
    return render(request, "homes/home.html", {"home": home_for(request.user)})


class HomeSeenView(ReadAccessMixin, View):
    """POST: "what changed" starts from now."""

    def post(self, request):
        home_changes_seen(user=request.user)
        messages.success(request, _("Marked as seen."))
        return redirect("metrics:home")


class HomeView(ReadAccessMixin, TemplateView):
    """What `/` opens: a home per person (views/homes.py); a viewer, who has nothing of their
    own to do, the latest session's deck; a short note when there is no session yet."""

    template_name = "metrics/home.html"

    def get(self, request, *args, **kwargs):
        if permissions.role_of(request.user) != permissions.Role.VIEWER:
            return personal_home(request)
        session_id = latest_session_id()
        if session_id is not None:
            return redirect("metrics:session", session_id=session_id)
        return super().get(request, *args, **kwargs)
