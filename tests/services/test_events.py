"""Domain events reach subscribers inside the writer's transaction, and only then."""

import pytest
from django.db import transaction

from metrics.services.events import EventKind, event_publish, event_subscribe, event_unsubscribe
from metrics.services.statuses import quarterly_status_save
from metrics.services.submissions import submission_submit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    events = []
    event_subscribe(name="test-listener", handler=events.append)
    yield events
    event_unsubscribe(name="test-listener")


def test_a_status_save_publishes_status_saved_with_its_department(heard):
    metric = factories.MetricFactory()
    quarter = factories.QuarterFactory(fiscal_year=2020, number=3)
    lead = factories.UserFactory()

    status = quarterly_status_save(
        metric=metric, segment=None, quarter=quarter, actor=lead, source="form", value="95000"
    )

    saved = [e for e in heard if e.kind == EventKind.STATUS_SAVED]
    assert len(saved) == 1
    assert saved[0].actor_id == lead.pk
    assert saved[0].payload["status_id"] == status.pk
    assert saved[0].payload["department_id"] == metric.department_id


def test_an_unchanged_save_publishes_nothing(heard):
    metric = factories.MetricFactory()
    quarter = factories.QuarterFactory(fiscal_year=2020, number=3)
    kwargs = {
        "metric": metric,
        "segment": None,
        "quarter": quarter,
        "actor": None,
        "source": "form",
    }
    quarterly_status_save(**kwargs, value="1")
    heard.clear()

    quarterly_status_save(**kwargs, value="1")

    assert heard == []


def test_a_submission_publishes_its_transition(heard):
    department = factories.DepartmentFactory()
    quarter = factories.QuarterFactory(fiscal_year=2020, number=3)

    submission_submit(department=department, quarter=quarter, actor=factories.UserFactory())

    (event,) = heard
    assert event.kind == EventKind.SUBMISSION_CHANGED
    assert (event.payload["from_state"], event.payload["to_state"]) == ("draft", "submitted")


def test_a_failing_subscriber_does_not_fail_or_abort_the_write(heard):
    def broken(event):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    event_subscribe(name="broken", handler=broken)
    try:
        department = factories.DepartmentFactory()
        quarter = factories.QuarterFactory(fiscal_year=2020, number=3)
        with transaction.atomic():
            submission = submission_submit(department=department, quarter=quarter, actor=None)
            # The transaction is still usable after the subscriber's failed query.
            submission.refresh_from_db()
        assert submission.state == "submitted"
        assert len(heard) == 1
    finally:
        event_unsubscribe(name="broken")


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        event_publish(kind="status.exploded", actor=None, payload={})
