"""Server settings every PostgreSQL connection of the app asks for (libpq's `options`).

A web host cut off from the network mid-request leaves its transaction open on the server:
PostgreSQL does not learn that the client is gone, so the rows it locked (a status, an
idempotency key, a department's data version) stay locked and every later save of them
waits, until the surviving hosts' workers are all waiting too (benchmarks/faults.py hosts
--kill link; docs/reliability.md). Two limits end that:

- `idle_in_transaction_session_timeout`: the server ends a session whose transaction has
  sent nothing for that long, and its locks go with it. It must exceed the longest pause a
  live transaction makes between two queries (a hold builds its snapshot in Python
  mid-transaction: seconds at 100 times the seed), hence a minute by default.
- `tcp_keepalives_*`: the server probes an idle client's connection and drops it after
  idle + interval x count seconds without an answer, which also ends a cut-off session
  that was not in a transaction (its advisory locks, its slot).
"""


def postgres_session_options(
    *, idle_in_transaction_seconds: int, keepalive_idle_seconds: int
) -> str:
    """The `options` string for these limits; 0 leaves a limit to the server's default."""
    settings = []
    if idle_in_transaction_seconds > 0:
        settings.append(f"idle_in_transaction_session_timeout={idle_in_transaction_seconds * 1000}")
    if keepalive_idle_seconds > 0:
        settings += [
            f"tcp_keepalives_idle={keepalive_idle_seconds}",
            "tcp_keepalives_interval=10",
            "tcp_keepalives_count=3",
        ]
    return " ".join(f"-c {setting}" for setting in settings)
