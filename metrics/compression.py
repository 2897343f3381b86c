"""Compression of HTML and JSON responses, except where BREACH could reach a secret.

BREACH recovers a secret from the size of compressed responses that hold both the secret and
text the attacker chose (a reflected query parameter). The pages compressed here hold no
secret but the CSRF token, which Django masks afresh in every response, so no two responses
carry it alike. Responses that show a secret are sent as they are: the API token page, the
admin (which lists tokens) and anything that is not a read."""

from django.middleware.gzip import GZipMiddleware

# (namespace, url name or None for the whole namespace) of pages that show a secret.
UNCOMPRESSED = {("api", "token"), ("api", "obtain-token"), ("admin", None)}


def _shows_secret(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    namespace = match.namespaces[0] if match.namespaces else ""
    return (namespace, match.url_name) in UNCOMPRESSED or (namespace, None) in UNCOMPRESSED


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if request.method not in ("GET", "HEAD") or _shows_secret(request):
            return response
        return super().process_response(request, response)
