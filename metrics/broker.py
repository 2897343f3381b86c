"""Publishing to the broker off the request's path.

A save records its recompute request in its own transaction, then asks a worker to run it.
That second step talks to Redis: a broker that is down fails fast, but one that hangs (port
open, no answer) costs its connect and read timeouts, and the first publish of a process also
pays for Celery's lazy setup (producer pool, transport, connection). None of that is the
user's business: the publish is handed to one sender thread per process and the save answers
at once. If the sender cannot publish (broker down, hung, backlog full, process stopped
before it got there) nothing is lost: the request row is there for `recompute_pending`.
"""

import atexit
import contextvars
import logging
import os
import queue
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

# Publishes waiting for the sender; past this (a broker hung for minutes under load) new ones
# are dropped, their requests already recorded.
BACKLOG = 1000

_lock = threading.Lock()
_sender: dict = {"pid": None, "queue": None}


def send_in_background(send: Callable[[], None], *, what: str) -> None:
    """Run `send` (a publish that handles its own errors) in this process's sender thread."""
    # The caller's context goes along (its request id, so the task's log lines carry it).
    context = contextvars.copy_context()
    try:
        _queue().put_nowait((lambda: context.run(send), what))
    except queue.Full:
        logger.warning(
            "Broker sender backlog full; %s is left for the next recompute_pending run.", what
        )


def flush(timeout: float = 5.0) -> bool:
    """Wait until every publish handed to the sender has been tried (tests, benchmarks, exit);
    False if some were still waiting after `timeout` seconds."""
    pending = _sender["queue"] if _sender["pid"] == os.getpid() else None
    deadline = time.monotonic() + timeout
    while pending is not None and pending.unfinished_tasks:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _queue() -> queue.Queue:
    with _lock:
        # Threads do not survive fork (gunicorn workers, the worker's prefork pool): a process
        # starts its own sender on first use.
        if _sender["pid"] != os.getpid():
            pending = queue.Queue(maxsize=BACKLOG)
            threading.Thread(
                target=_run, args=(pending,), name="broker-sender", daemon=True
            ).start()
            _sender.update(pid=os.getpid(), queue=pending)
        return _sender["queue"]


def _run(pending: queue.Queue) -> None:
    while True:
        send, what = pending.get()
        try:
            send()
        except Exception:  # noqa: BLE001 - the sender must outlive any one publish
            logger.exception("Publishing %s failed.", what)
        finally:
            pending.task_done()


# A process stopping normally gives its last publishes a moment (each is bounded by the broker
# timeouts); whatever is left is picked up by recompute_pending.
atexit.register(flush, 1.0)
