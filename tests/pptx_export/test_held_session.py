"""A held session exports as it was presented: the file reads the session's snapshot (through
session_deck() and the presented chart data), whatever is edited after the meeting."""

from decimal import Decimal

import pytest

from metrics import models
from metrics.pptx_export import deck_pptx
from metrics.services import sessions as cycle
from tests.factories import UserFactory
from tests.pptx_export.reading import charts_of, find_cell, open_deck, title_of
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db


def exported(session):
    deck = open_deck(deck_pptx(session.id).content)
    tables = [s for s in deck.slides if title_of(s) == "Thriving Movement Metrics"]
    chart = next(charts_of(s)[0] for s in deck.slides if title_of(s) == "Monthly Active Editors")
    cell = find_cell(tables, "Monthly active editors", 4)
    return " ".join(cell.text_frame.text.split()), list(chart.plots[0].series[0].values)


def test_a_held_session_exports_its_figures_as_presented():
    session = build_small_deck()
    cycle.session_hold(actor=UserFactory(roles=["Admin"]), session=session)
    before = exported(session)
    assert before[0] == "+8.1% YoY (92K/mo*)"

    # Edited after the meeting, behind the services' back.
    editors = models.Metric.objects.get(slug="monthly-active-editors")
    models.QuarterlyStatus.objects.filter(
        metric=editors, segment=None, quarter=session.quarter
    ).update(value=Decimal("99000"), yoy_delta=Decimal("0.2"))
    models.Observation.objects.filter(metric=editors).update(value=Decimal("1"))

    assert exported(session) == before
