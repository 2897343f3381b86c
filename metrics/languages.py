"""The interface's language per request: the person's choice, carried in their session.

LocaleMiddleware picks the language cookie or Accept-Language; for a signed-in person their
own choice wins, read from their account once, at sign-in, and kept in the session (so no
page pays a query for it). Changing it (the account menu) updates account, session and cookie.
"""

from django.conf import settings
from django.utils import translation

from metrics.services.languages import account_language

SESSION_KEY = "okr_language"


def on_signed_in(sender, request, user, **kwargs):
    language = account_language(user)
    if language and request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = language


class AccountLanguageMiddleware:
    """After AuthenticationMiddleware: a session's language (the person's choice) wins over
    the cookie and the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only a request that has a session cookie can carry a choice: no session is loaded
        # (no query) for anyone else.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            language = request.session.get(SESSION_KEY)
            if language in dict(settings.LANGUAGES):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
