"""Issue 19, item 2: a save and a hold of the same quarter serialise on one lock, so every
acknowledged save is in the held record and every other one is refused with LockedError.

Leads save continually in threads (metric statuses, a key result's status, a bulk upsert of a
month), each with its own database connection, while the facilitator holds the session, then
an admin reopens it, several times. After each hold, the last save each writer had
acknowledged before its first refusal is what the stored deck shows, and nothing was
acknowledged after it. On SQLite, whose transactions begin IMMEDIATE, writes serialise
anyway; the test is meant for PostgreSQL (DATABASE_URL), where the quarter row's lock does
it (metrics.services.submissions.quarters_share_lock)."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import OperationalError, connections

from metrics import models
from metrics.fiscal import FiscalQuarter
from metrics.services import sessions as cycle
from metrics.services.errors import LockedError
from metrics.services.key_results import key_result_status_save
from metrics.services.observations import observations_upsert
from metrics.services.statuses import quarterly_status_save
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

HOLD_CYCLES = 3
Q3 = FiscalQuarter(2020, 3)


@pytest.fixture
def world():
    quarter = factories.QuarterFactory(fiscal_year=2020, number=3)
    session = factories.TuningSessionFactory(quarter=quarter, title="Q3 session")
    leads, metrics = [], []
    for index in range(3):
        department = factories.DepartmentFactory(name=f"Dept {index}", slug=f"dept-{index}")
        lead = factories.UserFactory(username=f"lead-{index}", roles=["Department lead"])
        department.leads.add(lead)
        metric = factories.MetricFactory(department=department, slug=f"metric-{index}")
        models.MetricDefinition.objects.create(
            session=session, metric=metric, outcome=metric.outcome, name=metric.name, order=index
        )
        leads.append(lead)
        metrics.append(metric)
    objective = factories.ObjectiveFactory(
        department=metrics[0].department, fiscal_year=2020, priority=session.priority
    )
    models.SessionObjective.objects.create(session=session, objective=objective)
    key_result = factories.KeyResultFactory(objective=objective)
    return session, leads, metrics, key_result


class Writer(threading.Thread):
    """Saves 1, 2, 3... until told to stop; records what was acknowledged and refused."""

    def __init__(self, save):
        super().__init__(daemon=True)
        self.save, self.stop = save, threading.Event()
        self.acknowledged: list[int] = []
        self.refused: list[int] = []
        self.errors: list[str] = []

    def run(self):
        number = 0
        try:
            while not self.stop.is_set():
                number += 1
                try:
                    if self.save(number):
                        self.acknowledged.append(number)
                    else:
                        self.refused.append(number)
                except LockedError:
                    self.refused.append(number)
                except OperationalError as error:  # SQLite: "database is locked"
                    self.errors.append(str(error))
                time.sleep(0.002)
        finally:
            connections.close_all()


def _writers(leads, metrics, key_result):
    def status_save(lead, metric):
        def save(number):
            quarterly_status_save(
                metric=metric,
                segment=None,
                quarter=Q3,
                actor=lead,
                source="form",
                value=number,
                comment=f"save {number}",
            )
            return True

        return save

    def key_result_save(number):
        key_result_status_save(
            key_result=key_result, quarter=Q3, actor=leads[0], source="form", text=f"save {number}"
        )
        return True

    def upsert(number):
        result = observations_upsert(
            rows=[{"metric": metrics[2].slug, "period_start": "2021-01-01", "value": number}],
            actor=leads[2],
            source="import",
        )
        return result.counts["rejected"] == 0

    return {
        "status-0": Writer(status_save(leads[0], metrics[0])),
        "status-1": Writer(status_save(leads[1], metrics[1])),
        "key-result": Writer(key_result_save),
        "upsert": Writer(upsert),
    }


def _presented(session, metrics, key_result):
    """What the stored deck shows of each writer's row."""
    snapshot = models.TuningSession.objects.defer(None).get(pk=session.pk).snapshot
    deck = snapshot["deck"]
    rows = {row["metric_id"]: row for group in deck["outcomes"] for row in group["metrics"]}

    def q3_comment(metric):
        cell = next(c for c in rows[metric.pk]["cells"] if c["quarter"] == 3)
        return cell["comment"]

    key_results = {kr["key_result_id"]: kr for o in deck["objectives"] for kr in o["key_results"]}
    january = [
        Decimal(point["value"])
        for series in snapshot["charts"][str(metrics[2].pk)]["series"]
        if series["segment_id"] is None
        for point in series["points"]
        if point["period_start"] == "2021-01-01"
    ]
    return {
        "status-0": q3_comment(metrics[0]),
        "status-1": q3_comment(metrics[1]),
        "key-result": key_results[key_result.pk]["latest_status"],
        "upsert": january[0] if january else None,
    }


def test_every_acknowledged_save_is_in_the_held_deck_or_was_refused(world):
    session, leads, metrics, key_result = world
    facilitator = factories.UserFactory(username="facilitator", roles=["Facilitator"])
    admin = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    totals = {"acknowledged": 0, "refused": 0}
    for _cycle in range(HOLD_CYCLES):
        writers = _writers(leads, metrics, key_result)
        for writer in writers.values():
            writer.start()
        # Let every writer get saves in (each runs the in-process recompute after its save).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(
            len(writer.acknowledged) >= 2 for writer in writers.values()
        ):
            time.sleep(0.05)
        cycle.session_hold(actor=facilitator, session=session)
        # Keep saving after the hold until every writer was refused at least once.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(w.refused for w in writers.values()):
            time.sleep(0.05)
        for writer in writers.values():
            writer.stop.set()
        for writer in writers.values():
            writer.join(timeout=60)

        presented = _presented(session, metrics, key_result)
        for name, writer in writers.items():
            assert writer.acknowledged, (name, writer.errors)
            assert writer.refused, f"{name}: no save was refused after the hold"
            first_refused = min(writer.refused)
            # Nothing acknowledged once the hold had committed...
            assert max(writer.acknowledged) < first_refused, name
            # ...and the last acknowledged save is what the held deck shows.
            last = max(writer.acknowledged)
            expected = Decimal(last) if name == "upsert" else f"save {last}"
            if name == "key-result":
                assert expected in presented[name], (name, presented[name])
            else:
                assert presented[name] == expected, (name, presented[name], last)
            totals["acknowledged"] += len(writer.acknowledged)
            totals["refused"] += len(writer.refused)
        cycle.session_reopen(actor=admin, session=session)
        session.refresh_from_db()
    assert totals["acknowledged"] > 0 and totals["refused"] > 0


def test_a_save_waiting_on_the_hold_is_refused_once_the_hold_commits(world):
    """The other order: a hold holding the quarter makes a save wait, then refuse."""
    session, leads, metrics, _key_result = world
    facilitator = factories.UserFactory(username="facilitator", roles=["Facilitator"])
    started, outcome = threading.Event(), {}

    # Tasks run in-process here: the hold stores its snapshot inside its transaction.
    from metrics.services.sessions import snapshots

    original = snapshots.snapshot_chunks

    def slow_build(*args, **kwargs):
        started.set()
        time.sleep(0.5)  # the save below arrives while the hold holds the quarter
        yield from original(*args, **kwargs)

    snapshots.snapshot_chunks = slow_build

    def save():
        started.wait(10)
        try:
            quarterly_status_save(
                metric=metrics[0], segment=None, quarter=Q3, actor=leads[0], source="form", value=9
            )
            outcome["save"] = "acknowledged"
        except LockedError:
            outcome["save"] = "refused"
        except OperationalError as error:
            outcome["save"] = f"error: {error}"
        finally:
            connections.close_all()

    thread = threading.Thread(target=save)
    thread.start()
    try:
        cycle.session_hold(actor=facilitator, session=session)
    finally:
        snapshots.snapshot_chunks = original
    thread.join(timeout=30)
    if connections["default"].vendor == "postgresql":
        assert outcome["save"] == "refused"
    else:  # SQLite: the save either waited and was refused, or timed out waiting
        assert outcome["save"] != "acknowledged"
    assert not models.QuarterlyStatus.objects.filter(metric=metrics[0], value=9).exists()
