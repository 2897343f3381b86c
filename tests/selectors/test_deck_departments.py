"""A live session's deck part put together from rows cached per department: always exactly
session_deck's part, before and after writes; a save in one department rebuilds that
department's rows only, in a bounded number of queries."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from metrics import models
from metrics.caching.versions import data_version_bump, data_version_current
from metrics.management.commands.generate_demo_data import demo_data_generate
from metrics.selectors import deck_layout as layout_module
from metrics.selectors.deck import DECK_QUERIES, session_deck
from metrics.selectors.deck_departments import (
    deck_part_by_departments,
    objective_departments_cached,
)
from metrics.selectors.deck_layout import deck_layout
from metrics.selectors.deck_types import WHOLE_DECK, DeckWindow
from metrics.selectors.session_pages import session_header
from metrics.services.statuses import quarterly_status_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(layout_module, "METRICS_PER_PAGE", 4)
    monkeypatch.setattr(layout_module, "KEY_RESULTS_PER_PAGE", 5)


@pytest.fixture
def generated():
    demo_data_generate(scale=3, seed=7)
    session = models.TuningSession.objects.order_by(
        "-quarter__fiscal_year", "-quarter__number"
    ).first()
    return session_header(session.id)


def _windows(header):
    layout = deck_layout(header)
    windows = [WHOLE_DECK, WHOLE_DECK.without_extras()]
    for number in range(1, layout.page_count + 1):
        windows += [layout.window(number), layout.metrics_window(number)]
    return windows


def _assert_parts_equal_the_deck(header):
    version = data_version_current()
    for window in _windows(header):
        assert deck_part_by_departments(header, window, version=version) == session_deck(
            header.session_id, window
        ), window


def _open_metric(header):
    """A metric of the session whose department may still save the session's quarter."""
    locked = models.Submission.objects.filter(
        quarter_id=header.quarter_id, state=models.SubmissionState.LOCKED
    ).values("department_id")
    definition = (
        models.MetricDefinition.objects.filter(session_id=header.session_id, is_retired=False)
        .exclude(metric__department_id__in=locked)
        .select_related("metric")
        .order_by("order", "id")
        .first()
    )
    quarter = models.Quarter.objects.get(pk=header.quarter_id)
    return definition.metric, quarter, UserFactory(is_superuser=True)


def test_every_part_equals_the_deck_part_cold_and_cached(small_pages, generated):
    _assert_parts_equal_the_deck(generated)  # built
    _assert_parts_equal_the_deck(generated)  # read back from the cache


def test_after_a_save_the_parts_show_the_new_figure(small_pages, generated):
    _assert_parts_equal_the_deck(generated)
    metric, quarter, user = _open_metric(generated)
    quarterly_status_save(
        metric=metric, segment=None, quarter=quarter, actor=user, source="form",
        value=Decimal("42"),
    )  # fmt: skip
    _assert_parts_equal_the_deck(generated)
    whole = deck_part_by_departments(generated, WHOLE_DECK, version=data_version_current())
    row = next(r for r in whole.metric_rows if r.metric_id == metric.id)
    assert any("42" in cell.display for cell in row.cells)


def test_after_a_structure_write_every_part_is_rebuilt(small_pages, generated):
    _assert_parts_equal_the_deck(generated)
    definition = models.MetricDefinition.objects.filter(session_id=generated.session_id).first()
    models.MetricDefinition.objects.filter(pk=definition.pk).update(name="Renamed metric")
    data_version_bump()
    _assert_parts_equal_the_deck(generated)


def test_a_save_rebuilds_only_its_departments_rows(
    small_pages, generated, django_assert_num_queries
):
    window = WHOLE_DECK.without_extras()
    metric, quarter, user = _open_metric(generated)  # a new account is a structure write
    version = data_version_current()
    deck_part_by_departments(generated, window, version=version)
    with django_assert_num_queries(0):  # every part cached
        deck_part_by_departments(generated, window, version=version)
    quarterly_status_save(
        metric=metric, segment=None, quarter=quarter, actor=user, source="form",
        value=Decimal("7"),
    )  # fmt: skip
    version = data_version_current()
    with CaptureQueriesContext(connection) as queries:
        deck = deck_part_by_departments(generated, window, version=version)
    assert len(queries) <= DECK_QUERIES, "\n".join(q["sql"][:160] for q in queries)
    # The statuses read are those of the rows that show the written department's figures:
    # its metrics, and the key results' metrics of objectives that show them.
    (status_read,) = [q["sql"] for q in queries if 'FROM "metrics_quarterlystatus"' in q["sql"]]
    read_ids = {int(i) for i in re.search(r'"metric_id" IN \(([^)]*)\)', status_read)[1].split(",")}
    touched = metric.department_id
    objectives = [
        o for o, d in objective_departments_cached(generated, version).items() if touched in d
    ]
    allowed = set(
        models.Metric.objects.filter(
            Q(department_id=touched) | Q(key_results__objective__in=objectives)
        ).values_list("id", flat=True)
    )
    assert metric.id in read_ids
    assert read_ids <= allowed
    assert len(read_ids) < models.Metric.objects.count() / 3
    assert deck == session_deck(generated.session_id, window)


def test_objectives_only_window(generated):
    version = data_version_current()
    layout = deck_layout(generated)
    objective_id = layout.objective_pages[0][0]
    window = DeckWindow(metric_ids=frozenset(), objective_ids=frozenset({objective_id}))
    assert deck_part_by_departments(generated, window, version=version) == session_deck(
        generated.session_id, window
    )
