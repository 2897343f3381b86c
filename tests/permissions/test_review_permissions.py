"""Who may take each step of the review loop, asked of metrics.permissions: reviewers are
facilitators and admins, never for a department they lead; leads submit and withdraw their
own; a check-in under review is read-only for leads, not for admins or the system."""

import pytest
from django.contrib.auth.models import AnonymousUser

from metrics import models, permissions
from tests import factories
from tests.entry_world import entry_world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = entry_world_build()
    world.facilitator = factories.UserFactory(username="facilitator", roles=["Facilitator"])
    return world


def test_reviewers_are_facilitators_and_admins(world):
    reviewers = {
        name: permissions.can_review(user, world.product)
        for name, user in (
            ("admin", world.admin),
            ("facilitator", world.facilitator),
            ("lead_own", world.lead_product),
            ("lead_other", world.lead_legal),
            ("executive", world.executive),
            ("viewer", world.viewer),
            ("anonymous", AnonymousUser()),
        )
    }
    assert reviewers == {
        "admin": True,
        "facilitator": True,
        "lead_own": False,
        "lead_other": False,
        "executive": False,
        "viewer": False,
        "anonymous": False,
    }


@pytest.mark.parametrize("reviewer", ["admin", "facilitator"])
def test_nobody_reviews_a_department_they_lead(world, reviewer):
    user = getattr(world, reviewer)
    world.product.leads.add(user)
    user = type(user).objects.get(pk=user.pk)  # no cached departments
    assert permissions.leads_department(user, world.product)
    assert not permissions.can_review(user, world.product)
    assert permissions.can_review(user, world.legal)


@pytest.mark.parametrize(
    ("state", "lead_own", "lead_other", "admin"),
    [
        ("draft", False, False, False),
        ("submitted", True, False, True),
        ("returned", False, False, False),
        ("approved", True, False, True),
        ("locked", False, False, False),
    ],
)
def test_withdrawing_is_for_the_departments_leads_and_admins_while_under_review(
    world, state, lead_own, lead_other, admin
):
    submission = models.Submission(department=world.product, quarter=world.q3, state=state)
    assert permissions.can_withdraw(world.lead_product, submission) is lead_own
    assert permissions.can_withdraw(world.lead_legal, submission) is lead_other
    assert permissions.can_withdraw(world.admin, submission) is admin
    assert not permissions.can_withdraw(world.facilitator, submission)


def test_a_check_in_under_review_is_read_only_for_leads_only(world):
    assert permissions.edits_under_review(None)
    assert permissions.edits_under_review(world.admin)
    assert not permissions.edits_under_review(world.lead_product)
    assert {"submitted", "approved"} == permissions.UNDER_REVIEW
