"""The reader's own notifications and choices through the API; never another person's."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from metrics.models import Notification, NotificationPreference
from metrics.services.notifications import Notice, notifications_create
from tests import factories

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"api:{name}", kwargs={"version": "v1", **kwargs})


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def give(user, key, kind="mention"):
    notifications_create(
        notices=[Notice(user.pk, kind, f"About {key}", link=f"/x/{key}/")],
        event_key=key,
        actor_id=None,
    )
    return Notification.objects.get(recipient=user, event_key=key)


@pytest.fixture
def me():
    return factories.UserFactory(username="me", roles=["Executive"])


@pytest.fixture
def someone_else():
    return factories.UserFactory(username="them", roles=["Department lead"])


def test_the_list_holds_only_my_notifications_newest_first(me, someone_else):
    give(me, "a")
    give(me, "b")
    give(someone_else, "c")

    answer = client_for(me).get(url("notification-list"))

    assert answer.status_code == 200
    assert [row["summary"] for row in answer.json()["results"]] == ["About b", "About a"]
    assert answer.json()["results"][0]["kind"] == "mention"


def test_another_persons_notification_is_a_404_to_read_or_mark(me, someone_else):
    theirs = give(someone_else, "secret")
    client = client_for(me)

    assert client.get(url("notification-detail", pk=theirs.pk)).status_code == 404
    assert client.post(url("notification-read", pk=theirs.pk)).status_code == 404
    huge = url("notification-list") + f"{10**30}/"
    assert client.get(huge).status_code == 404 and client.post(huge + "read/").status_code == 404
    client.post(url("notification-read-all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_one_and_all(me):
    first, second = give(me, "a"), give(me, "b")
    client = client_for(me)

    answer = client.post(url("notification-read", pk=first.pk))
    assert answer.status_code == 200 and answer.json()["read_at"]
    assert [
        r["id"] for r in client.get(url("notification-list") + "?unread=true").json()["results"]
    ] == [second.pk]
    assert client.post(url("notification-read-all")).json() == {"marked": 1}


def test_preferences_read_and_change_with_clear_errors(me):
    client = client_for(me)
    rows = {r["kind"]: r["channel"] for r in client.get(url("notification-preferences")).json()}
    assert rows["mention"] == "email" and rows["session_held"] == "in_app"

    answer = client.patch(url("notification-preferences"), {"mention": "digest"}, format="json")
    assert answer.status_code == 200
    assert NotificationPreference.objects.get(user=me, kind="mention").channel == "digest"

    bad = client.patch(
        url("notification-preferences"),
        {"mention": "pigeon", "session_held": "off"},
        format="json",
    )
    assert bad.status_code == 400 and "mention" in bad.json()
    assert not NotificationPreference.objects.filter(kind="session_held").exists()


def test_without_a_role_nothing_is_reachable():
    nobody = factories.UserFactory(username="nobody")
    client = client_for(nobody)
    assert client.get(url("notification-list")).status_code == 403
    assert client.get(url("notification-preferences")).status_code == 403
    assert APIClient().get(url("notification-list")).status_code == 401


def test_the_list_runs_a_fixed_number_of_queries(me, django_assert_max_num_queries):
    for key in range(30):
        give(me, f"k{key}")
    client = client_for(me)
    with django_assert_max_num_queries(6):
        answer = client.get(url("notification-list"))
    assert answer.json()["count"] == 30
