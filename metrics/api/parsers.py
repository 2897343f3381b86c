from rest_framework.parsers import JSONParser


class SizeLimitedJSONParser(JSONParser):
    """Reads the body through Django's `request.body`, which refuses bodies above
    DATA_UPLOAD_MAX_MEMORY_SIZE (RequestDataTooBig, answered with 413). DRF's own stream
    reading would skip that check."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        django_request = getattr(request, "_request", None)
        if django_request is not None and not django_request._read_started:
            django_request.body  # noqa: B018 - raises RequestDataTooBig above the limit
        return super().parse(stream, media_type, parser_context)
