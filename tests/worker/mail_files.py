"""The worker's mails, written to files the test reads (the worker is another process, so
Django's in-memory outbox is out of reach), and a mail server slow enough to kill a worker
in the middle of a send."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    """Says it started (a file `sending-<pid>`), waits OKR_TEST_MAIL_DELAY seconds, then
    writes the mails like the file backend: a worker killed while it waits has sent nothing."""

    def send_messages(self, email_messages):
        folder = Path(self.file_path)
        (folder / f"sending-{os.getpid()}-{time.monotonic_ns()}").write_text("sending")
        time.sleep(float(os.environ.get("OKR_TEST_MAIL_DELAY", "0")))
        return super().send_messages(email_messages)


def mails_in(folder: Path) -> list[str]:
    """The subjects of every mail written to `folder`."""
    subjects = []
    for path in sorted(folder.glob("*.log")):
        subjects += [
            line.removeprefix("Subject: ")
            for line in path.read_text().splitlines()
            if line.startswith("Subject: ")
        ]
    return subjects


def sending_marks(folder: Path) -> int:
    return len(list(folder.glob("sending-*")))
