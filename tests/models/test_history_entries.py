"""History entries keep no database foreign keys (for the recompute's bulk inserts): Django
still nulls the actor of a deleted user and drops the entries of a deleted content type."""

import pytest
from django.contrib.contenttypes.models import ContentType

from metrics.models import HistoryEntry
from metrics.services.history import history_record
from tests.factories import QuarterlyStatusFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_user_keeps_their_entries_without_an_actor():
    status = QuarterlyStatusFactory()
    user = UserFactory()
    history_record(instance=status, changes={"value": (1, 2)}, actor=user, source="form")

    user.delete()

    entry = HistoryEntry.objects.get()
    assert entry.actor is None
    assert entry.new_value == "2"


def test_deleting_a_content_type_deletes_its_entries():
    status = QuarterlyStatusFactory()
    history_record(instance=status, changes={"value": (1, 2)}, source="form")
    content_type = ContentType.objects.get_for_model(status)

    content_type.delete()
    ContentType.objects.clear_cache()

    assert not HistoryEntry.objects.exists()
