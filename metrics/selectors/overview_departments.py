"""The executive overview's counts and check-in states of a live session, each department's
cached under that department's figures version, so that a check-in save recounts the
department saved and reads the others back (one round trip to the cache).

    checkin_states_by_department(quarter_id, departments, version=...) == checkin_states(...)
    attainment_tally_by_department(header, department_ids, version=...) == attainment_tally(...)
    confidence_tally_by_department(header, department_ids, version=...) == confidence_tally(...)

`tests/selectors/test_overview_departments.py` holds them equal to the whole-organisation reads.
"""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _

from metrics import models
from metrics.caching.store import cached_many
from metrics.caching.versions import DataVersions
from metrics.selectors.overview import live_attainments, live_confidences
from metrics.selectors.review import checkin_states


def _version(version: DataVersions, department_id):
    # The figures of what has no department bump the structure version (versions.data_changed),
    # which every department's key holds too.
    return version.of_departments([] if department_id is None else [department_id])


def checkin_states_by_department(quarter_id: int, departments, *, version: DataVersions) -> list:
    """checkin_states(quarter_id, departments), each department's state cached apart."""
    by_id = {d.id: d for d in departments}
    items = {
        d.id: (_version(version, d.id), ("checkin-state", quarter_id, d.id)) for d in departments
    }
    states = cached_many(
        items,
        lambda missing: {
            state.department_id: state
            for state in checkin_states(quarter_id, [by_id[i] for i in missing])
        },
    )
    return [states[d.id] for d in departments]


def attainment_tally_by_department(header, department_ids, *, version: DataVersions) -> list:
    """attainment_tally(header) of a live session over these departments' metrics (None:
    those without a department), each department's counts cached apart."""
    counted = _counted(
        version,
        ("attainments", header.session_id),
        department_ids,
        lambda missing: live_attainments(header, missing),
    )
    return [{"attainment": value, "count": counted[value]} for value in models.Attainment.values]


def confidence_tally_by_department(header, department_ids, *, version: DataVersions) -> list:
    """confidence_tally(header) of a live session over these departments' objectives' key
    results, each department's counts cached apart."""
    counted = _counted(
        version,
        ("confidences", header.session_id),
        department_ids,
        lambda missing: live_confidences(header, missing),
    )
    return [
        {"confidence": value, "label": label, "count": counted[value]}
        for value, label in [*models.Confidence.choices, ("", _("Not given"))]
    ]


def _counted(version, parts: tuple, department_ids, count) -> Counter:
    """The sum of each department's Counter, read from the cache or counted by
    `count(missing department ids)` -> {department id: Counter}."""
    items = {i: (_version(version, i), (*parts, i)) for i in department_ids}
    total = Counter()
    for counter in cached_many(items, count).values():
        total.update(counter)
    return total
