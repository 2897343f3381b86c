"""Writes are explicit: a service says what it changed and its transaction bumps each version
once, at its end; the admin bumps after each write it logs; no model signal bumps anything,
so a save outside the services and the admin changes no version."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics import models
from metrics.caching.versions import data_changed, data_version_current, data_write
from metrics.services import sessions as cycle
from metrics.services.statuses import quarterly_status_save
from tests.factories import UserFactory
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


@pytest.fixture
def session():
    return build_small_deck()


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_a_status_save_bumps_once_at_the_end_of_its_transaction(session):
    admin = UserFactory(is_superuser=True)
    with CaptureQueriesContext(connection) as captured:
        quarterly_status_save(
            metric=models.Metric.objects.get(slug="monthly-active-editors"),
            segment=None,
            quarter=models.Quarter.objects.get(fiscal_year=2020, number=2),
            actor=admin,
            source="form",
            value=95500,
            comment="A new comment",
        )

    writes = [q["sql"] for q in captured.captured_queries if WRITE.match(q["sql"])]
    bumps = [sql for sql in writes if "metrics_dataversion" in sql]
    assert len(bumps) == 1
    assert writes[-1] == bumps[0]  # last: the version row is locked only until the commit


def test_a_save_outside_the_services_bumps_nothing(session):
    before = data_version_current()

    models.Acronym.objects.create(session=session, term="MTP", meaning="Medium-term plan")
    models.Footnote.objects.filter(marker="¹").delete()

    assert data_version_current() == before


def test_nested_writes_bump_once_at_the_outermost(session):
    product = models.Department.objects.get(slug="product").pk
    with CaptureQueriesContext(connection) as captured, data_write():
        data_changed(department_ids=[product])
        with data_write():
            data_changed()
        assert not [q for q in captured.captured_queries if "dataversion" in q["sql"]]

    assert len([q for q in captured.captured_queries if "dataversion" in q["sql"]]) == 1


def test_a_rolled_back_write_bumps_nothing(session):
    before = data_version_current()
    with transaction.atomic():
        with data_write():
            data_changed()
        transaction.set_rollback(True)

    assert data_version_current() == before


def test_a_failed_write_leaves_nothing_to_bump_later(session):
    before = data_version_current()
    with pytest.raises(ZeroDivisionError), data_write():
        data_changed()
        1 / 0  # noqa: B018
    with data_write():
        pass

    assert data_version_current() == before


def admin_add_acronym(client, session):
    return client.post(
        reverse("admin:metrics_acronym_add"),
        {"session": session.pk, "term": "MTP", "meaning": "Medium-term plan"},
    )


def admin_delete_footnote(client, session):
    footnote = models.Footnote.objects.filter(session=session).first()
    return client.post(
        reverse("admin:metrics_footnote_delete", args=[footnote.pk]), {"post": "yes"}
    )


def admin_department_leads(client, session):
    department = models.Department.objects.get(slug="product")
    return client.post(
        reverse("admin:metrics_department_change", args=[department.pk]),
        {"name": department.name, "slug": department.slug, "leads": [UserFactory().pk]},
    )


def admin_user_groups(client, session):
    user = UserFactory()
    viewer = Group.objects.get_or_create(name="Viewer")[0]
    return client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": user.username,
            "groups": [viewer.pk],
            "is_active": "on",
            "date_joined_0": "2020-01-01",
            "date_joined_1": "00:00:00",
            "initial-date_joined_0": "2020-01-01",
            "initial-date_joined_1": "00:00:00",
        },
    )


ADMIN_WRITES = {
    "add a session row": admin_add_acronym,
    "delete a session row": admin_delete_footnote,
    "change a department's leads": admin_department_leads,
    "change a user's groups": admin_user_groups,
}


@pytest.mark.parametrize("name", list(ADMIN_WRITES))
def test_each_admin_write_bumps(admin_client, session, name):
    before = data_version_current()

    response = ADMIN_WRITES[name](admin_client, session)

    assert response.status_code == 302, response.content[:2000]
    assert data_version_current().version > before.version


def _deliverable(session, admin):
    return cycle.deliverable_add(session=session, actor=admin, title="A deliverable")


SESSION_ACTIONS = {
    "session texts": lambda s, a: cycle.session_update(session=s, actor=a, title="A new title"),
    "add a deliverable": _deliverable,
    "move a deliverable": lambda s, a: cycle.deliverable_move(
        deliverable=_deliverable(s, a), actor=a, step=-1
    ),
    "a metric row's words": lambda s, a: cycle.definition_update(
        definition=models.MetricDefinition.objects.filter(session=s).first(),
        actor=a,
        name="Renamed",
    ),
    "hold": lambda s, a: cycle.session_hold(actor=a, session=s),
}


@pytest.mark.parametrize("name", list(SESSION_ACTIONS))
def test_each_session_action_changes_the_structure(session, name):
    admin = UserFactory(is_superuser=True)
    before = data_version_current()

    SESSION_ACTIONS[name](session, admin)

    after = data_version_current()
    assert after.structure_only != before.structure_only
