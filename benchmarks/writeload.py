"""Load that writes: threads of HTTP clients for benchmarks/web.py, measured the same way for
a page and for its floor, so that their ratio compares like with like.

- `first_reads`: each client saves a status (one metric's value for a quarter, through the
  API: what a check-in save of one department writes) and then reads the URL; the read's
  latency is recorded. With one client that is the first read after a write; with 16 the
  reads also queue behind each other and the writes, for the page and its floor alike.
- `checkin_week`: writers saving statuses while readers browse pages, with the worker's
  backlog (pending recompute requests, and the broker's queues) sampled every second.
"""

import itertools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests


@dataclass
class Client:
    base: str
    page_cookie: str
    token: str
    http: requests.Session = field(default_factory=requests.Session)

    def read(self, url: str, *, api: bool) -> float:
        headers = {"Accept-Encoding": "gzip"}
        if api:
            headers["Authorization"] = f"Token {self.token}"
        else:
            headers["Cookie"] = self.page_cookie
        started = time.perf_counter()
        response = self.http.get(self.base + url, headers=headers, timeout=120)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code}")
        return elapsed

    def save(self, write: "Write") -> float:
        started = time.perf_counter()
        response = self.http.post(
            self.base + write.url,
            json=write.payload(next_value()),
            headers={"Authorization": f"Token {self.token}"},
            timeout=120,
        )
        elapsed = time.perf_counter() - started
        if response.status_code not in (200, 201):
            raise RuntimeError(f"POST {write.url}: {response.status_code} {response.text[:200]}")
        return elapsed


@dataclass(frozen=True)
class Write:
    """A status save through the API (what a lead's check-in save writes): a metric's value
    for a quarter, changed at every save."""

    url: str
    metric_id: int
    quarter_id: int

    def payload(self, value: int) -> dict:
        # 1..90: valid for every unit (a percentage too); two saves in a row always differ.
        return {"metric": self.metric_id, "quarter": self.quarter_id, "value": 1 + value % 90}


_values = itertools.count(100_000)
_values_lock = threading.Lock()


def next_value() -> int:
    # Every save changes the figure, so every save is a real write (and invalidates).
    with _values_lock:
        return next(_values)


def percentile(values, fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _pause(think: float) -> None:
    if think:
        time.sleep(think * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not a secret


def _threads(count: int, target: Callable[[int], None]) -> None:
    failures: list[BaseException] = []

    def guarded(index: int) -> None:
        try:
            target(index)
        except BaseException as error:  # noqa: BLE001 - reported by the caller's thread
            failures.append(error)

    threads = [threading.Thread(target=guarded, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def first_reads(
    make_client: Callable[[], Client],
    *,
    url: str,
    api: bool,
    writes: list[Write],
    clients: int,
    rounds: int,
) -> tuple[list[float], int]:
    """Read latencies (s) of `url`, each right after the same client's save (client i saves
    writes[i]: each its own department's figure), and how many saves or reads failed."""
    latencies: list[float] = []
    failed = 0
    lock = threading.Lock()

    def run(index: int) -> None:
        nonlocal failed
        client = make_client()
        write = writes[index % len(writes)]
        for _ in range(rounds):
            try:
                client.save(write)
                took = client.read(url, api=api)
            except (RuntimeError, requests.RequestException):
                with lock:
                    failed += 1
                continue
            with lock:
                latencies.append(took)

    _threads(clients, run)
    return latencies, failed


@dataclass
class WeekFigures:
    saves: list[float]
    reads: list[float]
    errors: int
    backlog: list[tuple[float, int]]  # (seconds since start, pending recomputes + queued)


def checkin_week(
    make_client: Callable[[], Client],
    *,
    pages: list[tuple[str, bool]],
    writes: list[Write],
    writers: int,
    readers: int,
    duration: float,
    backlog_now: Callable[[], int],
    think: float = 0.0,
) -> WeekFigures:
    """Writers saving and readers reading for `duration` seconds. With `think` 0 each client
    sends its next request as soon as the last is answered (a saturation test: 32 clients on
    a 2-core server); with `think` > 0 it waits that long, with +-50% jitter, between its
    requests, as a person entering figures or reading pages does."""
    figures = WeekFigures(saves=[], reads=[], errors=0, backlog=[])
    lock = threading.Lock()
    stop = time.monotonic() + duration
    started = time.monotonic()

    def writer(index: int) -> None:
        client = make_client()
        write = writes[index % len(writes)]
        while time.monotonic() < stop:
            try:
                took = client.save(write)
            except (RuntimeError, requests.RequestException):
                with lock:
                    figures.errors += 1
                continue
            with lock:
                figures.saves.append(took)
            _pause(think)

    def reader(index: int) -> None:
        client = make_client()
        for url, api in itertools.cycle(pages[index % len(pages) :] + pages[: index % len(pages)]):
            if time.monotonic() >= stop:
                return
            try:
                took = client.read(url, api=api)
            except (RuntimeError, requests.RequestException):
                with lock:
                    figures.errors += 1
                continue
            with lock:
                figures.reads.append(took)
            _pause(think)

    def sampler(_index: int) -> None:
        while time.monotonic() < stop + 0.5:
            figures.backlog.append((time.monotonic() - started, backlog_now()))
            time.sleep(1.0)

    def run(index: int) -> None:
        if index == 0:
            sampler(index)
        elif index <= writers:
            writer(index - 1)
        else:
            reader(index - 1 - writers)

    _threads(1 + writers + readers, run)
    return figures
