"""No raw stored values or field names reach the reader: a conflict names the other value as
typed ("7.2", never "7.200000"), history says "target quarter", not "target_quarter_text", and a
department ending in s is "Communications'"."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from metrics import models
from metrics.formatting import possessive
from metrics.services.history import history_record
from metrics.services.reminders import status_reminders_send
from metrics.services.statuses import quarterly_status_save
from metrics.templatetags.history import change_words
from tests.entry_world import entry_world_build, status_post_data

pytestmark = pytest.mark.django_db


def checkin_url():
    return reverse(
        "metrics:checkin", kwargs={"department": "product", "fiscal_year": 2020, "number": 3}
    )


def test_a_conflict_shows_the_other_value_as_a_person_writes_it(client):
    world = entry_world_build()
    save = {"metric": world.retention, "segment": None, "quarter": world.q3, "source": "form"}
    quarterly_status_save(actor=world.admin, value="7", **save)
    client.force_login(world.lead_product)
    data = status_post_data(None, client.get(checkin_url()).context)
    quarterly_status_save(actor=world.admin, value="7.2", expected_version=1, **save)
    data[f"status-{world.retention.pk}-0-value"] = "7.5"

    html = client.post(checkin_url(), data).content.decode()

    assert 'class="their-value">7.2<' in html
    assert "7.200000" not in html


def test_history_names_fields_in_words():
    assert change_words("target_quarter_text", "Q3", "Q4") == "target quarter Q3 → Q4"
    assert change_words("confidence", "on_track", "at_risk") == "confidence On track → At risk"
    assert change_words("baseline_text", "", "12 tools") == "baseline 12 tools"


def test_the_cell_history_page_prints_numbers_as_written(client):
    world = entry_world_build()
    status = quarterly_status_save(
        metric=world.retention,
        segment=None,
        quarter=world.q3,
        actor=world.admin,
        source="form",
        value="7.2",
    )
    history_record(
        instance=status, changes={"value": ("7.200000", "7.5")}, actor=world.admin, source="form"
    )
    client.force_login(world.admin)

    html = client.get(
        reverse("metrics:cell_history", kwargs={"status_id": status.pk})
    ).content.decode()

    assert "7.200000" not in html
    assert "value 7.2 → 7.5" in html


@pytest.mark.parametrize(
    "name, expected",
    [("Communications", "Communications'"), ("Product", "Product's"), ("Legal", "Legal's")],
)
def test_possessives(name, expected):
    assert possessive(name) == expected


def test_a_reminder_to_a_department_ending_in_s_reads_well(django_capture_on_commit_callbacks):
    world = entry_world_build()
    world.product.name = "Communications"
    world.product.save()
    models.Quarter.objects.filter(pk=world.q3.pk).update(status_deadline="2021-04-15")

    with django_capture_on_commit_callbacks(execute=True):  # reminders are mailed on commit
        status_reminders_send(today=date(2021, 4, 14))

    bodies = " ".join(m.subject + m.body for m in mail.outbox)
    assert "Communications's" not in bodies
    assert "Communications'" in bodies
