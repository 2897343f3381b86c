"""`manage.py seed_demo`: the deck once, the demo accounts every time, edits never lost."""

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from metrics.models import (
    Department,
    HistoryEntry,
    Observation,
    QuarterlyStatus,
    TuningSession,
)
from metrics.permissions import Role, can_edit_department, role_of

DEPARTMENT_SLUGS = ["advancement", "communications", "legal", "product", "technology"]


def seed_demo() -> str:
    output = StringIO()
    call_command("seed_demo", stdout=output)
    return output.getvalue()


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.mark.django_db
def test_loads_the_deck_into_an_empty_database():
    seed_demo()
    assert TuningSession.objects.count() == 2
    assert QuarterlyStatus.objects.filter(metric__slug="monthly-active-editors").count() == 6
    assert Observation.objects.filter(is_derived=True).count() == 10


@pytest.mark.django_db
def test_creates_one_account_per_role_and_a_lead_per_department():
    seed_demo()
    usernames = set(get_user_model().objects.values_list("username", flat=True))
    assert usernames == {"admin", "facilitator", "executive", "viewer"} | {
        f"lead-{slug}" for slug in DEPARTMENT_SLUGS
    }
    assert user("admin").is_superuser and user("admin").is_staff
    assert role_of(user("admin")) == Role.ADMIN
    assert user("admin").groups.filter(name="Admin").exists()
    assert role_of(user("executive")) == Role.EXECUTIVE
    assert role_of(user("viewer")) == Role.VIEWER
    assert role_of(user("facilitator")) == Role.FACILITATOR
    assert not user("executive").is_staff


@pytest.mark.django_db
def test_demo_leads_have_an_address_so_opening_a_session_emails_them(
    mailoutbox, django_capture_on_commit_callbacks
):
    from metrics.models import TuningSession
    from metrics.services.sessions import session_open_next

    seed_demo()
    assert user("lead-product").email == "lead-product@example.org"
    latest = TuningSession.objects.order_by("-quarter__fiscal_year", "-quarter__number").first()
    # The mails go out after the opening commits (notifications, services/notifications.py).
    with django_capture_on_commit_callbacks(execute=True):
        session_open_next(actor=user("facilitator"), source=latest)

    recipients = {address for message in mailoutbox for address in message.to}
    assert "lead-product@example.org" in recipients


@pytest.mark.django_db
def test_each_lead_leads_exactly_their_department():
    seed_demo()
    for department in Department.objects.all():
        lead = user(f"lead-{department.slug}")
        assert role_of(lead) == Role.LEAD
        assert list(department.leads.all()) == [lead]
        assert list(lead.led_departments.all()) == [department]
    product, legal = Department.objects.get(slug="product"), Department.objects.get(slug="legal")
    assert can_edit_department(user("lead-product"), product)
    assert not can_edit_department(user("lead-product"), legal)


@pytest.mark.django_db
def test_password_defaults_and_comes_from_demo_password(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-Secret-42")
    output = seed_demo()
    assert all(u.check_password("another-Secret-42") for u in get_user_model().objects.all())
    assert "another-Secret-42" in output


@pytest.mark.django_db
def test_the_default_password_is_the_published_demo_one():
    seed_demo()
    assert user("viewer").check_password("okrtracker-demo")


@pytest.mark.django_db
def test_rerunning_never_resets_an_existing_accounts_password(monkeypatch):
    seed_demo()
    admin = user("admin")
    admin.set_password("the-operators-own-secret-77")
    admin.save()

    output = seed_demo()
    monkeypatch.setenv("DEMO_PASSWORD", "yet-another-Secret-42")
    seed_demo()

    admin = user("admin")
    assert admin.check_password("the-operators-own-secret-77")
    assert not admin.check_password("okrtracker-demo")
    assert admin.is_superuser
    assert "passwords are left as they are" in output
    assert "okrtracker-demo" not in output


@pytest.mark.django_db
def test_prints_the_logins_the_password_and_the_url():
    output = seed_demo()
    for login in ["admin", "executive", "lead-product", "lead-legal", "viewer"]:
        assert login in output
    assert "okrtracker-demo" in output
    assert "http://127.0.0.1:8000/" in output


@pytest.mark.django_db
def test_second_run_changes_nothing():
    seed_demo()
    counts = (
        get_user_model().objects.count(),
        QuarterlyStatus.objects.count(),
        Observation.objects.count(),
        TuningSession.objects.count(),
        HistoryEntry.objects.count(),
    )
    output = seed_demo()
    assert "deck left as it is" in output
    assert counts == (
        get_user_model().objects.count(),
        QuarterlyStatus.objects.count(),
        Observation.objects.count(),
        TuningSession.objects.count(),
        HistoryEntry.objects.count(),
    )
    assert Department.objects.get(slug="product").leads.count() == 1


@pytest.mark.django_db
def test_second_run_keeps_an_edited_status_and_narrative():
    seed_demo()
    status = QuarterlyStatus.objects.get(
        metric__slug="monthly-active-editors", segment=None, quarter__number=2
    )
    status.value, status.comment = 95000, "corrected by the lead"
    status.save()
    session = TuningSession.objects.get(quarter__number=2)
    session.overview = "Edited overview"
    session.save()
    seed_demo()
    status.refresh_from_db()
    session.refresh_from_db()
    assert (status.value, status.comment) == (95000, "corrected by the lead")
    assert session.overview == "Edited overview"


@pytest.mark.django_db
def test_restores_a_demo_account_that_lost_its_role():
    seed_demo()
    lead = user("lead-legal")
    lead.groups.clear()
    lead.is_active = False
    lead.save()
    Department.objects.get(slug="legal").leads.clear()
    seed_demo()
    lead = user("lead-legal")
    assert lead.is_active and role_of(lead) == Role.LEAD
    assert list(lead.led_departments.values_list("slug", flat=True)) == ["legal"]


@pytest.mark.django_db
def test_recompute_after_loading_keeps_the_printed_figures_and_rates_the_goals():
    seed_demo()
    mae_q2 = QuarterlyStatus.objects.get(
        metric__slug="monthly-active-editors", segment=None, quarter__number=2
    )
    # The derived prior-year observations reproduce the printed YoY exactly.
    assert (mae_q2.value, mae_q2.yoy_delta) == (92000, Decimal("0.081"))
    assert mae_q2.attainment == "on_track"  # +8.1% against a +5% YoY goal
    established = QuarterlyStatus.objects.get(
        metric__slug="new-editor-retention", segment__slug="established-markets", quarter__number=1
    )
    assert (established.state, established.value, established.yoy_delta) == (
        "not_available",
        Decimal("6.6"),
        None,
    )


@pytest.mark.django_db
def test_the_seeding_recompute_is_recorded_as_a_job_run():
    from metrics.selectors.job_runs import job_run_latest

    seed_demo()

    run = job_run_latest()
    assert run is not None
    assert run.task_name == "manage.py seed_demo"
    # The fixture holds the figures the builder's recompute derived: nothing left to change.
    assert (run.outcome, run.rows_changed) == ("success", 0)


@pytest.mark.django_db
def test_every_seeded_cell_starts_its_history_with_seed():
    from django.contrib.contenttypes.models import ContentType

    seed_demo()
    statuses = ContentType.objects.get_for_model(QuarterlyStatus)
    first = {}
    for entry in HistoryEntry.objects.filter(content_type=statuses).order_by("changed_at", "id"):
        first.setdefault(entry.object_id, entry.source)
    assert set(first) == set(QuarterlyStatus.objects.values_list("pk", flat=True))
    assert set(first.values()) == {"seed"}


@pytest.mark.django_db
def test_the_presented_quarters_are_locked_by_the_seed():
    seed_demo()
    locks = HistoryEntry.objects.filter(field="state", new_value="locked")
    assert locks.count() == 2 * Department.objects.count()
    assert set(locks.values_list("source", flat=True)) == {"seed"}
