"""Content negotiation that refuses a `?format=` it cannot serve, the empty one included.

DRF ignores an empty `?format=` and serves JSON, though the schema lists the formats there
are: a client sending `format=` gets the same 404 as one sending `format=yaml`."""

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.negotiation import DefaultContentNegotiation


class StrictContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        param = self.settings.URL_FORMAT_OVERRIDE
        if format_suffix is None and param and request.query_params.get(param, None) == "":
            raise Http404(
                _("The %(param)s parameter is empty: leave it out or name a format.")
                % {"param": param}
            )
        return super().select_renderer(request, renderers, format_suffix)
