"""Query parameters of the HTML pages (`?before=`, `?session=`, `?page=`, `?department=`,
`?row=`, `?q=`). A value the page cannot use is a 400 page saying which parameter and why
(okrtracker.errors renders it), never a 500 and never silently ignored: a link that says
"compare with session ²" and shows some other session misleads whoever follows it. Ids are
read with the project's one ASCII-digit parser (`ascii_int`)."""

import logging
import unicodedata

from django.core.exceptions import BadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from metrics.services.validation import ascii_int

logger = logging.getLogger(__name__)

# How much of a refused value the message repeats (it is escaped like any template text).
SHOWN_CHARS = 40


class BadQuery(BadRequest):
    """A query parameter the page cannot use; `message` is shown to the user."""

    def __init__(self, name: str, message: str):
        self.name, self.message = name, message
        super().__init__(message)


class QueryErrorsMixin:
    """For class-based views: a BadQuery is the 400 page with its message and one log line
    (raised further, Django's handler would answer the same page but log a traceback for
    what is a mistyped address)."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except BadQuery as error:
            logger.warning("Bad query parameter on %s: %s", request.path, error.message)
            return render(request, "400.html", {"message": error.message}, status=400)


def _shown(raw: str) -> str:
    return raw if len(raw) <= SHOWN_CHARS else raw[:SHOWN_CHARS] + "…"


def query_int(request, name: str) -> int | None:
    """`?name=42` as 42; None when absent or blank; a BadQuery for anything else ("²", "٣",
    "x", "-1", "4.0")."""
    raw = request.GET.get(name, "")
    if not raw.strip():
        return None
    number = ascii_int(raw)
    if number is None:
        raise BadQuery(
            name,
            _("?%(name)s= must be a whole number written with the digits 0-9, not “%(raw)s”.")
            % {"name": name, "raw": _shown(raw)},
        )
    return number


def query_choice(request, name: str, choices, *, what: str) -> str:
    """`?name=` as one of `choices` (strings); "" when absent or blank; a BadQuery naming
    `what` ("department") for a value not among them."""
    raw = request.GET.get(name, "")
    if not raw.strip():
        return ""
    if raw not in choices:
        raise BadQuery(
            name,
            _("There is no %(what)s “%(raw)s” (?%(name)s=).")
            % {"what": what, "raw": _shown(raw), "name": name},
        )
    return raw


def query_text(request, name: str) -> str:
    """Free text such as the search's `?q=`; a BadQuery when it holds control characters
    other than spaces (a NUL byte cannot even be sent to PostgreSQL)."""
    raw = request.GET.get(name, "")
    if any(unicodedata.category(char) == "Cc" and not char.isspace() for char in raw):
        raise BadQuery(
            name, _("?%(name)s= cannot contain control characters such as NUL.") % {"name": name}
        )
    return raw


def query_page(request, count: int, *, name: str = "page", what: str = "") -> int:
    """`?page=` as a page number from 1 to `count` (1 when absent); a BadQuery naming the
    range for anything else."""
    number = query_int(request, name)
    if number is None:
        return 1
    if not 1 <= number <= count:
        raise BadQuery(
            name,
            _("?%(name)s= must be from 1 to %(count)s: there are %(count)s %(what)s.")
            % {"name": name, "count": count, "what": what or _("pages")},
        )
    return number
