"""CSV and Excel downloads of the metrics tables and key-result tables: the deck's cell text,
and no cell a spreadsheet would run as a formula."""

import csv
import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from metrics import models
from metrics.selectors.deck import session_deck
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAYLOAD = "=cmd|' /C calc'!A0"


@pytest.fixture
def session():
    call_command("loaddata", "seed_deck", verbosity=0)
    return models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)


def csv_rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def unquote(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def test_the_metrics_tables_download_with_the_decks_cell_text(
    client, session, django_assert_max_num_queries
):
    client.force_login(UserFactory(roles=["Viewer"]))
    page = client.get(reverse("metrics:session_metrics", kwargs={"session_id": session.id}))
    csv_url = reverse("metrics:metrics_export", kwargs={"session_id": session.id, "kind": "csv"})
    xlsx_url = reverse("metrics:metrics_export", kwargs={"session_id": session.id, "kind": "xlsx"})
    assert csv_url in page.content.decode() and xlsx_url in page.content.decode()

    with django_assert_max_num_queries(30):
        response = client.get(csv_url)

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:5] == ["MTP Outcome", "MTP Metric", "Segment", "Baseline", "Y2 Goal"]
    cells = {unquote(cell) for row in rows[1:] for cell in row}
    deck = session_deck(session.id)
    for row in deck.metric_rows:
        for cell in row.cells:
            assert cell.display in cells
    # The deck's own text, S2: the Monthly Active Editors row.
    editors = next(r for r in rows if r[1].startswith("Monthly active editors") and not r[2])
    assert [unquote(c) for c in editors[5:7]] == ["+7.3% YoY (89K/mo*)", "+8.1% YoY (92K/mo*)"]

    workbook = load_workbook(io.BytesIO(client.get(xlsx_url).content))
    sheet = workbook.active
    values = [[c.value or "" for c in row] for row in sheet.iter_rows()]
    assert values[: len(rows)] == [[unquote(c) for c in row] for row in rows]


def test_the_key_result_table_downloads_with_the_decks_cell_text(client, session):
    client.force_login(UserFactory(roles=["Viewer"]))
    kwargs = {"session_id": session.id, "objective_slug": "community-programs"}
    page = client.get(reverse("metrics:objective", kwargs=kwargs)).content.decode()
    csv_url = reverse("metrics:key_results_export", kwargs={**kwargs, "kind": "csv"})
    assert csv_url in page

    rows = csv_rows(client.get(csv_url))

    deck = session_deck(session.id)
    objective = deck.objective("community-programs")
    assert len(rows) - 1 >= len(objective.key_results)
    texts = " | ".join(unquote(c) for row in rows for c in row)
    for kr in objective.key_results:
        for cell in kr.cells:
            if not kr.metric_row and not cell.text:
                assert cell.display in texts


def test_a_formula_typed_into_the_deck_is_neutralised_in_csv_and_excel(client, session):
    key_result = models.KeyResult.objects.filter(objective__slug="community-programs").first()
    key_result.description = PAYLOAD
    key_result.save()
    client.force_login(UserFactory(roles=["Viewer"]))
    kwargs = {"session_id": session.id, "objective_slug": "community-programs"}

    rows = csv_rows(
        client.get(reverse("metrics:key_results_export", kwargs={**kwargs, "kind": "csv"}))
    )
    xlsx = client.get(reverse("metrics:key_results_export", kwargs={**kwargs, "kind": "xlsx"}))

    assert f"'{PAYLOAD}" in [cell for row in rows for cell in row]
    assert not any(
        cell.startswith(("=", "+", "@")) or cell.startswith("-") and cell != "-"
        for row in rows
        for cell in row
    )
    sheet_xml = zipfile.ZipFile(io.BytesIO(xlsx.content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml  # no formula anywhere
    cell = next(
        c
        for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows()
        for c in row
        if c.value == PAYLOAD
    )
    assert cell.data_type == "s" and cell.quotePrefix


def test_exports_need_a_signed_in_reader_and_a_known_objective(client, session):
    url = reverse("metrics:metrics_export", kwargs={"session_id": session.id, "kind": "csv"})
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(roles=["Viewer"]))
    missing = reverse(
        "metrics:key_results_export",
        kwargs={"session_id": session.id, "objective_slug": "nothing", "kind": "csv"},
    )
    assert client.get(missing).status_code == 404


@pytest.mark.parametrize("short_name", ["Q[1]", "a:b/c\\d?e*f", "'quoted'", "x" * 40])
def test_a_key_result_workbook_names_its_sheet_whatever_the_objective_is_called(
    client, session, short_name
):
    models.Objective.objects.filter(slug="community-programs").update(short_name=short_name)
    client.force_login(UserFactory(roles=["Viewer"]))
    kwargs = {"session_id": session.id, "objective_slug": "community-programs"}

    response = client.get(reverse("metrics:key_results_export", kwargs={**kwargs, "kind": "xlsx"}))

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    (title,) = workbook.sheetnames
    assert 0 < len(title) <= 31


def test_segment_footnote_markers_stay_apart_from_segment_names(client, session):
    shown = next(row for row in session_deck(session.id).metric_rows if row.segments)
    segment = models.Segment.objects.get(pk=shown.segments[0].segment_id)
    segment.footnote_markers = "+"
    segment.save()
    client.force_login(UserFactory(roles=["Viewer"]))
    url = reverse("metrics:metrics_export", kwargs={"session_id": session.id, "kind": "xlsx"})

    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    values = [[c.value or "" for c in row] for row in sheet.iter_rows()]

    assert values[0][-1] == "Segment markers"
    names = {row[2] for row in values[1:]}
    assert segment.name in names
    assert not any(name.endswith("+") for name in names)
    marked = next(row for row in values[1:] if row[2] == segment.name)
    assert marked[-1] == "+"
