"""The session authoring page's actions look their rows up through selectors: a row that is
not the session's (or does not exist) is a 404, nothing is written."""

import pytest
from django.urls import reverse

from metrics import models
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilitator_client(client):
    client.force_login(factories.UserFactory(username="fay", roles=["Facilitator"]))
    return client


def edit_url(session_id):
    return reverse("metrics:session_edit", kwargs={"session_id": session_id})


def test_an_action_on_the_sessions_own_row_is_done(facilitator_client):
    session = factories.TuningSessionFactory()

    response = facilitator_client.post(
        edit_url(session.pk), {"action": "deliverable-add", "title": "Ship the deck"}
    )

    assert response.status_code == 302
    assert list(session.key_deliverables.values_list("title", flat=True)) == ["Ship the deck"]


def test_an_unknown_session_is_404(facilitator_client):
    response = facilitator_client.post(edit_url(987654), {"action": "deliverable-add"})

    assert response.status_code == 404


def test_another_sessions_row_is_404_and_left_alone(facilitator_client):
    session, other = factories.TuningSessionFactory(), factories.TuningSessionFactory()
    theirs = models.KeyDeliverable.objects.create(session=other, title="Theirs", order=1)

    response = facilitator_client.post(
        edit_url(session.pk), {"action": "deliverable-remove", "id": theirs.pk}
    )

    assert response.status_code == 404
    assert models.KeyDeliverable.objects.filter(pk=theirs.pk).exists()


def test_a_key_result_of_an_objective_the_session_does_not_show_is_404(facilitator_client):
    session = factories.TuningSessionFactory()
    key_result = factories.KeyResultFactory()

    response = facilitator_client.post(
        edit_url(session.pk), {"action": "kr-retire", "id": key_result.pk}
    )

    assert response.status_code == 404
    key_result.refresh_from_db()
    assert key_result.is_retired is False
