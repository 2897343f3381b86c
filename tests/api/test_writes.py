"""Writes go through the same services as the forms: history, versions, locks, recompute."""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from metrics import models
from tests.api.conftest import api_url


def test_posting_a_status_creates_then_updates_the_same_cell(world, clients):
    body = {
        "metric": world.metric.pk,
        "segment": world.segment.pk,
        "quarter": world.quarter.pk,
        "value": 15000,
        "footnote_markers": "†",
    }

    created = clients["lead"].post(api_url("quarterly-status-list"), body, format="json")
    again = clients["lead"].post(
        api_url("quarterly-status-list"), body | {"value": 16000}, format="json"
    )

    assert created.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"]
    assert again.json()["version"] == 2
    status = models.QuarterlyStatus.objects.get(pk=created.json()["id"])
    assert status.value == Decimal("16000")
    # The value is the quarter's observation: a figure for the whole quarter.
    figure = models.Observation.objects.get(metric=world.metric, segment=world.segment)
    assert (figure.period_start, figure.value) == (world.quarter.start_date, Decimal("16000"))
    assert status.updated_by.username == "lee"


def test_a_status_can_name_its_quarter_by_fiscal_year_and_number(world, clients):
    body = {
        "metric": world.metric.pk,
        "fiscal_year": 2020,
        "quarter_number": 3,
        "state": "no_data_yet",
    }

    response = clients["admin"].post(api_url("quarterly-status-list"), body, format="json")

    assert response.status_code == 201
    assert response.json()["quarter"]["label"] == "Q3 FY20-21"
    assert response.json()["state"] == "no_data_yet"


def test_api_writes_are_recorded_in_history_with_source_api(world, clients):
    clients["lead"].patch(
        api_url("quarterly-status-detail", world.status.pk),
        {"comment": "Estimated", "version": 1},
        format="json",
    )

    entry = models.HistoryEntry.objects.get(
        content_type=ContentType.objects.get_for_model(models.QuarterlyStatus),
        object_id=world.status.pk,
        field="comment",
    )
    assert (entry.old_value, entry.new_value, entry.source) == ("", "Estimated", "api")
    assert entry.actor.username == "lee"


def test_a_stale_version_is_a_409_carrying_the_current_row(world, clients):
    url = api_url("quarterly-status-detail", world.status.pk)
    clients["admin"].patch(url, {"value": 93000, "version": 1}, format="json")

    stale = clients["lead"].patch(url, {"value": 94000, "version": 1}, format="json")

    assert stale.status_code == 409
    assert "someone else" in stale.json()["detail"]
    assert stale.json()["current"]["version"] == 2
    assert Decimal(stale.json()["current"]["value"]) == 93000
    world.status.refresh_from_db()
    assert world.status.value == Decimal("93000")


def test_every_versioned_resource_answers_409_on_a_stale_version(world, clients):
    stale = {"version": 7}
    cases = [
        (api_url("observation-detail", world.observation.pk), {"value": 1} | stale),
        (api_url("key-result-status-detail", world.key_result_status.pk), {"text": "x"} | stale),
        (api_url("objective-detail", world.objective.pk), {"narrative": "x"} | stale),
        (api_url("drilldown-detail", world.drilldown.pk), {"impact": "x"} | stale),
    ]
    for url, body in cases:
        response = clients["admin"].patch(url, body, format="json")
        assert response.status_code == 409, url
        assert response.json()["current"]["version"] == 1


def test_a_locked_quarter_is_a_423_and_keeps_the_value(world, clients):
    models.Submission.objects.create(
        department=world.department, quarter=world.quarter, state=models.SubmissionState.LOCKED
    )

    response = clients["lead"].patch(
        api_url("quarterly-status-detail", world.status.pk),
        {"value": 1, "version": 1},
        format="json",
    )

    assert response.status_code == 423
    assert "locked" in response.json()["detail"]
    world.status.refresh_from_db()
    assert world.status.value == Decimal("92000")


def test_observation_create_derives_the_period_end_from_the_cadence(world, clients):
    response = clients["lead"].post(
        api_url("observation-list"),
        {
            "metric": world.metric.pk,
            "segment": world.segment.pk,
            "period_start": "2020-11-01",
            "value": "15500.5",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["period_end"] == "2020-11-30"
    assert response.json()["segment"] == world.segment.pk
    assert Decimal(response.json()["value"]) == Decimal("15500.5")


def test_observation_update_changes_the_value_and_bumps_the_version(world, clients):
    response = clients["lead"].patch(
        api_url("observation-detail", world.observation.pk),
        {"value": 93500, "version": 1},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["version"] == 2
    world.observation.refresh_from_db()
    assert world.observation.value == Decimal("93500")


def test_key_result_status_takes_text_number_milestones_and_tick(world, clients):
    world.key_result.milestone_total = 4
    world.key_result.save()

    response = clients["lead"].patch(
        api_url("key-result-status-detail", world.key_result_status.pk),
        {
            "text": "**540** teachers",
            "number": 540,
            "milestones_done": 2,
            "is_done": True,
            "version": 1,
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["text"], Decimal(body["number"]), body["milestones_done"], body["is_done"]) == (
        "**540** teachers",
        540,
        2,
        True,
    )


def test_narratives_of_objectives_and_drilldowns(world, clients):
    objective = clients["lead"].patch(
        api_url("objective-detail", world.objective.pk),
        {"narrative": "- trained teachers\r\n- more", "version": 1},
        format="json",
    )
    drilldown = clients["lead"].patch(
        api_url("drilldown-detail", world.drilldown.pk),
        {"recommendation": "Fund it", "version": 1},
        format="json",
    )

    assert objective.status_code == 200
    assert objective.json()["narrative"] == "- trained teachers\n- more"
    assert drilldown.status_code == 200
    assert drilldown.json()["recommendation"] == "Fund it"
    assert drilldown.json()["tables"][0]["title"] == "Grants"


def test_a_status_write_requests_a_recompute_of_its_metric(
    world, clients, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        clients["lead"].patch(
            api_url("quarterly-status-detail", world.status.pk),
            {"value": 93000, "version": 1},
            format="json",
        )

    assert list(models.RecomputeRequest.objects.values_list("metric_id", flat=True)) == [
        world.metric.pk
    ]
    assert len(callbacks) == 1


def test_a_month_added_beside_the_quarters_figure_is_created(world, clients):
    """201 says a row was inserted: the month starting the quarter is a row of its own beside
    the whole-quarter figure that starts the same day."""
    segment_rows = {"metric": world.metric.pk, "segment": world.segment.pk, "value": "15000"}
    url = api_url("observation-list")

    quarter = clients["lead"].post(
        url,
        segment_rows | {"period_start": "2020-10-01", "period_end": "2020-12-31"},
        format="json",
    )
    month = clients["lead"].post(url, segment_rows | {"period_start": "2020-10-01"}, format="json")
    again = clients["lead"].post(
        url, segment_rows | {"period_start": "2020-10-01", "value": "1"}, format="json"
    )

    assert (quarter.status_code, month.status_code, again.status_code) == (201, 201, 200)
    assert month.json()["period_end"] == "2020-10-31"
    assert again.json()["id"] == month.json()["id"]


def test_a_key_result_status_post_creates_then_updates(world, clients):
    body = {"key_result": world.key_result.pk, "fiscal_year": 2020, "quarter_number": 3}

    created = clients["lead"].post(
        api_url("key-result-status-list"), body | {"text": "a"}, format="json"
    )
    again = clients["lead"].post(
        api_url("key-result-status-list"), body | {"text": "b"}, format="json"
    )
    same = clients["lead"].post(
        api_url("key-result-status-list"), body | {"text": "b"}, format="json"
    )

    assert (created.status_code, again.status_code, same.status_code) == (201, 200, 200)
    assert again.json()["id"] == created.json()["id"]
    assert same.json()["version"] == 2


def test_a_segment_of_another_metric_is_a_400_on_segment_from_the_service(world, clients):
    """The one check (services.validation.validate_segment) answers for the API too."""
    other_segment = models.Segment.objects.create(
        metric=world.other_metric, name="Elsewhere", slug="elsewhere"
    )
    body = {"metric": world.metric.pk, "segment": other_segment.pk, "quarter": world.quarter.pk}

    for url, extra in (
        (api_url("quarterly-status-list"), {"value": 1}),
        (api_url("observation-list"), {"period_start": "2020-10-01", "value": 1}),
    ):
        response = clients["admin"].post(url, body | extra, format="json")

        assert response.status_code == 400, response.content
        assert "is not a segment of" in str(response.json()["segment"])
    assert not models.QuarterlyStatus.objects.filter(segment=other_segment).exists()


def test_an_observation_patch_without_a_value_keeps_the_value(world, clients):
    observation = world.observation
    response = clients["lead"].patch(
        api_url("observation-detail", observation.pk),
        {"is_derived": True, "version": observation.version},
        format="json",
    )

    assert response.status_code == 200, response.content
    observation.refresh_from_db()
    assert observation.is_derived is True
    assert response.json()["value"] == f"{observation.value:.6f}"
