"""A stored page and its ETag carry the reader's role, staff flag and led departments as
they are now: the same page read as two roles is two stored pages, and after a change of
groups, superuser or staff flag, or leads (no data written) the reader never gets the old
role's stored page or a 304 for it. Django's test client, no browser."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from metrics import models
from tests.factories import UserFactory
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db

FACILITATOR_LINK = b"Prepare session"


@pytest.fixture
def session():
    return build_small_deck()


def overview(session):
    return reverse("metrics:session_overview", kwargs={"session_id": session.pk})


def deck_api(session):
    return reverse("api:session-deck", kwargs={"version": "v1", "pk": session.pk})


def read_twice(client, url):
    """A first visit (the CSRF cookie) and the read that is stored."""
    client.get(url)
    return client.get(url)


def test_the_same_page_as_two_roles_is_two_stored_pages(client, session):
    url = overview(session)
    client.force_login(UserFactory(roles=["Viewer"]))
    as_viewer = read_twice(client, url)
    client.force_login(UserFactory(is_superuser=True))
    as_admin = read_twice(client, url)

    assert FACILITATOR_LINK not in as_viewer.content
    assert FACILITATOR_LINK in as_admin.content
    assert as_viewer["ETag"] != as_admin["ETag"]


@pytest.mark.parametrize("url_of", [overview, deck_api], ids=["page", "deck api"])
def test_a_viewer_made_superuser_gets_no_304_for_the_viewers_copy(client, session, url_of):
    url = url_of(session)
    user = UserFactory(roles=["Viewer"])
    client.force_login(user)
    etag = read_twice(client, url)["ETag"]

    user.is_superuser = True
    user.save(update_fields=["is_superuser"])  # no data written: the data versions stay
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 200
    assert again["ETag"] != etag


def test_a_viewer_made_superuser_is_not_sent_the_viewers_stored_page(client, session):
    url = overview(session)
    user = UserFactory(roles=["Viewer"])
    client.force_login(user)
    assert FACILITATOR_LINK not in read_twice(client, url).content

    user.is_superuser = True
    user.save(update_fields=["is_superuser"])

    assert FACILITATOR_LINK in client.get(url).content


def test_a_demoted_admin_no_longer_sees_admin_links(client, session):
    url = overview(session)
    user = UserFactory(roles=["Facilitator"])
    client.force_login(user)
    etag = read_twice(client, url)["ETag"]

    user.groups.set([Group.objects.get_or_create(name="Viewer")[0]])
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 200
    assert FACILITATOR_LINK not in again.content


def test_a_change_of_the_departments_a_lead_leads_changes_the_etag(client, session):
    url = overview(session)
    lead = UserFactory(roles=["Department lead"])
    client.force_login(lead)
    etag = read_twice(client, url)["ETag"]

    models.Department.objects.get(slug="product").leads.add(lead)

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


ADMIN_LINK = b'class="nav-admin"'


def test_an_admin_demoted_to_viewer_gets_no_admin_link_stored_or_304(client, session):
    url = overview(session)
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    as_admin = read_twice(client, url)
    assert ADMIN_LINK in as_admin.content and FACILITATOR_LINK in as_admin.content

    user.is_superuser = user.is_staff = False
    user.save(update_fields=["is_superuser", "is_staff"])
    user.groups.set([Group.objects.get_or_create(name="Viewer")[0]])
    again = client.get(url, HTTP_IF_NONE_MATCH=as_admin["ETag"])
    stored = client.get(url)

    assert again.status_code == 200
    for response in (again, stored):
        assert ADMIN_LINK not in response.content
        assert FACILITATOR_LINK not in response.content


def test_the_staff_flag_alone_changes_the_key_both_ways(client, session):
    """The admin link follows `is_staff`, which no role follows: a facilitator given or denied
    the admin (no data written, the role unchanged) gets no 304 and no stored page of before."""
    url = overview(session)
    user = UserFactory(roles=["Facilitator"], is_staff=True)
    client.force_login(user)
    as_staff = read_twice(client, url)
    assert ADMIN_LINK in as_staff.content

    user.is_staff = False
    user.save(update_fields=["is_staff"])
    again = client.get(url, HTTP_IF_NONE_MATCH=as_staff["ETag"])
    assert again.status_code == 200
    assert ADMIN_LINK not in again.content
    not_staff = client.get(url)
    assert ADMIN_LINK not in not_staff.content

    user.is_staff = True
    user.save(update_fields=["is_staff"])
    assert client.get(url, HTTP_IF_NONE_MATCH=not_staff["ETag"]).status_code == 200
    assert ADMIN_LINK in client.get(url).content
