"""The one place a view turns "a selector found nothing" into a 404."""

from django.http import Http404


def found_or_404(row, message: str = "Not found."):
    if row is None:
        raise Http404(message)
    return row
