import pytest

from metrics import models
from metrics.services.errors import LockedError
from metrics.services.submissions import (
    submission_lock,
    submission_reopen,
    submission_submit,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def department():
    return factories.DepartmentFactory(name="Product", slug="product")


@pytest.fixture
def quarter():
    return factories.QuarterFactory(fiscal_year=2020, number=2)


def test_draft_then_submitted_then_locked_then_reopened(department, quarter):
    lead = factories.UserFactory(username="lead")
    admin = factories.UserFactory(username="admin")

    submitted = submission_submit(department=department, quarter=quarter, actor=lead)
    assert (submitted.state, submitted.submitted_by) == ("submitted", lead)
    assert submitted.submitted_at is not None

    locked = submission_lock(department=department, quarter=quarter, actor=admin)
    assert (locked.state, locked.locked_by) == ("locked", admin)

    with pytest.raises(LockedError):
        submission_submit(department=department, quarter=quarter, actor=lead)

    reopened = submission_reopen(department=department, quarter=quarter, actor=admin)
    assert reopened.state == "draft"
    states = models.HistoryEntry.objects.filter(field="state").order_by("id")
    assert [(h.old_value, h.new_value) for h in states] == [
        ("draft", "submitted"),
        ("submitted", "locked"),
        ("locked", "draft"),
    ]


def test_reopening_a_draft_changes_nothing(department, quarter):
    draft = submission_reopen(department=department, quarter=quarter, actor=None)

    assert draft.state == "draft"
    assert not models.HistoryEntry.objects.exists()


def test_submitting_twice_is_harmless(department, quarter):
    submission_submit(department=department, quarter=quarter, actor=None)
    again = submission_submit(department=department, quarter=quarter, actor=None)

    assert again.state == "submitted"
    assert models.Submission.objects.count() == 1
