"""The cell-history page and its links from the metric page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from metrics.models import QuarterlyStatus
from metrics.services.statuses import quarterly_status_save
from tests.factories import UserFactory
from tests.selectors.builders import add_bulk, build_small_deck

pytestmark = pytest.mark.django_db


def history_url(status_id, session_id=None):
    url = reverse("metrics:cell_history", kwargs={"status_id": status_id})
    return f"{url}?session={session_id}" if session_id else url


def edit_three_times(status, actor):
    for value in ("93000", "94000", "95000"):
        status = quarterly_status_save(
            metric=status.metric,
            segment=status.segment,
            quarter=status.quarter,
            actor=actor,
            source="form",
            value=value,
            expected_version=status.version,
        )
    return status


def push_values(status, actor, values):
    """One API save per value, each on the version the previous one left."""
    for value in values:
        status.refresh_from_db()
        quarterly_status_save(
            metric=status.metric,
            segment=status.segment,
            quarter=status.quarter,
            actor=actor,
            source="api",
            value=Decimal(value),
            expected_version=status.version,
        )


def test_the_page_lists_every_change_with_what_the_cell_read(client):
    session = build_small_deck()
    lead = UserFactory(username="priya")
    status = QuarterlyStatus.objects.filter(segment=None, value__isnull=False).first()
    edit_three_times(status, lead)
    client.force_login(UserFactory(roles=["Viewer"]))

    response = client.get(history_url(status.pk, session.id))

    html = response.content.decode()
    assert response.status_code == 200
    versions = response.context["history"].versions
    assert [v.changes[0].new_value for v in versions[:3]] == ["95000", "94000", "93000"]
    assert html.count("priya · Form") == 3
    assert "Every change, newest first" in html


def test_the_metric_page_links_each_cell_to_its_history(client):
    session = build_small_deck()
    client.force_login(UserFactory(roles=["Executive"]))

    html = client.get(
        reverse(
            "metrics:metric",
            kwargs={"session_id": session.id, "metric_slug": "monthly-active-editors"},
        )
    ).content.decode()

    status = QuarterlyStatus.objects.filter(metric__slug="monthly-active-editors").first()
    assert history_url(status.pk, session.id) in html


def test_anonymous_visitors_sign_in_first_and_unknown_cells_are_404(client):
    assert client.get(history_url(1)).status_code == 302
    client.force_login(UserFactory(roles=["Viewer"]))
    assert client.get(history_url(987654)).status_code == 404


def test_the_page_runs_the_same_queries_however_long_the_history(
    client, django_assert_max_num_queries
):
    add_bulk(build_small_deck(), copies=10)
    status = QuarterlyStatus.objects.filter(segment=None, value__isnull=False).first()
    lead = UserFactory()
    edit_three_times(status, lead)
    client.force_login(UserFactory(roles=["Viewer"]))
    client.get(history_url(status.pk))  # content types cached

    with django_assert_max_num_queries(6):
        short = client.get(history_url(status.pk))
    push_values(status, lead, range(1000, 1020))
    with django_assert_max_num_queries(6):
        long = client.get(history_url(status.pk))

    assert len(long.context["history"].versions) == len(short.context["history"].versions) + 20


def test_the_objective_page_links_key_result_cells_to_their_history(client):
    from metrics.models import KeyResultStatus

    session = build_small_deck()
    client.force_login(UserFactory(roles=["Viewer"]))
    kr_status = KeyResultStatus.objects.filter(
        key_result__objective__slug="address-knowledge-gaps"
    ).first()

    html = client.get(
        reverse(
            "metrics:objective",
            kwargs={"session_id": session.id, "objective_slug": "address-knowledge-gaps"},
        )
    ).content.decode()
    url = reverse("metrics:key_result_cell_history", kwargs={"status_id": kr_status.pk})
    assert f"{url}?session={session.id}" in html

    page = client.get(f"{url}?session={session.id}")
    assert page.status_code == 200
    assert page.context["back_url"].endswith("/objectives/address-knowledge-gaps/")


def test_the_page_says_each_change_in_words(client):
    session = build_small_deck()
    status = QuarterlyStatus.objects.filter(segment=None, value__isnull=False).first()
    quarterly_status_save(
        metric=status.metric,
        segment=status.segment,
        quarter=status.quarter,
        actor=UserFactory(),
        source="form",
        value=Decimal("6.100000"),
        expected_version=status.version,
    )
    client.force_login(UserFactory(roles=["Viewer"]))

    html = client.get(history_url(status.pk, session.id)).content.decode()

    assert "→ 6.1<" in html or "value 6.1<" in html
    assert "value_is_manual" not in html and "6.100000" not in html and "∅" not in html


def test_a_long_history_is_paged_newest_first_and_the_pages_keep_the_session(client):
    session = build_small_deck()
    status = QuarterlyStatus.objects.filter(segment=None, value__isnull=False).first()
    lead = UserFactory(username="priya")
    push_values(status, lead, range(2000, 2060))
    client.force_login(UserFactory(roles=["Viewer"]))

    first = client.get(history_url(status.pk, session.id))
    total = len(first.context["history"].versions)
    assert total >= 60
    assert len(first.context["page"]) == 50
    assert first.context["page"][0].changes[0].new_value == "2059"
    assert f'href="?page=2&amp;session={session.id}" rel="next"' in first.content.decode()

    second = client.get(history_url(status.pk, session.id) + "&page=2")
    assert len(second.context["page"]) == total - 50
    assert 'rel="prev"' in second.content.decode()
    # A page past the end shows the last page (the list may have shrunk since the link was
    # made); a page that is not a number is a 400 that says so.
    assert client.get(history_url(status.pk) + "?page=99").status_code == 200
    refused = client.get(history_url(status.pk) + "?page=x²")
    assert refused.status_code == 400
    assert "?page= must be a whole number" in refused.content.decode()
