"""Compression of HTML and JSON responses, except where BREACH could reach a secret.

BREACH recovers a secret from the size of compressed responses that hold both the secret and
text the attacker chose (a reflected query parameter). The pages compressed here hold no
secret but the CSRF token, which Django masks afresh in every response, so no two responses
carry it alike. Responses that show a secret are sent as they are: the API token page, the
admin (which lists tokens) and anything that is not a read."""

from django.middleware.gzip import GZipMiddleware

from metrics.caching.store import STORED_HEADERS, stored_response_set

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
        response = super().process_response(request, response)
        store = getattr(request, "_okr_store_response", None)
        # metrics.caching.http asked for it: kept compressed, so that the same request
        # again is sent these bytes (the CSRF token's mask is then the same in both, as in
        # any cached page: BREACH needs many differently reflected responses, and another
        # query string is another ETag, rendered afresh).
        if store and response.status_code == 200 and not response.streaming:
            headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
            stored_response_set(*store, response.content, headers)
        return response
