from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

from metrics.caching.store import list_count
from metrics.caching.versions import request_data_version

# Far past any list the API holds, and inside a 32-bit OFFSET on every database.
MAX_OFFSET = 1_000_000_000


class ApiPagination(LimitOffsetPagination):
    """limit a whole number from 1 (above 1000 it is capped at 1000) and offset 0-1e9;
    anything else is a 400 naming the parameter (DRF would silently fall back to the
    defaults, so a client's typo went unnoticed)."""

    default_limit = 100
    max_limit = 1000

    def _bounded(self, request, name: str, *, minimum: int, maximum: int | None, default):
        values = request.query_params.getlist(name)
        if len(values) > 1:
            raise ValidationError({name: ["Give this parameter once."]})
        raw = values[0] if values else None
        if raw is None or raw == "":
            return default
        if not (raw.isascii() and raw.isdigit()) or int(raw) < minimum:
            raise ValidationError({name: [f"Enter a whole number from {minimum}."]})
        if maximum is not None and int(raw) > maximum:
            raise ValidationError({name: [f"Enter a whole number from {minimum} to {maximum}."]})
        return int(raw)

    def get_limit(self, request):
        limit = self._bounded(
            request, self.limit_query_param, minimum=1, maximum=None, default=self.default_limit
        )
        return min(limit, self.max_limit)

    def get_count(self, queryset):
        """The list's COUNT(*), once per data version and query: at a million rows the count
        costs more than the page (every page of a list and every reader share it). Keyed by
        the SQL itself, so two lists share a count only when they count the same rows."""
        count = list_count(request_data_version(self.request), queryset)
        return super().get_count(queryset) if count is None else count

    def get_offset(self, request):
        return self._bounded(
            request, self.offset_query_param, minimum=0, maximum=MAX_OFFSET, default=0
        )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: (1, None),
            self.offset_query_param: (0, MAX_OFFSET),
        }
        for parameter in parameters:
            if parameter["name"] in bounds:
                low, high = bounds[parameter["name"]]
                parameter["schema"]["minimum"] = low
                if high is not None:
                    parameter["schema"]["maximum"] = high
        return parameters
