"""Selectors raise NotFoundError, not an HTTP answer; pages and the API turn it into a 404."""

from datetime import date

import pytest
from django.http import Http404
from django.test import RequestFactory

from metrics.api.exceptions import api_exception_handler
from metrics.middleware import NotFoundMiddleware
from metrics.selectors import charts, session_cycle, session_pages
from metrics.selectors.errors import NotFoundError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "lookup",
    [
        lambda: session_pages.session_header(987654),
        lambda: session_cycle.session_authoring(987654),
        lambda: charts.metric_chart_data(987654, until=date(2021, 1, 1)),
    ],
    ids=["session header", "session authoring", "chart data"],
)
def test_an_unknown_row_is_a_not_found_error(lookup):
    with pytest.raises(NotFoundError) as raised:
        lookup()

    assert not isinstance(raised.value, Http404)


def test_a_page_answers_404_for_it():
    middleware = NotFoundMiddleware(lambda request: None)
    request = RequestFactory().get("/sessions/987654/")

    with pytest.raises(Http404, match="No such tuning session."):
        middleware.process_exception(request, NotFoundError("No such tuning session."))
    assert middleware.process_exception(request, ValueError("other")) is None


def test_the_api_answers_404_as_json():
    response = api_exception_handler(NotFoundError("No such metric."), {})

    assert (response.status_code, response.data) == (404, {"detail": "No such metric."})
