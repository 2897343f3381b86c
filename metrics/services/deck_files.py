"""The deck as PowerPoint when a request cannot wait for it: built by the worker into a file
per session and content version, which the download then sends.

A large deck (thousands of slides and charts) takes minutes to build, far beyond a web
worker's timeout. With a worker (a broker configured), the download asks for the file: the
stored one if it is ready, else it queues `metrics.deck_pptx_build` (once per version) and
says "being prepared". In-process runs (eager Celery, no broker; tests) build it in the
request as before and store nothing.

Files are keyed like the cached pages (`metrics/caching/`): by the data version, or a
held session's hold, so a write makes the next download build a new file; storing a
session's new file removes its older ones.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings

from metrics.caching.keys import cache_key
from metrics.caching.store import claim, claim_release
from metrics.caching.versions import (
    ContentVersion,
    data_version_current,
    session_content_version,
)
from metrics.pptx_export import PptxFile, deck_pptx, deck_pptx_filename
from metrics.selectors.session_pages import session_header
from metrics.services.jobs import job_enqueue, jobs_run_in_process

TASK = "metrics.deck_pptx_build"
# A build queued this long ago and still not stored is queued again (a lost message, a
# worker killed mid-build).
QUEUED_FOR = 15 * 60


def _root() -> Path:
    return Path(settings.DECK_FILES_ROOT)


def _path(version: ContentVersion, session_id: int) -> Path:
    digest = cache_key(version, "deck.pptx", session_id).removeprefix("okr:")
    return _root() / f"session-{session_id}-{digest}.pptx"


def deck_pptx_stored(*, version: ContentVersion, header) -> PptxFile | None:
    """The stored file of this session and version, if the worker has built it."""
    try:
        content = _path(version, header.session_id).read_bytes()
    except FileNotFoundError:
        return None
    return PptxFile(deck_pptx_filename(header), content)


def deck_pptx_prepare(*, version: ContentVersion, header) -> PptxFile | None:
    """The file to send now, or None while the worker builds it (queued here if needed)."""
    stored = deck_pptx_stored(version=version, header=header)
    if stored is not None:
        return stored
    queued = ("deck.pptx.queued", header.session_id)
    if claim(version, queued, QUEUED_FOR):
        try:
            job_enqueue(task=TASK, args=(header.session_id,))
        except Exception:
            # No broker to take it: the request builds the file itself, as it did before.
            claim_release(version, queued)
            return deck_pptx(header.session_id)
    return None


def deck_pptx_build(*, session_id: int) -> bool:
    """Build and store the session's file for the current content version, unless it is
    stored already; True when it built one. NotFoundError for an unknown session."""
    header = session_header(session_id)
    version = session_content_version(data_version_current(), header)
    path = _path(version, session_id)
    if path.exists():
        return False
    content = deck_pptx(session_id).content
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: a download never reads half a file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "wb") as file:
        file.write(content)
    os.replace(temporary, path)
    for older in path.parent.glob(f"session-{session_id}-*.pptx"):
        if older != path:
            older.unlink(missing_ok=True)
    return True


def deck_pptx_in_request() -> bool:
    """Whether downloads build the file in the request (tasks run in-process)."""
    return jobs_run_in_process()
