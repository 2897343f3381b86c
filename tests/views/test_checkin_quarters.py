"""The check-in picker opens on the quarter open for entry, and the previous/next links go
only to quarters that exist or have begun."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics import models
from tests import factories
from tests.entry_world import entry_world_build

pytestmark = pytest.mark.django_db


def checkin_url(fiscal_year, number):
    return reverse(
        "metrics:checkin",
        kwargs={"department": "product", "fiscal_year": fiscal_year, "number": number},
    )


def picker_initial(client):
    form = client.get(reverse("metrics:checkin-index")).context["form"]
    return form.initial["fiscal_year"], form.initial["number"]


def test_the_picker_opens_on_the_latest_sessions_quarter_not_todays(client):
    world = entry_world_build()
    factories.TuningSessionFactory(quarter=factories.QuarterFactory(fiscal_year=2020, number=2))
    client.force_login(world.lead_product)

    assert picker_initial(client) == (2020, 2)


def test_the_picker_opens_on_the_quarter_whose_deadline_is_next(client):
    world = entry_world_build()
    factories.TuningSessionFactory(quarter=factories.QuarterFactory(fiscal_year=2020, number=2))
    today = timezone.localdate()
    soon = factories.QuarterFactory(fiscal_year=today.year, number=1)
    soon.status_deadline = today + timedelta(days=10)
    soon.save()
    client.force_login(world.lead_product)

    assert picker_initial(client) == (today.year, 1)


def test_previous_and_next_links_stop_at_quarters_that_do_not_exist_yet(client):
    world = entry_world_build()
    client.force_login(world.lead_product)
    earliest = models.Quarter.objects.order_by("fiscal_year", "number").first()

    html = client.get(checkin_url(earliest.fiscal_year, earliest.number)).content.decode()

    previous = earliest.fiscal.shifted(-1)
    assert checkin_url(previous.fiscal_year, previous.number) not in html
    following = earliest.fiscal.shifted(1)
    assert checkin_url(following.fiscal_year, following.number) in html


def test_next_links_never_walk_into_the_future_or_a_404(client):
    world = entry_world_build()
    client.force_login(world.lead_product)
    today = timezone.localdate()
    url = checkin_url(today.year - 1, 1)
    seen = 0
    # Follow "next" until it stops: it must stop within a year or two of today, every page 200.
    while url and seen < 20:
        response = client.get(url)
        assert response.status_code == 200
        seen += 1
        next_quarter = response.context["next_quarter"]
        url = next_quarter and checkin_url(next_quarter.fiscal_year, next_quarter.number)
    assert url is None
    assert response.context["quarter"].start_date <= today + timedelta(days=92)
    assert response.context["quarter"].start_date > date(2000, 1, 1)
