"""The deck endpoint: one session's whole content, shaped like the slides, with the texts
the dashboards print (built by metrics.selectors.deck, formatted by metrics.formatting)."""

from decimal import Decimal

import pytest

from metrics import models
from tests import factories
from tests.api.conftest import api_url, client_for


@pytest.fixture
def q2_deck(seed_deck, db):
    viewer = factories.UserFactory(username="reader", roles=["Viewer"])
    client = client_for(viewer)
    sessions = client.get(api_url("session-list"), {"fiscal_year": 2020, "quarter_number": 2})
    (session,) = sessions.json()["results"]
    response = client.get(api_url("session-deck", session["id"]))
    assert response.status_code == 200
    return response.json()


def metric_row(deck, slug):
    return next(m for o in deck["outcomes"] for m in o["metrics"] if m["slug"] == slug)


def test_the_q2_deck_reads_like_the_slides(q2_deck):
    editors = metric_row(q2_deck, "monthly-active-editors")

    assert q2_deck["title"] == "Thriving Movement Tuning Session Q2 FY20-21"
    assert q2_deck["quarter_label"] == "Q2 FY20-21"
    assert [cell["display"] for cell in editors["cells"]] == [
        "+7.3% YoY (89K/mo*)",
        "+8.1% YoY (92K/mo*)",
        "-",
        "-",
    ]
    q2 = editors["cells"][1]
    assert (Decimal(q2["yoy_delta"]), q2["footnote_markers"], q2["state"]) == (
        Decimal("0.081"),
        "*",
        "reported",
    )
    assert q2["parts"]["lead"] == "+8.1% YoY"
    assert [segment["slug"] for segment in editors["segments"]] == [
        "established-markets",
        "emerging-markets",
    ]
    assert editors["segments"][1]["cells"][1]["display"] == "+10.7% YoY (23K/mo +)"


def test_a_value_without_a_yoy_says_not_available(q2_deck):
    retention = metric_row(q2_deck, "new-editor-retention")

    established = retention["segments"][0]["cells"][1]

    assert established["display"] == "not available# (9.3%/mo †)"
    assert established["state"] == "not_available"
    assert established["yoy_delta"] is None


def test_survey_metrics_print_segments_inside_the_cell(q2_deck):
    genders = metric_row(q2_deck, "diverse-genders")

    assert genders["segments_inline"] is True
    assert genders["cells"][0]["display"] == "Measured annually Q2"
    assert genders["cells"][1]["display"] == "15.0% Women (↑) 2.8% GM (↑)"
    assert len(genders["cells"][1]["inline"]) == 2


def test_objectives_footnotes_and_acronyms_come_with_the_deck(q2_deck):
    assert len(q2_deck["objectives"]) == 8
    # "o" is printed by the ARMDEB key-result table ("71K/mo +o").
    assert [item["marker"] for item in q2_deck["footnotes"]] == ["*", "+", "†", "#", "o", "1"]
    assert len(q2_deck["acronyms"]) == 7
    drilldown_tables = [
        table
        for objective in q2_deck["objectives"]
        for drilldown in objective["drilldowns"]
        for table in drilldown["tables"]
    ]
    assert drilldown_tables, "the Grantmaking drill-down table"
    assert all(
        len(row["cells"]) in (0, len(table["columns"]))
        for table in drilldown_tables
        for row in table["rows"]
    )


def test_the_deck_of_an_unknown_session_is_a_404(world, clients):
    response = clients["viewer"].get(api_url("session-deck", 987654))

    assert response.status_code == 404


def test_the_deck_follows_a_status_change_at_once(world, clients):
    clients["lead"].patch(
        api_url("quarterly-status-detail", world.status.pk),
        {"state": "not_available", "state_markers": "#", "version": 1},
        format="json",
    )

    deck = clients["viewer"].get(api_url("session-deck", world.session.pk)).json()

    cell = metric_row(deck, "editors")["cells"][1]
    assert cell["display"] == "not available# (92K/mo*)"
    assert models.QuarterlyStatus.objects.get(pk=world.status.pk).version == 2


def _resolve(schema, components):
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _alternatives(schema, components):
    """The schema and every schema it is built from (allOf / oneOf / anyOf)."""
    schema = _resolve(schema, components)
    found = [schema]
    for key in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(key, []):
            found += _alternatives(part, components)
    return found


def _nulls_the_schema_refuses(value, schema, components, path="deck"):
    alternatives = _alternatives(schema, components)
    if value is None:
        allowed = any(
            part.get("nullable") or part.get("type") == "null" or "null" in part.get("type", [])
            for part in alternatives
        )
        return [] if allowed else [path]
    refused = []
    if isinstance(value, dict):
        properties = {}
        for part in alternatives:
            properties |= part.get("properties", {})
        for name, item in value.items():
            assert name in properties, f"{path}.{name} is not in the schema"
            refused += _nulls_the_schema_refuses(
                item, properties[name], components, f"{path}.{name}"
            )
    elif isinstance(value, list):
        (items,) = [part["items"] for part in alternatives if "items" in part]
        for index, item in enumerate(value):
            refused += _nulls_the_schema_refuses(item, items, components, f"{path}[{index}]")
    return refused


def test_every_null_in_the_deck_is_nullable_in_the_served_schema(q2_deck):
    viewer = factories.UserFactory(username="schema-reader", roles=["Viewer"])
    schema = client_for(viewer).get(api_url("schema"), {"format": "json"}).json()
    components = schema["components"]["schemas"]
    deck_schema = schema["paths"]["/api/v1/sessions/{id}/deck/"]["get"]["responses"]["200"][
        "content"
    ]["application/json"]["schema"]
    key_results = [kr for objective in q2_deck["objectives"] for kr in objective["key_results"]]

    assert any(kr["metric_row"] is None for kr in key_results)  # the case this guards
    assert _nulls_the_schema_refuses(q2_deck, deck_schema, components) == []


def test_the_deck_schema_marks_a_key_results_metric_row_nullable(seed_deck, db):
    viewer = factories.UserFactory(username="schema-reader", roles=["Viewer"])
    schema = client_for(viewer).get(api_url("schema"), {"format": "json"}).json()

    metric_row = schema["components"]["schemas"]["KeyResultRow"]["properties"]["metric_row"]

    assert metric_row.get("nullable") is True


def test_the_deck_says_whether_it_is_the_deck_as_presented(q2_deck):
    # The seed's Q2 session was presented: held.
    assert q2_deck["session_state"] == "held"


def test_a_session_in_preparation_says_draft(world, clients):
    session = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)
    deck = clients["viewer"].get(api_url("session-deck", session.id)).json()
    assert deck["session_state"] == "draft"


def test_the_s15_quote_and_example_come_with_their_objective(q2_deck):
    blocks = [block for objective in q2_deck["objectives"] for block in objective["content_blocks"]]
    quote = next(block for block in blocks if block["kind"] == "quote")
    assert quote["title"] == "Reading Wikipedia in the Classroom"
    assert quote["body"] and isinstance(quote["attribution"], list)
    assert any(block["kind"] == "text" for block in blocks)
