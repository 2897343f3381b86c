"""A home per person: `/` for leads, facilitators, admins and executives (viewers keep the
latest session's deck). Rendered per person and never stored: it shows their own notices."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from metrics.selectors.homes import home_for
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
