"""Under DEBUG (`make run`), a 404 is still the app's page, never Django's debug page (which
lists the URL patterns); the sign-in page links to the password reset."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LAYOUT = 'class="topbar"'


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.mark.parametrize(
    "path",
    [
        "/no/such/page/",  # no URL pattern
        "/sessions/987654/",  # a view's (selector's) not found
        "/sessions/987654/edit/",  # found_or_404: Http404
    ],
)
def test_a_404_under_debug_is_the_apps_page(client, debug, path):
    client.force_login(UserFactory(roles=["Admin"]))

    response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 404
    assert LAYOUT in html and "There is no such page" in html
    assert "DEBUG = True" not in html and "URLconf" not in html


def test_a_missing_slash_is_still_redirected_under_debug(client, debug):
    client.force_login(UserFactory(roles=["Viewer"]))

    response = client.get("/search")

    assert response.status_code == 301 and response.url.endswith("/search/")


def test_the_api_keeps_its_json_404_under_debug(client, debug):
    client.force_login(UserFactory(roles=["Viewer"]))

    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_the_sign_in_page_offers_a_password_reset(client):
    html = client.get(reverse("login")).content.decode()

    assert "Forgot password?" in html and reverse("password_reset") in html
