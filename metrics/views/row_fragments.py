"""The HTML of a page's rows, each cached under what that row shows, so that the first reader
after a check-in save renders the rows of the department saved, not the whole page.

A page that shows every department is cached whole under every department's figures version
(`SessionPageMixin.page_version`): any save makes it stale. Its rows are rendered into
fragments cached apart (one round trip for all of a page's, `caching.store.cached_many`), each
keyed by the structure version and the figures versions of the departments it shows (a held
session's by its hold), the session, the template and the reader (`reader_key`: role, leads,
language; the thread badges depend on them), and the page around them is put together from
those. The rows come from the page's part of the deck (`selectors/deck_departments.py`), which is
cached per department the same way.
"""

from __future__ import annotations

from django.template.loader import get_template

from metrics.caching.keys import reader_key
from metrics.caching.store import cached_many


def row_fragments(view, template_name: str, rows: dict, context: dict) -> dict:
    """{row key: its HTML} for `rows` ({row key: (departments shown, the row)}): the template
    rendered with `context` and the row as `row`, only for the rows whose fragment is not
    stored under their versions."""
    template = get_template(template_name)
    header, reader = view.header, reader_key(view.request.user)
    items = {
        key: (
            _version(view, departments),
            ("fragment", template_name, header.session_id, reader, key),
        )
        for key, (departments, _row) in rows.items()
    }

    def build(missing):
        return {key: template.render({**context, "row": rows[key][1]}) for key in missing}

    return cached_many(items, build)


def _version(view, departments):
    if view.header.frozen:
        return view.content_version  # its hold: no write changes a held deck
    # A figure without a department bumps the structure version (versions.data_changed),
    # which every key of of_departments holds.
    return view.version.of_departments(d for d in departments if d is not None)
