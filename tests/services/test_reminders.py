from datetime import date, timedelta

import pytest
from django.core import mail

from metrics import models
from metrics.services.reminders import status_reminders_send
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


def test_leads_of_departments_that_have_not_submitted_are_reminded_once(setup):
    quarter, product, legal = setup
    models.Submission.objects.create(department=legal, quarter=quarter, state="submitted")

    assert status_reminders_send(today=TODAY) == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lead-product@example.org"]
    assert "Product" in message.subject and "Q3 FY20-21" in message.subject
    assert "/checkin/product/2020/q3/" in message.body
    assert models.Submission.objects.get(department=product).reminded_at is not None

    assert status_reminders_send(today=TODAY + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1


def test_no_reminder_before_the_window_or_after_the_deadline(setup):
    quarter, _, _ = setup

    assert status_reminders_send(today=quarter.status_deadline - timedelta(days=8)) == 0
    assert status_reminders_send(today=quarter.status_deadline + timedelta(days=1)) == 0
    assert mail.outbox == []


def test_a_failed_send_is_retried_on_the_next_run(setup, monkeypatch):
    def broken_send(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken_send)
    assert status_reminders_send(today=TODAY) == 0
    assert not models.Submission.objects.filter(reminded_at__isnull=False).exists()

    monkeypatch.undo()
    assert status_reminders_send(today=TODAY) == 2
    assert len(mail.outbox) == 2


def test_the_celery_task_sends_the_reminders(setup):
    from metrics import tasks

    quarter, _, _ = setup
    quarter.status_deadline = date.today() + timedelta(days=2)
    quarter.save()

    assert tasks.send_status_reminders.delay().get() == 2
    assert len(mail.outbox) == 2
