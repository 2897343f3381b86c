import pytest
from django.core.exceptions import ValidationError

from metrics import models
from metrics.services.errors import ConflictError, LockedError
from metrics.services.narratives import drilldown_update, objective_update
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return factories.UserFactory(username="lead", roles=["Department lead"])


def test_objective_narrative_update_bumps_the_version_and_keeps_history(lead):
    objective = factories.ObjectiveFactory(narrative="- first")

    updated = objective_update(
        objective=objective, actor=lead, source="form", expected_version=1, narrative="- second"
    )

    assert updated.version == 2
    assert updated.updated_by == lead
    entry = models.HistoryEntry.objects.get(field="narrative")
    assert (entry.old_value, entry.new_value, entry.actor) == ("- first", "- second", lead)


def test_objective_update_refuses_stale_versions_and_empty_statements(lead):
    objective = factories.ObjectiveFactory()
    objective_update(objective=objective, actor=lead, source="form", narrative="x")

    with pytest.raises(ConflictError):
        objective_update(
            objective=objective, actor=lead, source="form", expected_version=1, narrative="y"
        )
    with pytest.raises(ValidationError) as raised:
        objective_update(objective=objective, actor=lead, source="form", statement="  ")
    assert "statement" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        objective_update(objective=objective, actor=lead, source="form", narrative="x" * 60_000)
    assert "narrative" in raised.value.message_dict


def test_drilldown_update_is_refused_when_the_session_quarter_is_locked(lead):
    objective = factories.ObjectiveFactory()
    session = factories.TuningSessionFactory()
    drilldown = models.Drilldown.objects.create(objective=objective, session=session)

    drilldown = drilldown_update(
        drilldown=drilldown, actor=lead, source="form", situation="**Bold** situation"
    )
    assert drilldown.version == 2

    models.Submission.objects.create(
        department=objective.department, quarter=session.quarter, state="locked"
    )
    with pytest.raises(LockedError):
        drilldown_update(drilldown=drilldown, actor=lead, source="form", impact="x")
