"""The deck as PowerPoint when a request cannot wait for it: built by the worker into a file
per session and content version, which the download then sends.

A large deck (thousands of slides and charts) takes minutes to build, far beyond a web
worker's timeout. With a worker (a broker configured), the download asks for the file: the
stored one if it is ready, else it queues `metrics.deck_pptx_build` (once per version) and
says "being prepared". In-process runs (eager Celery, no broker; tests) build it in the
request as before and store nothing.

Files are keyed like the cached pages (`metrics/caching/`): by the data version, or a
held session's hold, so a write makes the next download build a new file; storing a
session's new file removes its older ones. They are kept in the "deck_files" storage
(STORAGES, metrics/storage.py): a folder by default, or the database, which every web host
reads without a shared folder (DECK_FILES_STORAGE=database).
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import storages

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


def _storage():
    return storages["deck_files"]


def _name(version: ContentVersion, session_id: int) -> str:
    digest = cache_key(version, "deck.pptx", session_id).removeprefix("okr:")
    return f"session-{session_id}-{digest}.pptx"


def deck_pptx_stored(*, version: ContentVersion, header) -> PptxFile | None:
    """The stored file of this session and version, if the worker has built it."""
    try:
        with _storage().open(_name(version, header.session_id), "rb") as file:
            content = file.read()
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
    name = _name(version, session_id)
    storage = _storage()
    if storage.exists(name):
        return False
    content = deck_pptx(session_id).content
    # Each storage writes a file whole (renamed into place, or one row): a download never
    # reads half a file.
    storage.save(name, ContentFile(content))
    _, files = storage.listdir("")
    for older in files:
        if older.startswith(f"session-{session_id}-") and older != name:
            storage.delete(older)
    return True


def deck_pptx_in_request() -> bool:
    """Whether downloads build the file in the request (tasks run in-process)."""
    return jobs_run_in_process()
