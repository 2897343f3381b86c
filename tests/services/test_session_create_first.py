"""The organisation's first session, which no earlier session can open: created through a
service (history, the data version, the event), refused once any session exists."""

import pytest
from django.core.exceptions import ValidationError

from metrics import models
from metrics.caching.versions import data_version_current
from metrics.services.events import EventKind, event_subscribe, event_unsubscribe
from metrics.services.sessions import session_create_first
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    events = []
    event_subscribe(name="test-first-session", handler=events.append)
    yield events
    event_unsubscribe(name="test-first-session")


def _create(**texts):
    return session_create_first(
        actor=factories.UserFactory(username="root"),
        priority=factories.PriorityFactory(),
        quarter=factories.QuarterFactory(fiscal_year=2020, number=2),
        source="admin",
        **texts,
    )


def test_the_first_session_is_created_with_its_history_and_event(heard):
    before = data_version_current().structure[0]

    session = _create(title="  Thriving Movement Tuning Session ", overview="Line\r\nbreak")

    assert session.title == "Thriving Movement Tuning Session"
    assert session.overview == "Line\nbreak"
    assert session.state == models.SessionState.DRAFT
    history = models.HistoryEntry.objects.filter(object_id=session.pk, source="admin")
    assert {"title", "quarter", "state"} <= set(history.values_list("field", flat=True))
    assert data_version_current().structure[0] > before
    (opened,) = [event for event in heard if event.kind == EventKind.SESSION_OPENED]
    assert opened.payload["session_id"] == session.pk
    assert opened.payload["notify"] is False


def test_a_second_first_session_is_refused_and_nothing_is_written():
    _create(title="First")

    with pytest.raises(ValidationError, match="open the next one from the latest session"):
        _create(title="Second")
    assert list(models.TuningSession.objects.values_list("title", flat=True)) == ["First"]


@pytest.mark.parametrize(
    ("texts", "message"),
    [({}, "A session needs a title."), ({"title": "x" * 301}, "At most 300 characters.")],
)
def test_a_first_session_needs_a_title_that_fits(texts, message):
    with pytest.raises(ValidationError, match=message):
        _create(**texts)
    assert not models.TuningSession.objects.exists()
