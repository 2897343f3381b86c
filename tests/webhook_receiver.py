"""A real HTTP receiver for webhook tests: http.server on 127.0.0.1, port 0, in a thread.

It records every request (path, headers, body) and answers with the statuses it is given, in
order (the last one repeats). `verify` checks a delivery's signature as a receiver would
(the same code docs/operations.md shows)."""

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict
    body: bytes
    status: int


def verify(*, secret: str, body: bytes, signature_header: str, tolerance: int = 300) -> bool:
    """A receiver's check: the timestamp is recent and v1 is HMAC-SHA256(secret, "t.body")."""
    parts = dict(item.split("=", 1) for item in signature_header.split(",") if "=" in item)
    timestamp = int(parts.get("t", "0"))
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


class Receiver:
    def __init__(self, statuses=(200,), *, body: bytes = b"ok"):
        self.statuses = list(statuses)
        self.answer_body = body
        self.delay = 0.0  # seconds before each answer (a slow receiver)
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    index = len(receiver.received)
                    status = receiver.statuses[min(index, len(receiver.statuses) - 1)]
                    receiver.received.append(
                        Received(self.path, dict(self.headers.items()), body, status)
                    )
                time.sleep(receiver.delay)
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", str(len(receiver.answer_body)))
                self.end_headers()
                self.wfile.write(receiver.answer_body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
