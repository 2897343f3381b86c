"""The services' one way to hand work to the background worker, without knowing Celery.

metrics.tasks registers the queue when the app is ready (MetricsConfig.ready): it sends a
task by name and says whether tasks run in-process (Celery's eager mode, with no broker). So
the services never import the Celery app or the tasks module, and the tasks stay thin
wrappers over the services.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JobQueue:
    send: Callable[..., None]  # send(task_name, *args); raises when the broker refuses
    runs_in_process: Callable[[], bool]


_queue: JobQueue | None = None


def job_queue_register(*, queue: JobQueue) -> None:
    global _queue
    _queue = queue


def job_enqueue(*, task: str, args: tuple = ()) -> None:
    """Send task `task` (its Celery name) with `args`; raises what the broker raises."""
    if _queue is None:
        raise RuntimeError("No job queue registered (metrics.tasks registers it when ready).")
    _queue.send(task, *args)


def jobs_run_in_process() -> bool:
    return _queue is not None and _queue.runs_in_process()
