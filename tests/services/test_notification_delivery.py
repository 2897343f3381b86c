"""Mailing notifications: once per row whatever retries, failures kept for later, digests one
mail per person, and a broker that refuses never fails the action."""

import pytest
from django.core import mail

from metrics import tasks
from metrics.models import Notification
from metrics.services import notifications as delivery
from metrics.services.notifications import Notice, notifications_create
from metrics.services.submissions import submission_submit
from okrtracker.celery import app
from tests import factories

pytestmark = pytest.mark.django_db


def notify(*users, kind="checkin_submitted", key="event-1", actor_id=None):
    return notifications_create(
        notices=[Notice(u.pk, kind, f"Summary {kind}", body="Body.", link="/x/") for u in users],
        event_key=key,
        actor_id=actor_id,
    )


def test_a_notice_is_mailed_after_commit_with_its_link(
    django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://okr.example.org"
    factories.UserFactory(username="rev", roles=["Facilitator"])
    lead = factories.UserFactory(username="lead", roles=["Department lead"])
    department = factories.DepartmentFactory(slug="product")
    department.leads.add(lead)

    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(department=department, quarter=factories.QuarterFactory(), actor=lead)
        assert mail.outbox == []  # not before the commit

    [message] = mail.outbox
    assert message.to == ["rev@example.org"]
    assert "https://okr.example.org/checkin/product/2020/q2/" in message.body
    assert "https://okr.example.org/notifications/preferences/" in message.body
    assert Notification.objects.get().email_state == "sent"


def test_a_retried_task_mails_nothing_twice():
    user = factories.UserFactory(roles=["Admin"])
    notify(user)
    ids = list(Notification.objects.values_list("pk", flat=True))

    assert tasks.notifications_send.delay(ids).get() == 1
    assert tasks.notifications_send.delay(ids).get() == 0
    assert delivery.notifications_pending_send() == 0
    assert len(mail.outbox) == 1
    row = Notification.objects.get()
    assert (row.email_state, row.email_attempts) == ("sent", 1) and row.emailed_at


def test_a_mail_the_server_refuses_stays_pending_then_gives_up(monkeypatch):
    user = factories.UserFactory(roles=["Admin"])
    notify(user)

    def refused(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refused)
    for attempt in range(1, delivery.MAX_ATTEMPTS):
        assert delivery.notifications_pending_send() == 0
        row = Notification.objects.get()
        assert (row.email_state, row.email_attempts) == ("pending", attempt)
    delivery.notifications_pending_send()
    assert Notification.objects.get().email_state == "failed"


def test_the_digest_is_one_mail_per_person_with_their_notices():
    lead = factories.UserFactory(username="lead", roles=["Department lead"])
    other = factories.UserFactory(username="other", roles=["Department lead"])
    for key in ("a", "b", "c"):
        notify(lead, kind="department_thread", key=key)
    notify(other, kind="department_thread", key="d")
    notify(lead, kind="checkin_submitted", key="e")  # mailed on its own, not in the digest
    assert Notification.objects.filter(email_state="digest").count() == 4

    assert tasks.notification_digests.delay().get() == 2
    assert tasks.notification_digests.delay().get() == 0

    digests = {message.to[0]: message for message in mail.outbox}
    assert set(digests) == {"lead@example.org", "other@example.org"}
    assert digests["lead@example.org"].body.count("- Summary department_thread") == 3
    assert not Notification.objects.filter(email_state="digest").exists()


def test_with_the_broker_refusing_the_action_succeeds_and_the_pending_run_mails(
    django_capture_on_commit_callbacks, monkeypatch
):
    user = factories.UserFactory(roles=["Admin"])
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    sent = []

    def refusing(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.notifications_send, "delay", refusing)
    # The sender thread's job, run here by hand: the publish that the broker refuses.
    monkeypatch.setattr(delivery, "send_in_background", lambda send, what: sent.append(send))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert notify(user) == 1
        [publish] = sent
        publish()  # what the sender thread does: the broker refuses, the error is logged
    finally:
        app.conf.task_always_eager = saved

    assert Notification.objects.get().email_state == "pending" and mail.outbox == []
    assert tasks.notifications_pending.delay().get() == 1
    assert len(mail.outbox) == 1


def test_notifications_go_to_their_own_queue():
    route = app.amqp.router.route({}, "metrics.notifications_send")
    assert route["queue"].name == "notifications"
    assert app.amqp.router.route({}, "metrics.recompute_metric")["queue"].name == "celery"
