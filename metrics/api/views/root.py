from drf_spectacular.utils import extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from metrics.api.views.base import ApiViewMixin

# The resources the root lists, in the order a reader meets them (router basenames).
RESOURCES = (
    ("sessions", "session"),
    ("departments", "department"),
    ("priorities", "priority"),
    ("quarters", "quarter"),
    ("outcomes", "outcome"),
    ("metrics", "metric"),
    ("observations", "observation"),
    ("quarterly-statuses", "quarterly-status"),
    ("objectives", "objective"),
    ("key-results", "key-result"),
    ("key-result-statuses", "key-result-status"),
    ("drilldowns", "drilldown"),
    ("footnotes", "footnote"),
    ("acronyms", "acronym"),
)


# The API root (/api/v1/): where each resource list lives, and the schema and its docs.
# Left out of the schema: the schema is itself the full, machine-readable list of what the
# root points to, and an operation without parameters has nothing to describe.
@extend_schema(exclude=True)
class ApiRootView(ApiViewMixin, APIView):
    renderer_classes = [JSONRenderer]
    pagination_class = None

    def get(self, request, *args, **kwargs):
        def url(name):
            return reverse(name, kwargs={"version": request.version}, request=request)

        return Response(
            {
                "resources": {name: url(f"api:{basename}-list") for name, basename in RESOURCES},
                "schema": url("api:schema"),
                "docs": {"swagger": url("api:swagger"), "redoc": url("api:redoc")},
                "token": url("api:obtain-token"),
            }
        )
