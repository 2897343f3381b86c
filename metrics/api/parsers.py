from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Deeper than any document the API takes (a drill-down table is three levels): refusing it
# up front keeps later recursive code (validation, error rendering) far from Python's limit.
MAX_JSON_DEPTH = 32


def _depth_exceeds(data, limit: int) -> bool:
    """Walks without recursion, so the check itself cannot overflow the stack."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class SizeLimitedJSONParser(JSONParser):
    """Reads the body through Django's `request.body`, which refuses bodies above
    DATA_UPLOAD_MAX_MEMORY_SIZE (RequestDataTooBig, answered with 413). DRF's own stream
    reading would skip that check. Documents nested deeper than MAX_JSON_DEPTH (or deep
    enough to exhaust the decoder's recursion, ~1000 levels) are a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        django_request = getattr(request, "_request", None)
        if django_request is not None and not django_request._read_started:
            django_request.body  # noqa: B018 - raises RequestDataTooBig above the limit
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
        else:
            if not _depth_exceeds(data, MAX_JSON_DEPTH):
                return data
        raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
