from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrics import models
from tests.entry_world import entry_world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    world = entry_world_build()
    client.force_login(world.lead_product)
    return world


def backfill_url():
    return reverse("metrics:entry-backfill", kwargs={"department": "product"})


def import_url():
    return reverse("metrics:entry-import", kwargs={"department": "product"})


def test_a_pasted_column_is_previewed_then_saved_month_by_month(client, world):
    column = "92,000\n91000\t(ignored second cell)\n\n93000\n"
    data = {"row": f"{world.editors.pk}-0", "start": "2020-01", "values": column}

    preview = client.post(backfill_url(), {**data, "preview": "1"})

    assert preview.status_code == 200
    assert preview.context["result"].counts["created"] == 3
    assert not models.Observation.objects.exists()

    saved = client.post(backfill_url(), {**data, "save": "1"})

    assert saved.status_code == 302
    stored = dict(models.Observation.objects.values_list("period_start", "value"))
    assert stored == {
        date(2020, 1, 1): Decimal("92000"),
        date(2020, 2, 1): Decimal("91000"),
        date(2020, 4, 1): Decimal("93000"),  # the blank line skipped March
    }
    assert models.Observation.objects.get(period_start=date(2020, 1, 1)).period_end == date(
        2020, 1, 31
    )


def test_bad_lines_of_a_paste_are_refused_with_their_line_number_and_the_rest_saved(client, world):
    data = {
        "row": f"{world.retention.pk}-0",
        "start": "2020-01",
        "values": "7.6\nabout eight\n140\n6.9",
        "save": "1",
    }

    response = client.post(backfill_url(), data)

    assert response.status_code == 200
    lines = {line["line"]: line["row"] for line in response.context["lines"]}
    assert lines[2].status == "rejected" and "value" in lines[2].errors
    assert lines[3].status == "rejected" and "between 0 and 100" in lines[3].errors["value"][0]
    assert sorted(models.Observation.objects.values_list("value", flat=True)) == [
        Decimal("6.9"),
        Decimal("7.6"),
    ]
    assert "refused" in response.content.decode()


def test_a_start_month_that_is_not_a_month_is_a_field_error(client, world):
    response = client.post(
        backfill_url(),
        {"row": f"{world.editors.pk}-0", "start": "last spring", "values": "1", "save": "1"},
    )

    assert "Enter a month as YYYY-MM" in response.content.decode()
    assert not models.Observation.objects.exists()


def test_a_paste_into_the_future_is_refused(client, world):
    response = client.post(
        backfill_url(),
        {"row": f"{world.editors.pk}-0", "start": "2999-01", "values": "1", "save": "1"},
    )

    assert response.context["result"].rows[0].errors["period_start"]
    assert not models.Observation.objects.exists()


def test_a_segment_of_another_departments_metric_is_not_offered(client, world):
    response = client.get(backfill_url())

    choices = dict(response.context["form"].fields["row"].choices)
    assert f"{world.editors.pk}-{world.emerging.pk}" in choices
    assert not any(key.startswith(f"{world.legal_metric.pk}-") for key in choices)


CSV = """metric,segment,period_start,period_end,value
monthly-active-editors,,2020-01-01,,92000
monthly-active-editors,emerging,2020-01-01,,23000
monthly-active-editors,,2020-01-15,,1
legal-requests,,2020-01-01,,5
new-editor-retention,,2020-01-01,,not a number
no-such-metric,,2020-01-01,,5
"""


def test_a_csv_import_previews_rows_with_errors_before_writing_anything(client, world):
    upload = SimpleUploadedFile("obs.csv", CSV.encode(), content_type="text/csv")

    preview = client.post(import_url(), {"file": upload, "preview": "1"})

    assert preview.status_code == 200
    result = preview.context["result"]
    assert result.dry_run
    assert [row.status for row in result.rows] == [
        "created",
        "created",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
    ]
    lines = [line["line"] for line in preview.context["lines"]]
    assert lines == [2, 3, 4, 5, 6, 7]
    html = preview.content.decode()
    assert "You may only write your own department" in html  # Legal's metric
    assert "calendar months" in html
    assert not models.Observation.objects.exists()

    confirmed = client.post(import_url(), {"confirm": "1"})

    assert confirmed.status_code == 200
    assert models.Observation.objects.count() == 2
    assert models.Observation.objects.get(segment=world.emerging).value == 23000
    assert models.HistoryEntry.objects.filter(source="import").count() == 2
    assert client.post(import_url(), {"confirm": "1"}, follow=True).status_code == 200
    assert models.Observation.objects.count() == 2


def test_a_csv_without_the_needed_columns_is_refused_as_a_whole(client, world):
    response = client.post(import_url(), {"text": "name;when\nx;y\n"})

    assert "lacks metric, period_start, value" in response.content.decode()
    assert not models.Observation.objects.exists()


def test_an_oversized_upload_is_a_form_error(client, world):
    big = SimpleUploadedFile("big.csv", b"metric,period_start,value\n" + b"x" * (3 * 1024 * 1024))

    response = client.post(import_url(), {"file": big})

    assert response.status_code == 200
    assert "at most 2 MB per import" in response.content.decode()


def test_an_uploaded_file_with_nul_characters_is_a_form_error_not_a_500(client, world):
    """A pasted text with NUL is refused by the form; an uploaded file was read as is, and
    PostgreSQL refuses NUL in the metric lookup (a 500)."""
    upload = SimpleUploadedFile(
        "obs.csv", b"metric,period_start,value\nmonthly-active\x00-editors,2019-01,5\n"
    )

    response = client.post(import_url(), {"file": upload})

    assert response.status_code == 200
    assert "NUL" in response.content.decode()
    assert not models.Observation.objects.exists()


def test_another_departments_lead_cannot_open_the_import_or_backfill(client, world):
    client.force_login(world.lead_legal)

    assert client.get(import_url()).status_code == 403
    assert client.post(backfill_url(), {"values": "1"}).status_code == 403


def test_the_backfill_page_lists_the_stored_values_of_the_chosen_row(
    client, world, django_assert_max_num_queries
):
    for month in range(1, 5):
        models.Observation.objects.create(
            metric=world.editors,
            period_start=date(2020, month, 1),
            period_end=date(2020, month, 28),
            value=Decimal("86500") + month,
        )
    row = f"{world.editors.pk}-0"

    with django_assert_max_num_queries(12):
        response = client.get(backfill_url(), {"row": row})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Stored values of" in html
    assert [item.exact for item in response.context["stored"]] == [
        "86504",
        "86503",
        "86502",
        "86501",
    ]
    assert response.context["stored_total"] == 4
    assert f'<option value="{row}" selected>' in html


def test_the_backfill_page_without_a_row_lists_nothing(client, world):
    response = client.get(backfill_url())

    assert response.status_code == 200
    assert "Stored values of" not in response.content.decode()


def test_a_preview_where_every_row_is_refused_offers_no_import_button(client, world):
    refused_only = "\n".join(CSV.splitlines()[:1] + CSV.splitlines()[3:])

    preview = client.post(import_url(), {"text": refused_only, "preview": "1"})

    html = preview.content.decode()
    assert preview.context["result"].counts["rejected"] == 4
    assert 'id="import-confirm"' not in html
    assert "Nothing to import: every row was refused" in html

    two_rows = client.post(import_url(), {"text": CSV, "preview": "1"}).content.decode()
    assert 'id="import-confirm"' in two_rows and "Import 2 rows, skip 4 refused" in two_rows


def test_a_csv_field_over_the_csv_modules_limit_is_a_form_error_not_a_500(client, world):
    huge = b"x" * (200 * 1024)
    upload = SimpleUploadedFile(
        "obs.csv", b"metric,period_start,value\nmonthly-active-editors,2019-01," + huge + b"\n"
    )

    response = client.post(import_url(), {"file": upload})

    assert response.status_code == 200
    assert "longer than" in response.content.decode()
    assert not models.Observation.objects.exists()


@pytest.mark.parametrize("values", ["1\n2\n3", "1"])
@pytest.mark.parametrize("button", ["preview", "save"])
def test_a_backfill_that_runs_past_the_year_9999_is_a_form_error_not_a_500(
    client, world, button, values
):
    data = {"row": f"{world.editors.pk}-0", "start": "9999-12", "values": values, button: "1"}

    response = client.post(backfill_url(), data)

    assert response.status_code == 200
    assert "9999" in response.content.decode()
    assert not models.Observation.objects.exists()
