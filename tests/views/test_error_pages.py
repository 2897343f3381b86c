"""Every error page in the app's layout: 403, 404, 500 and the 413 of a 10 MB paste, the
last under DEBUG (make run) as well as in production."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

from metrics import models
from tests.entry_world import entry_world_build
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LAYOUT = 'class="topbar"'


def checkin_url():
    return reverse(
        "metrics:checkin", kwargs={"department": "product", "fiscal_year": 2020, "number": 3}
    )


def test_an_unknown_address_is_a_404_in_the_layout(client):
    client.force_login(UserFactory(roles=["Viewer"]))

    response = client.get("/no/such/page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert LAYOUT in html and "There is no such page" in html and "app.css" in html


def test_a_refused_page_is_a_403_in_the_layout(client):
    world = entry_world_build()
    client.force_login(world.lead_product)

    response = client.get(
        reverse("metrics:checkin", kwargs={"department": "legal", "fiscal_year": 2020, "number": 3})
    )

    assert response.status_code == 403
    assert LAYOUT in response.content.decode()


def test_the_500_page_needs_no_request_context_and_no_database(django_assert_num_queries):
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = defaults.server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert LAYOUT in html and "Something went wrong" in html and "app.css" in html


def test_the_login_and_password_pages_are_in_the_layout(client):
    assert LAYOUT in client.get(reverse("login")).content.decode()
    client.force_login(UserFactory(roles=["Viewer"]))
    html = client.get(reverse("password_change")).content.decode()
    assert LAYOUT in html and "Change your password" in html


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_ten_megabyte_paste_is_a_styled_413_in_both_modes(settings, debug):
    settings.DEBUG = debug
    world = entry_world_build()
    # Under DEBUG Django would answer with its debug page instead of raising in the client.
    client = Client(raise_request_exception=False)
    client.force_login(world.lead_product)

    response = client.post(
        checkin_url(), {f"status-{world.editors.pk}-0-comment": "x" * (10 * 1024 * 1024)}
    )

    html = response.content.decode()
    assert response.status_code == 413
    assert LAYOUT in html and "too much at once" in html
    assert "Traceback" not in html and "DJANGO_SETTINGS_MODULE" not in html
    assert not models.QuarterlyStatus.objects.exists()


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_too_large_json_body_is_a_json_413_in_both_modes(settings, debug):
    settings.DEBUG = debug
    world = entry_world_build()
    client = Client(raise_request_exception=False)
    client.force_login(world.lead_product)

    response = client.post(
        reverse("api:observation-list", kwargs={"version": "v1"}),
        data="[" + "1," * (2 * 1024 * 1024) + "1]",
        content_type="application/json",
    )

    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


def test_a_small_form_post_still_reaches_the_view(client):
    world = entry_world_build()
    client.force_login(world.lead_product)

    response = client.post(checkin_url(), {"nothing": "here"})

    assert response.status_code != 413


TOO_MANY_PARAMETERS = "&".join(f"a{i}=1" for i in range(1100))


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_query_string_with_too_many_parameters_is_a_400_page_in_both_modes(settings, debug):
    """Over DATA_UPLOAD_MAX_NUMBER_FIELDS: every page reads request.GET (the header's search
    box), so the 400 page itself raised again and the server answered a bare-text 500."""
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(roles=["Viewer"]))

    response = client.get(f"{reverse('login')}?{TOO_MANY_PARAMETERS}")

    html = response.content.decode()
    assert response.status_code == 400
    assert LAYOUT in html and "Traceback" not in html


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_an_api_query_string_with_too_many_parameters_is_a_json_400(settings, debug):
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(roles=["Viewer"]))

    response = client.get(
        f"{reverse('api:metric-list', kwargs={'version': 'v1'})}?{TOO_MANY_PARAMETERS}"
    )

    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_form_with_too_many_fields_is_a_400_page_in_both_modes(settings, debug):
    settings.DEBUG = debug
    world = entry_world_build()
    client = Client(raise_request_exception=False)
    client.force_login(world.lead_product)

    response = client.post(checkin_url(), {f"a{i}": "1" for i in range(1100)})

    html = response.content.decode()
    assert response.status_code == 400
    assert LAYOUT in html and "Traceback" not in html and "DJANGO_SETTINGS_MODULE" not in html
