"""The services hand work to the worker through metrics.services.jobs, never through Celery."""

import ast
from pathlib import Path

import pytest

from metrics import broker
from metrics.services import jobs
from metrics.services.recompute_requests import recompute_request
from tests.factories import MetricFactory

SERVICES = Path(jobs.__file__).parent


@pytest.fixture
def sent(monkeypatch):
    """A job queue that records what it is sent instead of reaching Celery."""
    sent = []
    monkeypatch.setattr(
        jobs,
        "_queue",
        jobs.JobQueue(send=lambda task, *args: sent.append((task, args)), runs_in_process=bool),
    )
    return sent


def imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module or ""
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


@pytest.mark.parametrize(
    "path", sorted(SERVICES.rglob("*.py")), ids=lambda path: str(path.relative_to(SERVICES))
)
def test_no_service_imports_celery_or_the_tasks(path):
    modules = set(imported_modules(path))

    assert not {m for m in modules if m.split(".")[0] == "celery"}
    assert not modules & {"okrtracker.celery", "metrics.tasks"}


@pytest.mark.django_db
def test_a_recompute_request_sends_its_task_through_the_registered_queue(
    sent, django_capture_on_commit_callbacks
):
    metric = MetricFactory()

    with django_capture_on_commit_callbacks(execute=True):
        recompute_request(metric_ids=[metric.pk], reason="status saved")
    with django_capture_on_commit_callbacks(execute=True):
        recompute_request(metric_ids=None, reason="catalog changed")
    # With a broker (not in-process) the publishes leave from the process's sender thread.
    assert broker.flush(timeout=5)

    assert sent == [("metrics.recompute_metric", (metric.pk,)), ("metrics.recompute_all", ())]


def test_the_tasks_module_registers_the_celery_queue():
    from metrics import tasks

    assert jobs._queue is not None
    assert jobs._queue.send.__module__ == tasks.__name__
    # The test settings run tasks in-process (no broker).
    assert jobs.jobs_run_in_process() is True


def test_enqueueing_without_a_registered_queue_says_so(monkeypatch):
    monkeypatch.setattr(jobs, "_queue", None)

    with pytest.raises(RuntimeError, match="No job queue"):
        jobs.job_enqueue(task="metrics.recompute_all")
    assert jobs.jobs_run_in_process() is False
