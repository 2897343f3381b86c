"""Who reaches the entry pages: signed-in users who may edit the department in the URL.
Anyone else gets a 403 and the attempt is logged (a lead posting to another department's URL
is worth knowing); anonymous users are sent to sign in."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from metrics import permissions
from metrics.fiscal import is_valid_fiscal_year
from metrics.formatting import possessive
from metrics.models import Quarter
from metrics.selectors.entry import department_by_slug, quarter_stored
from metrics.services.validation import quarter_resolve
from metrics.views.lookups import found_or_404


class DepartmentEntryMixin(LoginRequiredMixin):
    """Resolves self.department from the URL and refuses users who may not edit it."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.department = found_or_404(department_by_slug(kwargs["department"]))
        if not permissions.can_use_checkin(request.user, self.department):
            permissions.log_denied(
                request.user, f"{request.method} {request.path}", self.department
            )
            raise PermissionDenied(
                _("Only %(departments)s leads and admins edit these figures.")
                % {"departments": possessive(self.department)}
            )
        return super().dispatch(request, *args, **kwargs)


class QuarterEntryMixin(DepartmentEntryMixin):
    """Also resolves self.quarter from fiscal_year and number (Q1-Q4) in the URL."""

    def dispatch(self, request, *args, **kwargs):
        number, fiscal_year = kwargs["number"], kwargs["fiscal_year"]
        if number not in (1, 2, 3, 4) or not is_valid_fiscal_year(fiscal_year):
            raise Http404(_("A fiscal year has quarters Q1 to Q4."))
        self.quarter_key = (fiscal_year, number)
        return super().dispatch(request, *args, **kwargs)

    @property
    def quarter(self) -> Quarter:
        """The quarter's row. A GET never writes: reading a quarter nobody has entered yet
        shows an unsaved one (empty rows); the first save creates it."""
        if not hasattr(self, "_quarter"):
            fiscal_year, number = self.quarter_key
            if self.request.method in ("GET", "HEAD", "OPTIONS"):
                found = quarter_stored(fiscal_year=fiscal_year, number=number)
                self._quarter = found or Quarter.unsaved(fiscal_year, number)
            else:
                self._quarter = quarter_resolve((fiscal_year, number))
        return self._quarter

    def quarter_url_kwargs(self) -> dict:
        return {
            "department": self.department.slug,
            "fiscal_year": self.quarter_key[0],
            "number": self.quarter_key[1],
        }
