import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db


def page_urls(session_id):
    return [
        reverse("metrics:session", kwargs={"session_id": session_id}),
        reverse("metrics:session_overview", kwargs={"session_id": session_id}),
        reverse("metrics:session_metrics", kwargs={"session_id": session_id}),
        reverse(
            "metrics:metric",
            kwargs={"session_id": session_id, "metric_slug": "monthly-active-editors"},
        ),
        reverse("metrics:objective", kwargs={"session_id": session_id, "objective_slug": "armdeb"}),
        reverse("metrics:session_appendix", kwargs={"session_id": session_id}),
        reverse("metrics:session_deck", kwargs={"session_id": session_id}),
        reverse("metrics:session_compare"),
    ]


def test_anonymous_visitors_are_sent_to_login(client):
    session = build_small_deck()
    for url in [reverse("metrics:home"), *page_urls(session.id)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_a_user_without_role_is_refused(client):
    session = build_small_deck()
    client.force_login(UserFactory())
    for url in page_urls(session.id):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", ["Admin", "Executive", "Department lead", "Viewer"])
def test_every_role_reads_every_page(client, role):
    session = build_small_deck()
    client.force_login(UserFactory(roles=[role]))
    for url in page_urls(session.id):
        assert client.get(url).status_code == 200, url


def test_unknown_session_metric_or_objective_is_404(client):
    session = build_small_deck()
    client.force_login(UserFactory(roles=["Viewer"]))
    assert client.get(reverse("metrics:session", kwargs={"session_id": 9999})).status_code == 404
    missing_metric = reverse(
        "metrics:metric", kwargs={"session_id": session.id, "metric_slug": "nope"}
    )
    assert client.get(missing_metric).status_code == 404
    missing_objective = reverse(
        "metrics:objective", kwargs={"session_id": session.id, "objective_slug": "nope"}
    )
    assert client.get(missing_objective).status_code == 404


def test_home_without_sessions_says_so(client):
    client.force_login(UserFactory(roles=["Viewer"]))
    response = client.get(reverse("metrics:home"))
    assert response.status_code == 200
    assert "No tuning session has been recorded yet" in response.content.decode()


def test_compare_without_ids_shows_the_latest_sessions(client):
    build_small_deck()
    client.force_login(UserFactory(roles=["Viewer"]))
    response = client.get(reverse("metrics:session_compare"))
    assert response.status_code == 200


def test_compare_with_unknown_ids_says_so(client):
    build_small_deck()
    client.force_login(UserFactory(roles=["Viewer"]))
    response = client.get(reverse("metrics:session_compare"), {"before": "x", "after": "99999"})
    assert response.status_code == 400
    assert "?before= must be a whole number" in response.content.decode()
    response = client.get(reverse("metrics:session_compare"), {"after": "99999"})
    assert response.status_code == 400
    assert "There is no session 99999 to compare (?after=)" in response.content.decode()


def test_overview_refuses_unknown_department_without_echoing_markup(client):
    session = build_small_deck()
    client.force_login(UserFactory(roles=["Viewer"]))
    url = reverse("metrics:session_overview", kwargs={"session_id": session.id})
    response = client.get(url, {"department": "<script>"})
    assert response.status_code == 400
    main = response.content.decode().split("<main", 1)[1].split("</main>")[0]
    assert "There is no department" in main
    assert "<script>" not in main


def test_narrative_markdown_is_sanitised(client):
    session = build_small_deck()
    client.force_login(UserFactory(roles=["Viewer"]))
    html = client.get(
        reverse("metrics:objective", kwargs={"session_id": session.id, "objective_slug": "armdeb"})
    ).content.decode()
    assert "<strong>continuing</strong>" in html
    assert "<script>alert(1)</script>" not in html


def test_overview_tallies_metrics_by_attainment(client):
    session = build_small_deck()
    client.force_login(UserFactory(roles=["Executive"]))
    response = client.get(reverse("metrics:session_overview", kwargs={"session_id": session.id}))
    tally = {item["attainment"]: item["count"] for item in response.context["tally"]}
    assert tally == {"on_track": 2, "at_risk": 0, "off_track": 1, "no_data": 0, "paused": 1}
    assert "No recompute has run yet." in response.content.decode()


def test_overview_says_when_figures_were_recomputed_and_what_still_waits(client):
    from metrics.models import Metric, RecomputeRequest
    from metrics.services.recompute_runs import recompute_run

    session = build_small_deck()
    recompute_run(task_name="metrics.recompute_all", metric_ids=None)
    metric = Metric.objects.first()
    RecomputeRequest.objects.create(metric=metric, reason="broker was down")
    client.force_login(UserFactory(roles=["Executive"]))

    html = client.get(
        reverse("metrics:session_overview", kwargs={"session_id": session.id})
    ).content.decode()

    assert "Figures recomputed <time" in html
    assert "No recompute has run yet." not in html
    assert "1 metric waiting for a recompute" in html
