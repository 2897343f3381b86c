import csv
import io

import pytest

from tests.api.conftest import api_url
from tests.api.test_reads import RESOURCES


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


@pytest.mark.parametrize(("name", "attribute"), RESOURCES)
def test_every_list_comes_as_csv(world, clients, name, attribute):
    response = clients["viewer"].get(api_url(f"{name}-list"), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = rows_of(response)
    assert str(getattr(world, attribute).pk) in {row["id"] for row in rows}


def test_csv_flattens_nested_objects_and_keeps_lists_as_json(world, clients):
    response = clients["viewer"].get(api_url("quarterly-status-list"), HTTP_ACCEPT="text/csv")
    metrics = clients["viewer"].get(api_url("metric-list"), {"format": "csv"})

    status = next(row for row in rows_of(response) if row["id"] == str(world.status.pk))
    assert status["quarter.label"] == "Q2 FY20-21"
    assert status["footnote_markers"] == "*"
    assert status["segment"] == ""
    editors = next(row for row in rows_of(metrics) if row["slug"] == "editors")
    assert '"slug": "emerging"' in editors["segments"]


def test_csv_follows_filters_and_pagination(world, clients):
    response = clients["viewer"].get(
        api_url("quarterly-status-list"),
        {"format": "csv", "department": world.department.pk, "limit": 5},
    )

    assert [row["id"] for row in rows_of(response)] == [str(world.status.pk)]


def test_errors_in_csv_format_are_still_errors(world, clients):
    response = clients["anonymous"].get(api_url("metric-list"), {"format": "csv"})

    assert response.status_code == 401


@pytest.mark.parametrize(
    "payload", ["=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1", "\r=1"]
)
def test_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas(world, clients, payload):
    world.status.comment = payload
    world.status.save()

    response = clients["viewer"].get(api_url("quarterly-status-list"), {"format": "csv"})

    status = next(row for row in rows_of(response) if row["id"] == str(world.status.pk))
    assert status["comment"] == f"'{payload}"
    # Plain numbers stay numbers.
    assert not status["id"].startswith("'")
