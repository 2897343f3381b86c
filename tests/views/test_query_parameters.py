"""Every HTML page's query parameters: a value the page cannot use (foreign digits, text
where an id goes, an id or slug naming nothing, control characters) is a 400 page that names
the parameter, never a 500 and never silently ignored; usable values still work."""

import pytest
from django.urls import reverse

from metrics.models import QuarterlyStatus
from tests.entry_world import entry_world_build
from tests.factories import UserFactory
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db

NOT_WHOLE_NUMBERS = ["²", "٣", "２", "x", "-1", "4.0", "1e3", "9" * 30 + "²"]


@pytest.fixture
def viewer(client):
    session = build_small_deck()
    client.force_login(UserFactory(roles=["Viewer"]))
    client.raise_request_exception = False
    status = QuarterlyStatus.objects.filter(segment=None).first()
    return session, status


def _pages(session, status):
    history = reverse("metrics:cell_history", kwargs={"status_id": status.pk})
    return {
        "before": reverse("metrics:session_compare"),
        "after": reverse("metrics:session_compare"),
        "session": history,
        "page": history,
    }


@pytest.mark.parametrize("name", ["before", "after", "session", "page"])
@pytest.mark.parametrize("raw", NOT_WHOLE_NUMBERS)
def test_an_id_parameter_that_is_not_a_whole_number_is_a_400_naming_it(client, viewer, name, raw):
    url = _pages(*viewer)[name]

    response = client.get(url, {name: raw})

    assert response.status_code == 400
    html = response.content.decode()
    assert f"?{name}= must be a whole number written with the digits 0-9" in html


def test_usable_ids_still_work(client, viewer):
    session, status = viewer
    history = reverse("metrics:cell_history", kwargs={"status_id": status.pk})

    assert client.get(reverse("metrics:session_compare"), {"after": session.id}).status_code == 200
    assert client.get(history, {"session": session.id, "page": "1"}).status_code == 200
    assert client.get(history, {"session": "", "page": " "}).status_code == 200


def test_a_huge_page_number_shows_the_last_page(client, viewer):
    _session, status = viewer
    history = reverse("metrics:cell_history", kwargs={"status_id": status.pk})

    assert client.get(history, {"page": "9" * 40}).status_code == 200


def test_an_unknown_department_on_the_overview_is_a_400(client, viewer):
    session, _status = viewer
    url = reverse("metrics:session_overview", kwargs={"session_id": session.id})

    assert client.get(url, {"department": "product"}).status_code == 200
    response = client.get(url, {"department": "no-such-team"})

    assert response.status_code == 400
    assert "There is no department “no-such-team” (?department=)" in response.content.decode()


def test_a_search_with_a_nul_byte_is_a_400_and_ordinary_text_is_searched(client, viewer):
    url = reverse("metrics:search")

    assert client.get(url, {"q": "editors ² ٣ <b>"}).status_code == 200
    response = client.get(url, {"q": "editors\x00"})

    assert response.status_code == 400
    assert "?q= cannot contain control characters" in response.content.decode()


def test_an_unknown_backfill_row_is_a_400_and_a_known_one_shows_its_values(client):
    world = entry_world_build()
    client.force_login(world.lead_product)
    client.raise_request_exception = False
    url = reverse("metrics:entry-backfill", kwargs={"department": "product"})

    known = client.get(url, {"row": f"{world.editors.pk}-0"})
    unknown = client.get(url, {"row": f"{world.editors.pk}-²"})

    assert known.status_code == 200
    assert known.context["stored_key"] == f"{world.editors.pk}-0"
    assert unknown.status_code == 400
    assert "There is no metric row" in unknown.content.decode()


@pytest.mark.parametrize("year", ["٢٠٢٠", "２０２０", "2020²", "2020.0"])
def test_the_quarter_picker_refuses_foreign_digits_as_a_form_error(client, year):
    world = entry_world_build()
    client.force_login(world.lead_product)

    response = client.get(
        reverse("metrics:checkin-index"),
        {"department": "product", "fiscal_year": year, "number": "2"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["fiscal_year"]
    redirected = client.get(
        reverse("metrics:checkin-index"),
        {"department": "product", "fiscal_year": "2020", "number": "2"},
    )
    assert redirected.status_code == 302
