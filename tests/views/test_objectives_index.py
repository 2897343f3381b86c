"""The objectives index: "Objectives" in the nav opens it, and it links every objective."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from metrics import models
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    call_command("loaddata", "seed_deck", verbosity=0)
    return models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)


def test_the_index_lists_and_links_every_objective(client, session, django_assert_max_num_queries):
    client.force_login(UserFactory(roles=["Viewer"]))
    url = reverse("metrics:objectives_index", kwargs={"session_id": session.id})
    objectives = client.get(url).context["deck"].objectives

    with django_assert_max_num_queries(30):
        response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    for objective in objectives:
        link = reverse(
            "metrics:objective",
            kwargs={"session_id": session.id, "objective_slug": objective.slug},
        )
        assert link in html
        assert objective.short_name in html
    assert len(objectives) >= 5
    # "Objectives" in the nav opens this index (not the first objective, ARMDEB).
    nav = client.get(reverse("metrics:session", kwargs={"session_id": session.id})).content
    assert f'<a href="{url}" >Objectives</a>'.encode() in nav
