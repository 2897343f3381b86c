"""The OpenAPI description of the answers every endpoint may give besides its success, so
that tools (and the schemathesis test) know every status code they can meet."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

from metrics.api.serializers.input import MAX_UPSERT_ROWS
from metrics.api.serializers.output import ErrorSerializer
from metrics.fiscal import FIRST_FISCAL_YEAR, last_fiscal_year

FIELD_ERRORS = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='Field errors, {"field": ["message"]}, or {"detail": "..."} for bad JSON.',
)
ANSWERS_OF_EVERY_OPERATION = {
    "400": FIELD_ERRORS,
    "401": OpenApiResponse(ErrorSerializer, description="No token, or an unknown one."),
    "403": OpenApiResponse(ErrorSerializer, description="Your role or department may not."),
    "404": OpenApiResponse(ErrorSerializer, description="No such row (or format)."),
    "406": OpenApiResponse(ErrorSerializer, description="Accept names no format we serve."),
}
ANSWERS_OF_WRITES = {
    "409": OpenApiResponse(ErrorSerializer, description="Stale version: the current row."),
    "413": OpenApiResponse(ErrorSerializer, description="Body too large."),
    "415": OpenApiResponse(ErrorSerializer, description="The body is not JSON."),
    "423": OpenApiResponse(ErrorSerializer, description="The department's quarter is locked."),
}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        extra = dict(ANSWERS_OF_EVERY_OPERATION)
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            extra |= ANSWERS_OF_WRITES
        if getattr(self.view, "throttle_classes", None):
            extra["429"] = OpenApiResponse(ErrorSerializer, description="Too many tries; wait.")
        for code, answer in extra.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(answer, code)
        return responses


# Bounds the filters enforce (metrics/api/filters.py) that their generated schema leaves out,
# so clients and schemathesis know a quarter number is 1-4 before being told with a 400.
# The fiscal-year bound moves with today (metrics/fiscal.py), so it is read per schema.
QUERY_BOUNDS = {
    "quarter_number": (1, 4),
    "number": (1, 4),
}
ID_BOUNDS = (1, 2**63 - 1)


def bounds_postprocessing_hook(result, generator, request, public):
    """The schema says what the server checks, so clients (and schemathesis) agree with it."""
    components = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                _bound_query_parameter(parameter)
    _patches_require_their_version(components)
    _patch_bodies_required(result.get("paths", {}), components)
    _statuses_name_their_quarter(components)
    # Text fields refuse NUL characters (DRF's CharField, PostgreSQL's text): say so.
    for component in components.values():
        _no_nul_in_strings(component)
    upsert = components.get("ObservationUpsertInput")
    if upsert:
        upsert["properties"]["rows"].update(minItems=1, maxItems=MAX_UPSERT_ROWS)
    return result


def _bound_query_parameter(parameter) -> None:
    if parameter.get("in") != "query":
        return
    schema = parameter.get("schema", {})
    if parameter["name"] != "format":
        # `?state=` is the filter left blank: every list reads an empty query value as no
        # value at all (django-filter, the pagination); an empty `?format=` is a 404 like any
        # format not served.
        parameter["allowEmptyValue"] = True
    if schema.get("type") != "integer" or parameter["name"] in ("limit", "offset"):
        return
    bounds = QUERY_BOUNDS | {"fiscal_year": (FIRST_FISCAL_YEAR, last_fiscal_year())}
    low, high = bounds.get(parameter["name"], ID_BOUNDS)
    schema.setdefault("minimum", low)
    schema.setdefault("maximum", high)


def _patches_require_their_version(components) -> None:
    # A PATCH may leave out any field but the version it read (DRF's partial serializers
    # make every field optional in the schema; the views require the version).
    for name, component in components.items():
        if name.startswith("Patched") and "version" in component.get("properties", {}):
            component["required"] = sorted({*component.get("required", []), "version"})
    # A comment's edit is its new text: nothing else to patch.
    if "PatchedCommentUpdateInput" in components:
        edit = components["PatchedCommentUpdateInput"]
        edit["required"] = sorted({*edit.get("required", []), "body"})


def _patch_bodies_required(paths, components) -> None:
    """... so such a PATCH has a body."""
    for operations in paths.values():
        body = operations.get("patch", {}).get("requestBody")
        if body and any(
            "version"
            in components.get(media["schema"].get("$ref", "").split("/")[-1], {}).get(
                "required", []
            )
            for media in body.get("content", {}).values()
        ):
            body["required"] = True


def _statuses_name_their_quarter(components) -> None:
    # A status names its quarter by id, or by fiscal year and quarter number: one of the two.
    for name in ("QuarterlyStatusSaveInput", "KeyResultStatusSaveInput"):
        if name in components:
            components[name]["anyOf"] = [
                {"required": ["quarter"]},
                {"required": ["fiscal_year", "quarter_number"]},
            ]


NO_NUL = "^[^\\u0000]*$"


# Not blank and no NUL ("\\S" alone lets a NUL count as the non-blank character).
NOT_BLANK_NO_NUL = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


def _no_nul_in_strings(schema: dict) -> None:
    for prop in schema.get("properties", {}).values():
        items = prop.get("items") if prop.get("type") == "array" else None
        for candidate in (prop, items or {}):
            if candidate.get("type") != "string" or candidate.get("readOnly"):
                continue
            if candidate.get("pattern") == "\\S":
                candidate["pattern"] = NOT_BLANK_NO_NUL
            elif not {"format", "enum", "pattern"} & set(candidate):
                candidate["pattern"] = NO_NUL
