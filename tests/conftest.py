import pytest
from django.core.management import call_command


@pytest.fixture
def seed_deck(db):
    """The reference deck loaded from fixtures/ into the test database."""
    call_command("loaddata", "seed_deck", verbosity=0)
