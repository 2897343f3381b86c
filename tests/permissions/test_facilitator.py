"""The facilitator role: runs the quarterly cycle of sessions, edits no department's figures."""

import pytest

from metrics import models, permissions
from tests import factories


@pytest.mark.parametrize(
    ("role", "facilitates", "reopens"),
    [
        ("Admin", True, True),
        ("Facilitator", True, False),
        ("Executive", False, False),
        ("Department lead", False, False),
        ("Viewer", False, False),
    ],
)
def test_who_runs_the_cycle(db, role, facilitates, reopens):
    user = factories.UserFactory(roles=[role])
    assert permissions.can_facilitate(user) is facilitates
    assert permissions.can_reopen_session(user) is reopens


def test_a_facilitator_reads_but_edits_no_department(db):
    user = factories.UserFactory(roles=["Facilitator"])
    department = factories.DepartmentFactory()
    assert permissions.role_of(user) == permissions.Role.FACILITATOR
    assert permissions.can_read(user)
    assert not permissions.can_edit_department(user, department)
    assert not permissions.can_edit(user, models.Metric(department=department))
