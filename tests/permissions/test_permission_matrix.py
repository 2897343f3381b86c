"""Each role x each object kind x read/write, asked of metrics.permissions (the one place
forms, views and the API ask) and, for the browser side, of the entry pages themselves."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from metrics import models, permissions
from tests import factories
from tests.entry_world import entry_world_build

pytestmark = pytest.mark.django_db

ROLES = ("admin", "executive", "lead_own", "lead_other", "viewer", "anonymous")
KINDS = ("status", "observation", "key_result_status", "objective", "drilldown", "submission_lock")

# Expected write access; reading is allowed to every signed-in role and refused to anonymous.
WRITE = {
    "admin": dict.fromkeys(KINDS, True),
    "lead_own": {**dict.fromkeys(KINDS, True), "submission_lock": False},
    "lead_other": dict.fromkeys(KINDS, False),
    "executive": dict.fromkeys(KINDS, False),
    "viewer": dict.fromkeys(KINDS, False),
    "anonymous": dict.fromkeys(KINDS, False),
}
READ = {role: role != "anonymous" for role in ROLES}


@pytest.fixture
def world():
    return entry_world_build()


def user_for(world, role):
    return {
        "admin": world.admin,
        "executive": world.executive,
        "lead_own": world.lead_product,
        "lead_other": world.lead_legal,
        "viewer": world.viewer,
        "anonymous": AnonymousUser(),
    }[role]


def object_of_kind(world, kind):
    if kind == "status":
        return factories.QuarterlyStatusFactory(metric=world.editors, quarter=world.q3)
    if kind == "observation":
        return factories.ObservationFactory(metric=world.editors)
    if kind == "key_result_status":
        return factories.KeyResultStatusFactory(key_result=world.kr_tools, quarter=world.q3)
    if kind == "objective":
        return world.objective
    if kind == "drilldown":
        session = factories.TuningSessionFactory(quarter=world.q3)
        return models.Drilldown.objects.create(objective=world.objective, session=session)
    return models.Submission.objects.create(department=world.product, quarter=world.q3)


def may_write(user, kind, obj) -> bool:
    if kind == "submission_lock":
        return permissions.can_lock(user)
    return permissions.can_edit(user, obj)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, role, kind):
    user = user_for(world, role)
    obj = object_of_kind(world, kind)

    assert permissions.can_read(user) is READ[role]
    assert may_write(user, kind, obj) is WRITE[role][kind]


@pytest.mark.parametrize("role", ROLES)
def test_submitting_a_quarter_is_for_admins_and_the_departments_own_leads(world, role):
    user = user_for(world, role)

    assert permissions.can_submit(user, world.product) is (role in ("admin", "lead_own"))


def test_a_lead_may_withdraw_a_submitted_quarter_but_not_reopen_a_locked_one(world):
    submission = models.Submission(department=world.product, quarter=world.q3, state="submitted")
    assert permissions.can_reopen(world.lead_product, submission)
    submission.state = "locked"
    assert not permissions.can_reopen(world.lead_product, submission)
    assert permissions.can_reopen(world.admin, submission)


def test_rows_without_a_department_are_the_admins_only(world):
    shared = factories.MetricFactory(department=None)

    assert permissions.can_edit(world.admin, shared)
    assert not permissions.can_edit(world.lead_product, shared)


# --- the same matrix through the entry pages ------------------------------------------


def entry_urls(world, kind, obj):
    quarter = {"department": "product", "fiscal_year": 2020, "number": 3}
    if kind in ("status", "key_result_status"):
        return reverse("metrics:checkin", kwargs=quarter)
    if kind == "observation":
        return reverse("metrics:entry-backfill", kwargs={"department": "product"})
    if kind == "objective":
        return reverse("metrics:objective-edit", kwargs={"slug": obj.slug})
    if kind == "drilldown":
        return reverse("metrics:drilldown-edit", kwargs={"pk": obj.pk})
    return reverse("metrics:checkin-submission", kwargs=quarter)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
def test_entry_pages_follow_the_matrix(client, world, role, kind):
    user = user_for(world, role)
    obj = object_of_kind(world, kind)
    if role != "anonymous":
        client.force_login(user)
    url = entry_urls(world, kind, obj)

    if kind == "submission_lock":
        response = client.post(url, {"action": "lock"})
        allowed = WRITE[role][kind]
        if role == "anonymous":
            assert response.status_code == 302 and reverse("login") in response.url
        else:
            assert response.status_code == (302 if allowed else 403)
        assert models.Submission.objects.get().state == ("locked" if allowed else "draft")
        return

    get, post = client.get(url), client.post(url, {})
    if role == "anonymous":
        assert get.status_code == post.status_code == 302
        assert reverse("login") in get.url
    elif WRITE[role][kind]:
        assert get.status_code == 200
        assert post.status_code in (200, 302)
    else:
        assert get.status_code == post.status_code == 403
