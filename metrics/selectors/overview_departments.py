"""The executive overview's figures of a live session, each department's cached under that
department's figures version, so that a check-in save recounts the department saved and
reads the others back (one round trip to the cache for all of them).

    department_figures(header, departments, version=...)
        -> {department id (None: what has no department): DepartmentFigures}
    checkin_states_of(figures, departments)   == checkin_states(quarter, departments)
    attainment_tally_of(figures, ids)         == attainment_tally(header[, department])
    confidence_tally_of(figures, ids)         == confidence_tally(header[, department])

`tests/selectors/test_overview_departments.py` holds them equal to the whole-organisation
reads, before and after saves.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from metrics import models
from metrics.caching.store import cached_many
from metrics.caching.versions import DataVersions
from metrics.selectors.overview import live_attainments, live_confidences
from metrics.selectors.review import CheckinState, checkin_states


@dataclass(frozen=True)
class DepartmentFigures:
    """What the overview shows of one department in a session's quarter."""

    checkin: CheckinState | None  # None for what has no department
    attainments: Counter = field(default_factory=Counter)  # its metrics' attainments
    confidences: Counter = field(default_factory=Counter)  # its key results' confidences


def _version(version: DataVersions, department_id):
    # The figures of what has no department bump the structure version (versions.data_changed),
    # which every department's key holds too.
    return version.of_departments([] if department_id is None else [department_id])


def department_figures(header, departments, *, version: DataVersions) -> dict:
    """{department id: DepartmentFigures} of every department given and of what has no
    department (None), those a write made stale counted together (at most eight queries)."""
    by_id = {d.id: d for d in departments}
    items = {
        i: (_version(version, i), ("overview-figures", header.session_id, i))
        for i in [*by_id, None]
    }

    def build(missing):
        known = [by_id[i] for i in missing if i is not None]
        states = (
            {s.department_id: s for s in checkin_states(header.quarter_id, known)} if known else {}
        )
        attainments = live_attainments(header, missing)
        confidences = live_confidences(header, missing)
        return {
            i: DepartmentFigures(
                checkin=states.get(i),
                attainments=attainments.get(i, Counter()),
                confidences=confidences.get(i, Counter()),
            )
            for i in missing
        }

    return cached_many(items, build)


def checkin_states_of(figures: dict, departments) -> list:
    """Every department's check-in state, in the order given."""
    return [figures[d.id].checkin for d in departments]


def attainment_tally_of(figures: dict, department_ids) -> list[dict]:
    """attainment_tally's list, counted over these departments (None: no department)."""
    counted = _summed(figures[i].attainments for i in department_ids)
    return [{"attainment": value, "count": counted[value]} for value in models.Attainment.values]


def confidence_tally_of(figures: dict, department_ids) -> list[dict]:
    """confidence_tally's list, counted over these departments (None: no department)."""
    counted = _summed(figures[i].confidences for i in department_ids)
    return [
        {"confidence": value, "label": label, "count": counted[value]}
        for value, label in [*models.Confidence.choices, ("", _("Not given"))]
    ]


def _summed(counters) -> Counter:
    total = Counter()
    for counter in counters:
        total.update(counter)
    return total
