"""Deadline reminders go through notifications: the leads of each department that has not
handed in are told once per quarter, department and kind (due, overdue), whoever runs the
reminders (beat, the cron command, a sign-in) and however often."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from metrics import models
from metrics.services.reminders import checkin_reminders_lazily, status_reminders_send
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = date(2021, 4, 5)


@pytest.fixture
def setup(settings):
    settings.STATUS_REMINDER_DAYS = 7
    quarter = factories.QuarterFactory(fiscal_year=2020, number=3)
    quarter.status_deadline = TODAY + timedelta(days=5)
    quarter.save()
    product = factories.DepartmentFactory(name="Product", slug="product")
    legal = factories.DepartmentFactory(name="Legal", slug="legal")
    product.leads.add(factories.UserFactory(username="lead-product"))
    legal.leads.add(factories.UserFactory(username="lead-legal"))
    return quarter, product, legal


def test_leads_of_departments_that_have_not_submitted_are_reminded_once(
    setup, django_capture_on_commit_callbacks
):
    quarter, product, legal = setup
    models.Submission.objects.create(department=legal, quarter=quarter, state="submitted")

    with django_capture_on_commit_callbacks(execute=True):
        assert status_reminders_send(today=TODAY) == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lead-product@example.org"]
    assert "Product" in message.subject and "Q3 FY20-21" in message.subject
    assert "/checkin/product/2020/q3/" in message.body
    notice = models.Notification.objects.get()
    assert (notice.kind, notice.recipient.username, notice.email_state) == (
        "checkin_due",
        "lead-product",
        "sent",
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert status_reminders_send(today=TODAY + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1


def test_no_reminder_before_the_window(setup):
    quarter, _, _ = setup

    assert status_reminders_send(today=quarter.status_deadline - timedelta(days=8)) == 0
    assert not models.Notification.objects.exists()


def test_after_the_deadline_leads_are_told_it_is_overdue_while_the_session_is_prepared(setup):
    quarter, product, _ = setup
    past = quarter.status_deadline + timedelta(days=1)
    assert status_reminders_send(today=past) == 0  # no session being prepared: nothing

    factories.TuningSessionFactory(quarter=quarter)
    assert status_reminders_send(today=past) == 2
    assert set(models.Notification.objects.values_list("kind", flat=True)) == {"checkin_overdue"}
    assert status_reminders_send(today=past + timedelta(days=1)) == 0


def test_a_failed_mail_stays_pending_and_is_sent_by_the_pending_run(
    setup, monkeypatch, django_capture_on_commit_callbacks
):
    from metrics.services.notifications import notifications_pending_send

    def broken_send(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken_send)
    with django_capture_on_commit_callbacks(execute=True):
        assert status_reminders_send(today=TODAY) == 2
    assert set(models.Notification.objects.values_list("email_state", flat=True)) == {"pending"}

    monkeypatch.undo()
    assert notifications_pending_send() == 2
    assert len(mail.outbox) == 2
    assert notifications_pending_send() == 0


def test_the_celery_task_sends_the_reminders(setup):
    from metrics import tasks

    quarter, _, _ = setup
    quarter.status_deadline = date.today() + timedelta(days=2)
    quarter.save()

    assert tasks.send_status_reminders.delay().get() == 2
    assert models.Notification.objects.filter(kind="checkin_due").count() == 2


def test_without_beat_the_command_and_a_sign_in_run_them_once_a_day(setup, settings, client):
    from django.core.cache import cache

    quarter, _, _ = setup
    quarter.status_deadline = date.today() + timedelta(days=2)
    quarter.save()
    call_command("send_notifications", "--reminders", verbosity=0)
    assert models.Notification.objects.count() == 2

    models.Notification.objects.all().delete()
    settings.CHECKIN_REMINDERS_ON_SIGN_IN = True
    cache.clear()
    client.force_login(factories.UserFactory(roles=["Viewer"]))
    assert models.Notification.objects.count() == 2
    models.Notification.objects.all().delete()
    assert checkin_reminders_lazily() is False  # already ran today
    assert not models.Notification.objects.exists()
