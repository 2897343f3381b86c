import logging
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from metrics import models
from metrics.services.statuses import quarterly_status_save
from tests.entry_world import entry_world_build
from tests.html_forms import form_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return entry_world_build()


def checkin_url(department="product", fiscal_year=2020, number=3):
    return reverse(
        "metrics:checkin",
        kwargs={"department": department, "fiscal_year": fiscal_year, "number": number},
    )


def page_data(client):
    """Exactly what the rendered page posts back unchanged."""
    response = client.get(checkin_url())
    assert response.status_code == 200
    return form_post_data(response.content, "checkin-form")


def test_the_page_lists_every_metric_segment_and_key_result_prefilled(client, world):
    quarterly_status_save(
        metric=world.editors,
        segment=None,
        quarter=world.q3,
        actor=world.admin,
        source="form",
        value="92000",
        footnote_markers="*",
    )
    client.force_login(world.lead_product)

    response = client.get(checkin_url())

    html = response.content.decode()
    for label in (
        "Monthly active editors",
        "Established markets",
        "Emerging markets",
        "New editor retention",
        "KR1",
        "KR2",
        "of 4",
    ):
        assert label in html
    assert f'name="status-{world.editors.pk}-0-value" value="92000"' in html
    assert "count /mo" in html and "% /mo" in html
    assert f'name="status-{world.editors.pk}-0-version" value="1"' in html
    assert "Legal" not in html.split("<main", 1)[1]


def test_saving_a_value_and_a_key_result_creates_both_with_history(client, world):
    client.force_login(world.lead_product)
    data = page_data(client)
    data[f"status-{world.editors.pk}-0-value"] = "95000"
    data[f"status-{world.editors.pk}-0-footnote_markers"] = "*"
    data[f"kr-{world.kr_milestones.pk}-milestones_done"] = "2"
    data[f"kr-{world.kr_milestones.pk}-text"] = "2 of 4 milestones"

    response = client.post(checkin_url(), data)

    assert response.status_code == 302
    status = models.QuarterlyStatus.objects.get(metric=world.editors, segment=None)
    assert (status.value, status.footnote_markers, status.updated_by) == (
        Decimal("95000"),
        "*",
        world.lead_product,
    )
    kr_status = models.KeyResultStatus.objects.get(key_result=world.kr_milestones)
    assert (kr_status.milestones_done, kr_status.text) == (2, "2 of 4 milestones")
    # Untouched rows are not written.
    assert models.QuarterlyStatus.objects.count() == 1
    assert models.KeyResultStatus.objects.count() == 1
    assert models.RecomputeRequest.objects.filter(metric=world.editors).exists()
    response = client.get(checkin_url())
    row = next(r for r in response.context["checkin"].status_rows if r.status is not None)
    assert {h.field for h in row.history} >= {"value", "footnote_markers"}
    assert "95000" in response.content.decode()


def test_history_next_to_the_cell_after_three_edits(client, world):
    client.force_login(world.lead_product)
    for value in ("90000", "91000", "92000"):
        data = page_data(client)
        data[f"status-{world.editors.pk}-0-value"] = value
        assert client.post(checkin_url(), data).status_code == 302

    response = client.get(checkin_url())

    row = next(
        r
        for r in response.context["checkin"].status_rows
        if r.segment is None and r.metric == world.editors
    )
    assert [(h.old_value, h.new_value) for h in row.history if h.field == "value"] == [
        ("91000", "92000"),
        ("90000", "91000"),
        (None, "90000"),
    ]
    html = response.content.decode()
    assert "lead-product" in html and "value 91,000 → 92,000" in html


@pytest.mark.parametrize(
    ("row", "typed", "message"),
    [
        ("editors", "ninety thousand", "is not a number"),
        ("editors", "-5", "A count cannot be negative."),
        ("retention", "140", "A percentage lies between 0 and 100."),
    ],
)
def test_bad_values_show_an_error_next_to_the_field_and_other_rows_still_save(
    client, world, row, typed, message
):
    client.force_login(world.lead_product)
    data = page_data(client)
    metric = getattr(world, row)
    data[f"status-{metric.pk}-0-value"] = typed
    data[f"status-{world.editors.pk}-{world.emerging.pk}-value"] = "23000"

    response = client.post(checkin_url(), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html.replace("&quot;", '"').replace("&#x27;", "'")
    assert f'value="{typed}"' in html  # what was typed is kept
    assert not models.QuarterlyStatus.objects.filter(metric=metric, segment=None).exists()
    assert models.QuarterlyStatus.objects.get(segment=world.emerging).value == 23000


def test_a_stale_row_shows_the_other_persons_value_and_keeps_the_typed_one(client, world):
    data = page_read_then_saved_by_the_admin(client, world, comment="")  # read at version 1
    data[f"status-{world.editors.pk}-0-value"] = "95000"
    data[f"kr-{world.kr_tools.pk}-text"] = "one tool shipped"

    response = client.post(checkin_url(), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "admin saved this row meanwhile" in html
    assert 'class="their-value">93000<' in html
    assert 'value="95000"' in html
    assert models.QuarterlyStatus.objects.get(segment=None, metric=world.editors).value == 93000
    assert models.KeyResultStatus.objects.get(key_result=world.kr_tools).text == "one tool shipped"
    # The form now carries the current version: saving again deliberately replaces.
    assert f'name="status-{world.editors.pk}-0-version" value="2"' in html
    again = page_data(client)
    again[f"status-{world.editors.pk}-0-value"] = "95000"
    assert client.post(checkin_url(), again).status_code == 302
    assert models.QuarterlyStatus.objects.get(segment=None, metric=world.editors).value == 95000


def test_a_locked_quarter_shows_disabled_fields_and_refuses_posts(client, world):
    models.Submission.objects.create(department=world.product, quarter=world.q3, state="locked")
    client.force_login(world.lead_product)
    html = client.get(checkin_url()).content.decode()
    assert "This quarter is locked" in html
    assert "disabled" in html
    assert 'id="save-checkin"' not in html

    response = client.post(
        checkin_url(),
        {
            f"status-{world.editors.pk}-0-value": "1",
            f"status-{world.editors.pk}-0-version": "0",
            f"status-{world.editors.pk}-0-state": "reported",
        },
        follow=True,
    )

    assert "is locked; nothing was saved" in response.content.decode()
    assert not models.QuarterlyStatus.objects.exists()


def test_a_lead_posting_to_another_departments_url_gets_403_and_is_logged(client, world, caplog):
    client.force_login(world.lead_legal)

    with caplog.at_level(logging.WARNING, logger="metrics.permissions"):
        get = client.get(checkin_url())
        post = client.post(checkin_url(), {f"status-{world.editors.pk}-0-value": "1"})

    assert get.status_code == 403
    assert post.status_code == 403
    assert not models.QuarterlyStatus.objects.exists()
    denied = [r.getMessage() for r in caplog.records if "permission denied" in r.getMessage()]
    assert len(denied) == 2
    assert f"user={world.lead_legal.pk}" in denied[1] and "POST /checkin/product/" in denied[1]


def test_anonymous_users_are_sent_to_sign_in(client, world):
    response = client.get(checkin_url())

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_post_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.lead_product)

    response = client.post(
        checkin_url(),
        {
            f"status-{world.editors.pk}-0-value": "1",
            f"status-{world.editors.pk}-0-version": "0",
            f"status-{world.editors.pk}-0-state": "reported",
        },
    )

    assert response.status_code == 403
    assert not models.QuarterlyStatus.objects.exists()


def test_a_ten_megabyte_paste_gets_a_readable_413_not_a_500(client, world):
    client.force_login(world.lead_product)

    response = client.post(
        checkin_url(), {f"status-{world.editors.pk}-0-comment": "x" * (10 * 1024 * 1024)}
    )

    assert response.status_code == 413
    html = response.content.decode()
    assert "too much at once" in html and "Nothing was saved" in html
    assert not models.QuarterlyStatus.objects.exists()


def test_a_too_large_api_body_gets_a_json_413(client, world):
    client.force_login(world.lead_product)

    response = client.post(
        checkin_url(),
        {"comment": "x" * (3 * 1024 * 1024)},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 413
    assert "nothing was saved" in response.json()["detail"]


def test_a_quarter_outside_the_fiscal_year_is_not_found(client, world):
    client.force_login(world.lead_product)

    assert client.get(checkin_url(number=5)).status_code == 404


def test_the_quarter_picker_explains_a_quarter_outside_the_fiscal_year(client, world):
    client.force_login(world.lead_product)

    response = client.get(
        reverse("metrics:checkin-index"),
        {"department": "product", "fiscal_year": "2020", "number": "5"},
    )

    assert response.status_code == 200
    assert "quarters Q1 to Q4, not 5" in response.content.decode()
    ok = client.get(
        reverse("metrics:checkin-index"),
        {"department": "product", "fiscal_year": "2020", "number": "3"},
    )
    assert ok.status_code == 302 and ok.url == checkin_url()


def test_the_index_offers_only_the_departments_the_user_leads(client, world):
    client.force_login(world.lead_product)

    response = client.get(reverse("metrics:checkin-index"))

    choices = [slug for slug, _ in response.context["form"].fields["department"].choices]
    assert choices == ["product"]


@pytest.mark.parametrize("extra", [0, 10])
def test_the_checkin_page_runs_a_bounded_number_of_queries(
    client, extra, django_assert_max_num_queries
):
    world = entry_world_build(extra_metrics=3 * extra, extra_key_results=2 * extra)
    for metric in models.Metric.objects.filter(department=world.product):
        for segment in [None, *metric.segments.all()]:
            for value in (1, 2):
                quarterly_status_save(
                    metric=metric,
                    segment=segment,
                    quarter=world.q3,
                    actor=world.admin,
                    source="form",
                    value=value,
                )
    client.force_login(world.lead_product)

    # 17: the page also says whether the department's figures wait for a recompute; 18: and
    # which of last year's months are missing where a value has no YoY change; 19: whether
    # the quarter's session was deleted (its emailed link says so); 20: the comment threads
    # on its cells (one query); +2: who its "Submit for review" notifies
    # (templates/notifications/_who.html).
    with django_assert_max_num_queries(22):
        response = client.get(checkin_url())

    assert response.status_code == 200
    assert len(response.context["checkin"].status_rows) == 4 + 6 * extra


def test_submission_workflow_lead_submits_admin_locks_and_reopens(client, world):
    url = reverse(
        "metrics:checkin-submission",
        kwargs={"department": "product", "fiscal_year": 2020, "number": 3},
    )
    client.force_login(world.lead_product)
    assert client.post(url, {"action": "submit"}).status_code == 302
    assert models.Submission.objects.get().state == "submitted"
    assert client.post(url, {"action": "lock"}).status_code == 403

    client.force_login(world.admin)
    client.post(url, {"action": "lock"})
    assert models.Submission.objects.get().state == "locked"
    client.post(url, {"action": "reopen"})
    assert models.Submission.objects.get().state == "draft"


def test_the_index_lists_which_departments_have_submitted(client, world):
    models.Submission.objects.create(department=world.product, quarter=world.q3, state="submitted")
    client.force_login(world.admin)

    html = client.get(reverse("metrics:checkin-index")).content.decode()

    assert "Product" in html and "Submitted" in html


def test_a_row_missing_from_the_post_is_left_as_stored(client, world):
    quarterly_status_save(
        metric=world.retention,
        segment=None,
        quarter=world.q3,
        actor=world.admin,
        source="form",
        value="7.6",
        comment="kept",
    )
    client.force_login(world.lead_product)
    data = {
        key: value
        for key, value in page_data(client).items()
        if not key.startswith(f"status-{world.retention.pk}-0-")
    }
    data[f"status-{world.editors.pk}-0-value"] = "95000"

    assert client.post(checkin_url(), data).status_code == 302

    kept = models.QuarterlyStatus.objects.get(metric=world.retention, segment=None)
    assert (kept.value, kept.comment, kept.version) == (Decimal("7.6"), "kept", 1)


def test_saving_the_page_unchanged_writes_nothing_even_with_milestones_and_multiline_text(
    client, world
):
    client.force_login(world.lead_product)
    first = page_data(client)
    first[f"kr-{world.kr_milestones.pk}-milestones_done"] = "2"
    first[f"kr-{world.kr_milestones.pk}-text"] = "Two of four:\r\n- search\r\n- mobile"
    client.post(checkin_url(), first)
    kr_status = models.KeyResultStatus.objects.get(key_result=world.kr_milestones)
    assert kr_status.text == "Two of four:\n- search\n- mobile"
    history_before = models.HistoryEntry.objects.count()

    # The browser sends the page back as shown: numbers as text, CRLF line ends.
    again = page_data(client)
    assert "\r\n" in again[f"kr-{world.kr_milestones.pk}-text"]
    response = client.post(checkin_url(), again, follow=True)

    assert "Nothing had changed" in response.content.decode()
    kr_status.refresh_from_db()
    assert kr_status.version == 1
    assert models.HistoryEntry.objects.count() == history_before


def page_read_then_saved_by_the_admin(client, world, *, comment="Admin's comment") -> dict:
    """The lead reads the page at version 1; then the admin saves a value (and a comment)."""
    quarterly_status_save(
        metric=world.editors,
        segment=None,
        quarter=world.q3,
        actor=world.admin,
        source="form",
        value=90000,
    )
    client.force_login(world.lead_product)
    data = page_data(client)
    quarterly_status_save(
        metric=world.editors,
        segment=None,
        quarter=world.q3,
        actor=world.admin,
        source="form",
        value=93000,
        comment=comment,
        expected_version=1,
    )
    return data


def test_after_a_conflict_saving_the_page_again_as_shown_keeps_their_value(client, world):
    data = page_read_then_saved_by_the_admin(client, world)  # read at version 1, no comment
    data[f"status-{world.editors.pk}-0-value"] = "95000"

    conflict = client.post(checkin_url(), data)
    assert "admin saved this row meanwhile" in conflict.content.decode()
    # The lead presses Save again on the re-shown page, as it is.
    again = form_post_data(conflict.content, "checkin-form")
    assert again[f"status-{world.editors.pk}-0-value"] == "95000"  # what was typed is shown
    assert client.post(checkin_url(), again).status_code == 302

    status = models.QuarterlyStatus.objects.get(segment=None, metric=world.editors)
    assert (status.value, status.comment, status.version) == (93000, "Admin's comment", 2)


def test_after_a_conflict_keep_mine_replaces_only_the_fields_you_edited(client, world):
    data = page_read_then_saved_by_the_admin(client, world)  # read at version 1, no comment
    data[f"status-{world.editors.pk}-0-value"] = "95000"

    conflict = client.post(checkin_url(), data)
    again = form_post_data(conflict.content, "checkin-form")
    again[f"status-{world.editors.pk}-0-keep_mine"] = "on"
    assert client.post(checkin_url(), again).status_code == 302

    status = models.QuarterlyStatus.objects.get(segment=None, metric=world.editors)
    assert status.value == 95000
    assert status.comment == "Admin's comment"


def test_a_conflict_on_the_value_never_writes_the_markers_the_other_person_changed(client, world):
    client.force_login(world.lead_product)
    data = page_data(client)  # no row yet: version 0
    quarterly_status_save(
        metric=world.editors,
        segment=None,
        quarter=world.q3,
        actor=world.admin,
        source="form",
        value=93000,
        footnote_markers="†",
    )
    data[f"status-{world.editors.pk}-0-value"] = "95000"

    conflict = client.post(checkin_url(), data)
    again = form_post_data(conflict.content, "checkin-form")
    assert again[f"status-{world.editors.pk}-0-footnote_markers"] == "†"
    again[f"status-{world.editors.pk}-0-keep_mine"] = "on"
    client.post(checkin_url(), again)

    status = models.QuarterlyStatus.objects.get(segment=None, metric=world.editors)
    assert (status.value, status.footnote_markers) == (95000, "†")


def test_rows_another_person_saves_meanwhile_are_no_conflict_when_you_did_not_touch_them(
    client, world
):
    """Twenty saves by the admin between the lead's read and post: the lead's untouched row
    is never reported as a conflict, and never written."""
    client.force_login(world.lead_product)
    for attempt in range(20):
        data = page_data(client)
        quarterly_status_save(
            metric=world.editors,
            segment=None,
            quarter=world.q3,
            actor=world.admin,
            source="form",
            value=90000 + attempt,
        )
        data[f"kr-{world.kr_tools.pk}-comment"] = f"try {attempt}"
        response = client.post(checkin_url(), data)
        assert response.status_code == 302, response.content.decode()[:500]
        status = models.QuarterlyStatus.objects.get(segment=None, metric=world.editors)
        assert (status.value, status.updated_by) == (90000 + attempt, world.admin)


@pytest.mark.parametrize("depth", [1, 100_000])
def test_a_hostile_seen_value_is_read_as_not_seen_never_a_500(client, world, depth):
    client.force_login(world.lead_product)
    data = page_data(client)
    data[f"status-{world.editors.pk}-0-seen"] = "[" * depth + "]" * depth
    data[f"status-{world.editors.pk}-0-value"] = "95000"

    response = client.post(checkin_url(), data)

    assert response.status_code == 302
    assert models.QuarterlyStatus.objects.get(segment=None, metric=world.editors).value == 95000


def test_a_row_someone_else_changed_is_left_alone_when_you_did_not_edit_it(client, world):
    data = page_read_then_saved_by_the_admin(client, world)
    data[f"kr-{world.kr_tools.pk}-text"] = "one tool shipped"

    response = client.post(checkin_url(), data)

    assert response.status_code == 302
    status = models.QuarterlyStatus.objects.get(segment=None, metric=world.editors)
    assert (status.value, status.comment, status.version) == (93000, "Admin's comment", 2)
