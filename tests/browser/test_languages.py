"""A person switches the interface to Spanish in the account menu, finds it in Spanish after
signing in again, and switches back, in Chromium."""

import pytest

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username, password):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()


def choose_language(page, label):
    page.locator("details.account-menu summary").click()
    page.select_option("#language-choice", label=label)
    page.locator("form.language-choice button").click()
    page.wait_for_load_state()


def test_switching_to_spanish_and_back(page):
    user = UserFactory(username="ines", roles=["Viewer"])
    user.set_password("a-long-password-1")
    user.save()

    sign_in(page, "ines", "a-long-password-1")
    page.goto("/api/token/")
    assert page.locator("html").get_attribute("lang") == "en"

    choose_language(page, "Español")

    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("nav.main-nav").inner_text().strip() == "Paneles"
    page.locator("details.account-menu summary").click()
    page.get_by_role("button", name="Cerrar sesión").click()
    page.wait_for_load_state()

    sign_in(page, "ines", "a-long-password-1")
    page.goto("/api/token/")
    assert page.locator("html").get_attribute("lang") == "es"

    choose_language(page, "English")

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav.main-nav").inner_text().strip() == "Dashboards"
