"""The interface in another language: chosen in the account menu, remembered per person,
never changing the deck's printed cells, never serving one language's cached page to another."""

import pytest
from django.test import Client
from django.urls import reverse

from metrics import models
from tests.factories import UserFactory
from tests.views.dashboard_html import cells_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    user = UserFactory(username="ines", roles=["Viewer"])
    user.set_password("a-long-password-1")
    user.save()
    return user


def choose(client, language, next_url="/"):
    return client.post(reverse("language"), {"language": language, "next": next_url})


def test_a_signed_in_person_switches_to_spanish_and_back(client, person):
    client.force_login(person)

    answer = choose(client, "es", reverse("api:token"))

    assert answer.status_code == 302 and answer["Location"] == reverse("api:token")
    page = client.get(reverse("api:token")).content.decode()
    assert '<html lang="es">' in page
    assert "Cerrar sesión" in page and "Sign out" not in page

    choose(client, "en")
    page = client.get(reverse("api:token")).content.decode()
    assert '<html lang="en">' in page and "Sign out" in page


def test_the_choice_follows_the_person_to_another_browser(client, person):
    client.force_login(person)
    choose(client, "es")
    assert models.AccountSettings.objects.get(user=person).language == "es"

    elsewhere = Client()
    elsewhere.post(
        reverse("login"), {"username": "ines", "password": "a-long-password-1"}, follow=False
    )
    page = elsewhere.get(reverse("api:token")).content.decode()

    assert '<html lang="es">' in page


def test_the_browsers_language_is_the_default(client, person):
    client.force_login(person)

    page = client.get(reverse("api:token"), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9").content

    assert b"Cerrar sesi\xc3\xb3n" in page


def test_someone_signed_out_chooses_on_the_sign_in_page(client):
    page = client.get(reverse("login")).content.decode()
    assert 'action="/language/"' in page

    choose(client, "es", reverse("login"))

    assert "Iniciar sesión" in client.get(reverse("login")).content.decode()


def test_an_unknown_language_and_an_outside_address_are_ignored(client, person):
    client.force_login(person)

    answer = choose(client, "xx", "https://evil.example/")

    assert answer["Location"] == "/"
    assert models.AccountSettings.objects.get(user=person).language == ""


@pytest.mark.usefixtures("seed_deck")
def test_the_decks_printed_cells_are_the_same_in_every_language(client, person):
    client.force_login(person)
    session = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)
    url = reverse("metrics:session_metrics", kwargs={"session_id": session.pk})
    english = cells_by(client.get(url).content.decode())

    choose(client, "es")
    spanish = cells_by(client.get(url).content.decode())

    assert spanish == english
    assert "+8.1% YoY (92K/mo*)" in spanish.values()


@pytest.mark.usefixtures("seed_deck")
def test_a_page_cached_in_english_is_not_served_in_spanish(client, person):
    client.force_login(person)
    session = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)
    url = reverse("metrics:session_metrics", kwargs={"session_id": session.pk})
    english = client.get(url)

    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es", HTTP_IF_NONE_MATCH=english["ETag"])

    assert spanish.status_code == 200
    assert spanish["ETag"] != english["ETag"]
    assert '<html lang="es">' in spanish.content.decode()
