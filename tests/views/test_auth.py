import pytest
from django.urls import reverse

from tests import factories
from tests.entry_world import entry_world_build

pytestmark = pytest.mark.django_db


def test_signing_in_with_the_login_form_and_seeing_the_checkin_link(client):
    world = entry_world_build()

    page = client.get(reverse("login"))
    assert page.status_code == 200 and "Sign in" in page.content.decode()

    response = client.post(
        reverse("login"), {"username": "lead-product", "password": "pass-word-123"}, follow=True
    )

    html = response.content.decode()
    assert response.context["user"] == world.lead_product
    assert reverse("metrics:checkin-index") in html
    assert "Sign out" in html


def test_a_wrong_password_is_a_clear_error(client):
    factories.UserFactory(username="viewer", roles=["Viewer"])

    response = client.post(reverse("login"), {"username": "viewer", "password": "nope"})

    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_viewers_and_executives_get_no_checkin_link(client):
    for role in ("Viewer", "Executive"):
        user = factories.UserFactory(username=role.lower(), roles=[role])
        client.force_login(user)
        html = client.get(reverse("password_change")).content.decode()
        assert reverse("metrics:checkin-index") not in html


def test_signing_out_is_a_post_and_ends_the_session(client):
    user = factories.UserFactory(username="viewer", roles=["Viewer"])
    client.force_login(user)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_changing_the_password(client):
    user = factories.UserFactory(username="lead", roles=["Department lead"])
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pass-word-123",
            "new_password1": "a-much-better-passphrase-42",
            "new_password2": "a-much-better-passphrase-42",
        },
        follow=True,
    )

    assert "Password changed" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("a-much-better-passphrase-42")
