"""Notification mails through a real Celery worker on its own queue: a broker that is down
when the action happens fails nothing and the mail goes out later; a worker killed in the
middle of a send loses nothing and a rerun mails it once; a task delivered twice mails once.
The worker writes its mails to files this test reads (tests/worker/mail_files.py)."""

import re
import socket
import time

import pytest

from metrics import broker, tasks
from metrics.models import Notification
from metrics.services.submissions import submission_submit
from tests.factories import DepartmentFactory, QuarterFactory, UserFactory

from .conftest import Worker, wait_for
from .mail_files import mails_in, sending_marks
from .test_broker_down import OwnRedis

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SUBJECT = "Product submitted its check-in for Q2 FY20-21"


@pytest.fixture
def mail_folder(tmp_path, monkeypatch):
    folder = tmp_path / "mail"
    folder.mkdir()
    monkeypatch.setenv("OKR_TEST_EMAIL_BACKEND", "tests.worker.mail_files.SlowFileBackend")
    monkeypatch.setenv("OKR_TEST_EMAIL_FILE_PATH", str(folder))
    monkeypatch.setenv("OKR_TEST_MAIL_DELAY", "0")
    return folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def a_submission():
    """A lead submits; the one reviewer is to be mailed."""
    UserFactory(username="reviewer", roles=["Facilitator"])
    lead = UserFactory(username="lead", roles=["Department lead"])
    department = DepartmentFactory(name="Product", slug="product")
    department.leads.add(lead)
    submission_submit(department=department, quarter=QuarterFactory(), actor=lead)
    return Notification.objects.get(recipient__username="reviewer")


def state_of(notification) -> str:
    return Notification.objects.get(pk=notification.pk).email_state


def test_with_the_broker_down_the_action_succeeds_and_the_mail_goes_out_later(
    publish_to, mail_folder, tmp_path
):
    own = OwnRedis(free_port(), tmp_path).start()
    try:
        publish_to(own.url)
        own.stop()

        started = time.perf_counter()
        notification = a_submission()
        elapsed = time.perf_counter() - started
        assert broker.flush(timeout=10)  # the publish was tried, and failed

        assert elapsed < 5, elapsed
        assert state_of(notification) == "pending"

        own.start()
        worker = Worker(
            broker_url=own.url, queue="celery,notifications", log_path=tmp_path / "w.log"
        ).start()
        try:
            tasks.notifications_pending.delay()  # what beat sends every minute
            wait_for(
                lambda: state_of(notification) == "sent",
                message=lambda: f"the pending mail; worker said:\n{worker.output()}",
            )
        finally:
            worker.stop()
    finally:
        own.stop()
    assert mails_in(mail_folder) == [SUBJECT]


def test_a_worker_killed_mid_send_loses_nothing_and_a_rerun_mails_once(
    publish_to, start_worker, mail_folder, monkeypatch
):
    monkeypatch.setenv("OKR_TEST_MAIL_DELAY", "60")
    slow = start_worker()
    notification = a_submission()
    wait_for(
        lambda: sending_marks(mail_folder) == 1,
        message=lambda: f"the worker to start sending; it said:\n{slow.output()}",
    )
    slow.kill()  # as an out-of-memory kill would, while the mail server has not accepted it

    # The worker's transaction died with it: the row is pending again, nothing was mailed.
    wait_for(lambda: state_of(notification) == "pending", timeout=30, message="the rollback")
    assert mails_in(mail_folder) == []

    monkeypatch.setenv("OKR_TEST_MAIL_DELAY", "0")
    worker = start_worker()
    tasks.notifications_pending.delay()
    wait_for(
        lambda: state_of(notification) == "sent",
        message=lambda: f"the rerun's mail; worker said:\n{worker.output()}",
    )
    tasks.notifications_pending.delay()  # and again: nothing more
    tasks.notifications_send.delay([notification.pk])
    time.sleep(3)
    assert mails_in(mail_folder) == [SUBJECT]


def test_a_task_delivered_twice_mails_once(publish_to, start_worker, mail_folder):
    worker = start_worker()
    notification = a_submission()  # its task is published on commit
    tasks.notifications_send.delay([notification.pk])  # and the same task again
    wait_for(
        lambda: state_of(notification) == "sent",
        message=lambda: f"the mail; worker said:\n{worker.output()}",
    )
    done = wait_for(
        lambda: (
            re.findall(
                r"metrics\.notifications_send\[[^\]]+\] succeeded in [^:]+: (\d+)", worker.output()
            )
            if worker.output().count("metrics.notifications_send[") >= 4
            else None
        ),
        message=lambda: f"both tasks; worker said:\n{worker.output()}",
    )
    assert sorted(done) == ["0", "1"]  # the second found the row sent
    assert mails_in(mail_folder) == [SUBJECT]
