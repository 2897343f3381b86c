"""Shared fixtures for browser tests: Debian's Chromium driven by Playwright against the
pytest-django live server.

- `browser`: one headless Chromium per test session.
- `page`: a fresh context and page per test; console errors, uncaught page errors, failed
  requests and HTTP error responses are recorded and fail the test at teardown (a test that
  expects one removes it from `page.problems`).
- `login`: `login(page, user)` signs a user in by planting a Django session cookie.
- `screenshot`: `screenshot(page, "name")` saves test-artifacts/screenshots/name.png.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; Django would refuse ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# The same variable scripts/ensure-chromium reads.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []

    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text} ({message.location})")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "requestfailed",
        lambda request: (
            problems.append(f"request failed: {request.method} {request.url} {request.failure}")
            # A request the browser dropped because the page navigated away (the header's
            # unread count still loading when a test clicks on) is not a failure.
            if "ERR_ABORTED" not in (request.failure or "")
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    page.problems = problems
    yield page
    context.close()
    assert not problems, "browser reported problems:\n" + "\n".join(problems)


@pytest.fixture
def login(live_server):
    """Sign `user` in on `page` without going through the login form."""
    from django.test import Client

    def sign_in(page, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
        return page

    return sign_in


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save
