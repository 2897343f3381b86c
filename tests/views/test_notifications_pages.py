"""The inbox, the header's count and the preferences page: the reader's own, bounded."""

import pytest
from django.urls import reverse

from metrics.models import Notification, NotificationPreference
from metrics.services.notifications import Notice, notifications_create
from tests import factories

pytestmark = pytest.mark.django_db


def give(user, key, kind="mention", link="/sessions/1/"):
    notifications_create(
        notices=[Notice(user.pk, kind, f"About {key}", body=f"Details of {key}.", link=link)],
        event_key=key,
        actor_id=None,
    )
    return Notification.objects.get(recipient=user, event_key=key)


@pytest.fixture
def me(client):
    user = factories.UserFactory(username="me", roles=["Department lead"])
    client.force_login(user)
    return user


def test_the_inbox_lists_my_notifications_and_not_others(client, me):
    give(me, "mine")
    give(factories.UserFactory(roles=["Executive"]), "theirs")

    page = client.get(reverse("metrics:inbox")).content.decode()

    assert "About mine" in page and "Details of mine." in page
    assert "About theirs" not in page


def test_mark_selected_and_mark_all_read(client, me):
    first, second, third = give(me, "a"), give(me, "b"), give(me, "c")

    client.post(reverse("metrics:inbox"), {"notification": [first.pk]})
    assert set(Notification.objects.filter(read_at__isnull=True).values_list("pk", flat=True)) == {
        second.pk,
        third.pk,
    }
    junk = client.post(reverse("metrics:inbox"), {"notification": [str(10**30), "x", "١"]})
    assert junk.status_code == 302  # nothing chosen that exists: a message, no error
    client.post(reverse("metrics:inbox"), {"action": "read_all"})
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_opening_marks_read_and_follows_the_link_and_anothers_is_404(client, me):
    mine = give(me, "a", link="/sessions/7/")
    theirs = give(factories.UserFactory(roles=["Executive"]), "b")

    answer = client.post(reverse("metrics:notification_open", kwargs={"notification_id": mine.pk}))
    assert answer.status_code == 302 and answer.url == "/sessions/7/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    gone = client.post(reverse("metrics:notification_open", kwargs={"notification_id": theirs.pk}))
    assert gone.status_code == 404


def test_an_offsite_link_is_never_followed(client, me):
    mine = give(me, "a", link="https://evil.example/")
    answer = client.post(reverse("metrics:notification_open", kwargs={"notification_id": mine.pk}))
    assert answer.url == reverse("metrics:inbox")


def test_the_header_count_is_fetched_apart_and_never_stored(client, me):
    give(me, "a")
    give(me, "b")

    answer = client.get(reverse("metrics:notification_count"))

    assert answer.json() == {"unread": 2}
    assert "no-store" in answer["Cache-Control"]
    page = client.get(reverse("metrics:inbox")).content.decode()
    assert 'data-unread-url="/notifications/count/"' in page
    assert "js/notifications.js" in page


def test_a_cached_session_page_does_not_carry_a_stale_count(client, me, seed_deck):
    from metrics.models import TuningSession

    session = TuningSession.objects.order_by("-quarter__fiscal_year", "-quarter__number").first()
    url = reverse("metrics:session", kwargs={"session_id": session.pk})
    first = client.get(url)
    give(me, "new")  # a notification does not move the data version: the page stays cached
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 304
    assert client.get(reverse("metrics:notification_count")).json() == {"unread": 1}


def test_preferences_page_saves_each_kinds_channel(client, me):
    page = client.get(reverse("metrics:notification_preferences")).content.decode()
    assert "Comment on your department" in page

    from metrics.models import NotificationKind

    data = dict.fromkeys(NotificationKind.values, "in_app")
    data["mention"] = "off"
    answer = client.post(reverse("metrics:notification_preferences"), data)

    assert answer.status_code == 302
    assert NotificationPreference.objects.get(user=me, kind="mention").channel == "off"
    assert NotificationPreference.objects.filter(user=me, channel="in_app").count() == 13


def test_a_bad_channel_is_a_400_with_the_form_and_saves_nothing(client, me):
    from metrics.models import NotificationKind

    data = dict.fromkeys(NotificationKind.values, "in_app")
    data["mention"] = "pigeon"
    answer = client.post(reverse("metrics:notification_preferences"), data)

    assert answer.status_code == 400
    assert "Choose one of the offered channels" in answer.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_inbox_runs_a_fixed_number_of_queries(client, me, django_assert_max_num_queries):
    for key in range(60):
        give(me, f"k{key}")
    with django_assert_max_num_queries(10):
        answer = client.get(reverse("metrics:inbox"))
    assert answer.content.decode().count('class="notification unread"') == 50


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for name in ("metrics:inbox", "metrics:notification_count", "metrics:notification_preferences"):
        assert client.get(reverse(name)).status_code == 302


def test_the_count_runs_a_fixed_number_of_queries(client, me, django_assert_max_num_queries):
    for key in range(20):
        give(me, f"k{key}")
    with django_assert_max_num_queries(4):
        assert client.get(reverse("metrics:notification_count")).json() == {"unread": 20}
