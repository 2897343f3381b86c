"""The account menu: token, password, sign out for everyone; the admin for admins only."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admins_get_a_link_to_the_admin_and_others_do_not(client):
    admin_url = reverse("admin:index")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(reverse("api:token")).content.decode()
    assert f'href="{admin_url}"' in html

    client.force_login(UserFactory(roles=["Viewer"]))
    html = client.get(reverse("api:token")).content.decode()
    assert f'href="{admin_url}"' not in html
    assert reverse("password_change") in html and "Sign out" in html
