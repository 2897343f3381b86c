import pytest
from django.core.cache import cache
from django.core.management import call_command


@pytest.fixture(autouse=True)
def empty_cache():
    """Throttles and sign-in limits count in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seed_deck(db):
    """The reference deck loaded from fixtures/ into the test database."""
    call_command("loaddata", "seed_deck", verbosity=0)


@pytest.fixture
def seed_deck_with_history(db):
    """The reference deck and its history (each row's "seed" entry, the build's recompute)."""
    call_command("loaddata", "seed_deck", "seed_history", verbosity=0)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, keep the test database in a file rather than in memory, so that the real
    Celery workers of tests/worker (separate processes) can open it too."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})
        database["TEST"]["NAME"] = str(tmp_path_factory.mktemp("test-db") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with no cached page (the cache outlives a test's rolled-back data)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in Spanish leaves Spanish active in the thread (LocaleMiddleware activates
    per request and never deactivates): the next test starts in the default language."""
    from django.utils import translation

    yield
    translation.deactivate()
