from rest_framework.renderers import JSONRenderer

from metrics.api.pagination import ApiPagination
from metrics.api.parsers import SizeLimitedJSONParser
from metrics.api.permissions import HasRole
from metrics.api.renderers import CSVRenderer
from metrics.api.schema import ApiAutoSchema


# What every okrtracker endpoint shares: role checks, JSON in, JSON or CSV out. (A comment,
# not a docstring: drf-spectacular would print a docstring as every endpoint's description.)
class ApiViewMixin:
    permission_classes = [HasRole]
    parser_classes = [SizeLimitedJSONParser]
    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = ApiPagination
    schema = ApiAutoSchema()
