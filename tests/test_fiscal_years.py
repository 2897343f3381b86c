"""One range of valid fiscal years (metrics/fiscal.py), applied by every path that takes one:
the services, the quarter-picking form, the check-in URL, the API's status inputs, the API's
filters and the OpenAPI schema. Each accepts the first and last year and refuses one beyond."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from metrics.api.serializers.input import QuarterlyStatusSaveInput
from metrics.fiscal import FIRST_FISCAL_YEAR, last_fiscal_year
from metrics.forms.quarters import QuarterPickForm
from metrics.services.validation import quarter_resolve
from tests import factories
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def edges():
    return [
        (FIRST_FISCAL_YEAR - 1, False),
        (FIRST_FISCAL_YEAR, True),
        (last_fiscal_year(), True),
        (last_fiscal_year() + 1, False),
    ]


def test_the_range_runs_from_1950_to_five_years_ahead():
    from datetime import date

    assert FIRST_FISCAL_YEAR == 1950
    assert last_fiscal_year(date(2026, 11, 27)) == 2031


@pytest.mark.parametrize(("fiscal_year", "valid"), edges())
def test_the_services_take_exactly_the_valid_years(fiscal_year, valid):
    if valid:
        assert quarter_resolve((fiscal_year, 1)).fiscal_year == fiscal_year
    else:
        with pytest.raises(ValidationError):
            quarter_resolve((fiscal_year, 1))


@pytest.mark.parametrize(("fiscal_year", "valid"), edges())
def test_the_quarter_form_takes_exactly_the_valid_years(fiscal_year, valid):
    department = factories.DepartmentFactory()
    form = QuarterPickForm(
        {"department": department.slug, "fiscal_year": fiscal_year, "number": 1},
        departments=[department],
    )
    assert form.is_valid() is valid, form.errors


@pytest.mark.parametrize(("fiscal_year", "valid"), edges())
def test_the_checkin_url_takes_exactly_the_valid_years(client, fiscal_year, valid):
    department = factories.DepartmentFactory()
    client.force_login(factories.UserFactory(roles=["Admin"]))
    url = reverse(
        "metrics:checkin",
        kwargs={"department": department.slug, "fiscal_year": fiscal_year, "number": 1},
    )
    assert (client.get(url).status_code != 404) is valid


@pytest.mark.parametrize(("fiscal_year", "valid"), edges())
def test_the_api_status_input_takes_exactly_the_valid_years(fiscal_year, valid):
    serializer = QuarterlyStatusSaveInput(data={"fiscal_year": fiscal_year, "quarter_number": 1})
    serializer.is_valid()
    assert ("fiscal_year" not in serializer.errors) is valid


@pytest.mark.parametrize(("fiscal_year", "valid"), edges())
def test_the_api_filters_take_exactly_the_valid_years(fiscal_year, valid):
    client = client_for(factories.UserFactory(roles=["Viewer"]))
    response = client.get("/api/v1/quarters/", {"fiscal_year": fiscal_year})
    assert (response.status_code == 200) is valid, response.content


def test_the_schema_states_the_same_range():
    client = client_for(factories.UserFactory(roles=["Viewer"]))
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    query = next(
        p
        for p in schema["paths"]["/api/v1/quarters/"]["get"]["parameters"]
        if p["name"] == "fiscal_year"
    )
    assert (query["schema"]["minimum"], query["schema"]["maximum"]) == (
        FIRST_FISCAL_YEAR,
        last_fiscal_year(),
    )
    body = schema["components"]["schemas"]["QuarterlyStatusSaveInput"]["properties"]
    assert (body["fiscal_year"]["minimum"], body["fiscal_year"]["maximum"]) == (
        FIRST_FISCAL_YEAR,
        last_fiscal_year(),
    )
