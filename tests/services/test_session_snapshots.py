"""The hold's loop with a worker: the hold marks the session held and queues its snapshot on
commit; the task stores it once, and not for a session reopened meanwhile; the pages show the
same deck before and after it lands (services/sessions/snapshots.py)."""

import dataclasses

import pytest

from metrics import models, tasks
from metrics.caching.versions import data_version_current
from metrics.selectors.dataclass_json import to_data
from metrics.selectors.deck import session_deck
from metrics.selectors.review import held_checkins
from metrics.selectors.session_pages import session_header
from metrics.selectors.snapshots import session_chart_data, session_earlier_deck
from metrics.services import jobs
from metrics.services import sessions as cycle
from metrics.services.sessions import snapshots
from metrics.services.statuses import quarterly_status_save
from metrics.services.submissions import submission_submit
from tests import factories

TASK = "metrics.session_snapshot_build"


@pytest.fixture
def sent():
    """A worker's queue: what the services send is recorded, nothing runs in-process."""
    recorded = []
    previous = jobs._queue
    jobs.job_queue_register(
        queue=jobs.JobQueue(
            send=lambda name, *args: recorded.append((name, *args)),
            runs_in_process=lambda: False,
        )
    )
    yield recorded
    jobs.job_queue_register(queue=previous)


@pytest.fixture
def admin(db):
    return factories.UserFactory(username="root", is_superuser=True)


@pytest.fixture
def q3(seed_deck, admin):
    """Q3 opened from Q2, with a status entered and one department submitted; Q1 and Q2
    held with their decks stored (as seed_demo leaves them)."""
    cycle.session_freeze_presented(actor=admin)
    q2 = models.TuningSession.objects.get(quarter__number=2)
    q3 = cycle.session_open_next(actor=admin, source=q2, notify=False).session
    metric = models.Metric.objects.get(slug="monthly-active-editors")
    quarterly_status_save(
        metric=metric, segment=None, quarter=q3.quarter, actor=admin, source="form", value="95000"
    )
    submission_submit(department=metric.department, quarter=q3.quarter, actor=admin)
    return q3


def _hold_later(q3, admin, capture):
    with capture(execute=True):
        return cycle.session_hold(actor=admin, session=q3)


def _pages(session_id: int) -> dict:
    """What the session's pages read: the deck (threads aside: the live pages' decks carry
    none), its charts and the earlier session's table, as JSON data."""
    deck = session_deck(session_id)
    metric_ids = sorted({row.metric_id for row in deck.metric_rows})
    return {
        "deck": to_data(dataclasses.replace(deck, threads=())),
        "charts": to_data(session_chart_data(deck, metric_ids, until=deck.quarter_end_date)),
        "earlier": to_data(session_earlier_deck(deck)),
    }


def test_the_hold_returns_with_the_snapshot_queued_on_commit(
    q3, admin, sent, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    # The locks and their events cost ~20 queries per department; nothing grows with the
    # deck (no row of it is read).
    bound = 25 + 20 * models.Department.objects.count()
    with django_assert_max_num_queries(bound), django_capture_on_commit_callbacks() as callbacks:
        held = cycle.session_hold(actor=admin, session=q3)
    assert held.state == models.SessionState.HELD and held.held_at is not None
    assert sent == []  # not before the commit
    for callback in callbacks:
        callback()
    assert sent == [(TASK, q3.pk)]

    row = models.TuningSession.objects.get(pk=q3.pk)
    assert row.snapshot is None
    q2 = models.TuningSession.objects.get(quarter__number=2)
    assert row.snapshot_head[snapshots.PIN_KEY] == {
        "session_id": q2.pk,
        "token": q2.snapshot_head["token"],
    }
    # Who had submitted is the hold's record, before its locks.
    states = {c.department_slug: c.state for c in held_checkins(q3.pk)}
    assert states["product"] == models.SubmissionState.SUBMITTED
    assert set(
        models.Submission.objects.filter(quarter=q3.quarter).values_list("state", flat=True)
    ) == {models.SubmissionState.LOCKED}
    header = session_header(q3.pk)
    assert header.session_state == models.SessionState.HELD and not header.frozen


def test_the_task_stores_the_deck_the_pages_showed_and_switches_their_keys(
    q3, admin, sent, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    _hold_later(q3, admin, django_capture_on_commit_callbacks)
    before = _pages(q3.pk)
    version = data_version_current().key

    with django_assert_max_num_queries(40):
        assert tasks.session_snapshot_build(q3.pk) is True

    header = session_header(q3.pk)
    assert header.is_held and header.frozen  # its pages now read the stored deck ...
    assert data_version_current().key != version  # ... under new keys
    assert _pages(q3.pk) == before
    stored = models.TuningSession.objects.get(pk=q3.pk)
    assert stored.snapshot_head["complete"] is True
    assert stored.snapshot_head["title"] == stored.snapshot["deck"]["title"]
    assert stored.snapshot_head["token"] == stored.snapshot["token"]
    assert {c.department_slug: c.state for c in held_checkins(q3.pk)}["product"] == (
        models.SubmissionState.SUBMITTED
    )


def test_a_second_run_does_nothing(q3, admin, sent, django_capture_on_commit_callbacks):
    _hold_later(q3, admin, django_capture_on_commit_callbacks)
    assert tasks.session_snapshot_build(q3.pk) is True
    token, version = session_header(q3.pk).frozen, data_version_current().key

    assert tasks.session_snapshot_build(q3.pk) is False
    assert session_header(q3.pk).frozen == token and data_version_current().key == version


def test_a_reopen_before_the_task_runs_leaves_it_nothing_to_do(
    q3, admin, sent, django_capture_on_commit_callbacks
):
    _hold_later(q3, admin, django_capture_on_commit_callbacks)
    cycle.session_reopen(actor=admin, session=q3)

    assert tasks.session_snapshot_build(q3.pk) is False
    row = models.TuningSession.objects.get(pk=q3.pk)
    assert row.state == models.SessionState.DRAFT and row.snapshot is None


def test_a_run_killed_midway_stores_nothing_and_the_next_one_stores_it(
    q3, admin, sent, django_capture_on_commit_callbacks, monkeypatch
):
    _hold_later(q3, admin, django_capture_on_commit_callbacks)
    chunks = snapshots.snapshot_chunks

    def killed(*args, **kwargs):
        yield next(chunks(*args, **kwargs))
        raise SystemExit("worker killed")

    monkeypatch.setattr(snapshots, "snapshot_chunks", killed)
    with pytest.raises(SystemExit):
        tasks.session_snapshot_build(q3.pk)
    assert models.TuningSession.objects.get(pk=q3.pk).snapshot is None

    monkeypatch.setattr(snapshots, "snapshot_chunks", chunks)
    assert tasks.session_snapshot_build(q3.pk) is True
    assert session_header(q3.pk).frozen


def test_reopening_the_earlier_session_stores_the_pending_snapshot_first(
    q3, admin, sent, django_capture_on_commit_callbacks
):
    """The deck's last slide is the earlier session's table as it read at the hold: a reopen
    and revision of that session before the task ran does not reach it."""
    _hold_later(q3, admin, django_capture_on_commit_callbacks)
    earlier = _pages(q3.pk)["earlier"]
    q2 = models.TuningSession.objects.get(quarter__number=2)

    cycle.session_reopen(actor=admin, session=q2)
    assert session_header(q3.pk).frozen  # stored before the reopen
    definition = q2.metric_definitions.get(metric__slug="monthly-active-editors")
    cycle.definition_update(definition=definition, actor=admin, name="Revised after Q3")
    cycle.session_hold(actor=admin, session=q2)

    assert tasks.session_snapshot_build(q3.pk) is False
    assert _pages(q3.pk)["earlier"] == earlier
    assert "Revised after Q3" not in str(earlier)


def test_an_earlier_session_not_held_has_its_table_stored_in_the_holds_request(
    seed_deck, admin, sent
):
    """Q2 loaded held without a stored deck: its table cannot be pinned, so Q3's hold stores
    its snapshot itself, as before."""
    q2 = models.TuningSession.objects.get(quarter__number=2)
    q3 = cycle.session_open_next(actor=admin, source=q2, notify=False).session
    cycle.session_hold(actor=admin, session=q3)
    assert sent == []
    assert models.TuningSession.objects.get(pk=q3.pk).snapshot_head["complete"] is True


def test_in_process_jobs_store_the_snapshot_in_the_hold(q3, admin):
    cycle.session_hold(actor=admin, session=q3)
    assert session_header(q3.pk).frozen


def test_the_sweep_queues_the_pending_snapshots(
    q3, admin, sent, django_capture_on_commit_callbacks
):
    _hold_later(q3, admin, django_capture_on_commit_callbacks)
    sent.clear()
    assert tasks.session_snapshots_pending() == 1
    assert sent == [(TASK, q3.pk)]
    tasks.session_snapshot_build(q3.pk)
    assert tasks.session_snapshots_pending() == 0


def test_a_broker_that_refuses_the_task_leaves_the_hold_storing_it(
    q3, admin, django_capture_on_commit_callbacks
):
    previous = jobs._queue

    def refuse(*args):
        raise ConnectionError("no broker")

    jobs.job_queue_register(queue=jobs.JobQueue(send=refuse, runs_in_process=lambda: False))
    try:
        _hold_later(q3, admin, django_capture_on_commit_callbacks)
    finally:
        jobs.job_queue_register(queue=previous)
    assert session_header(q3.pk).frozen


def test_a_hold_stands_when_neither_the_broker_nor_the_request_can_store_the_snapshot(
    q3, admin, django_capture_on_commit_callbacks, monkeypatch
):
    previous = jobs._queue

    def refuse(*args):
        raise ConnectionError("no broker")

    def fail(**kwargs):
        raise RuntimeError("database gone")

    jobs.job_queue_register(queue=jobs.JobQueue(send=refuse, runs_in_process=lambda: False))
    monkeypatch.setattr(snapshots, "session_snapshot_store", fail)
    try:
        _hold_later(q3, admin, django_capture_on_commit_callbacks)
    finally:
        jobs.job_queue_register(queue=previous)
    assert models.TuningSession.objects.get(pk=q3.pk).state == models.SessionState.HELD
    assert snapshots.held_snapshots_pending() == [q3.pk]  # for the sweep
