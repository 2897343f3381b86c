"""Ports for the servers tests start: always the kernel's choice (bind to port 0), never a
fixed number or range that another run on the machine may hold."""

import socket


def free_port() -> int:
    """A port nothing listens on now, chosen by the kernel, for a server that must be told
    its port on its command line (gunicorn, redis-server, PostgreSQL). A test server of our
    own binds port 0 itself and reads the port back instead."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
