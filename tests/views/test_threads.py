"""Comment threads in the pages: counts beside the cells (one query for the page, fresh
after a comment), the thread page (post, reply, edit, resolve), the discussion panel, the
refusals, and a held session's threads as its record."""

import re

import pytest
from django.urls import reverse

from metrics import models
from metrics.models.threads import SESSION_KEY, metric_cell_key, objective_key
from metrics.services.sessions import session_hold
from metrics.services.threads import thread_comment_add
from tests import factories
from tests.views.test_dashboard_queries import PAGE_BOUNDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(seed_deck):
    """The seed's Q2 session, in preparation again (the seed holds it)."""
    models.TuningSession.objects.filter(quarter__number=2).update(state="draft")
    return models.TuningSession.objects.select_related("quarter").get(quarter__number=2)


@pytest.fixture
def metric(session):
    return models.Metric.objects.get(slug="monthly-active-editors")


@pytest.fixture
def executive(client):
    return factories.UserFactory(username="erin", roles=["Executive"])


def thread_url(session, key):
    return reverse("metrics:thread", kwargs={"session_id": session.pk, "target_key": key})


def metrics_url(session):
    return reverse("metrics:session_metrics", kwargs={"session_id": session.pk})


def test_the_metrics_tables_count_a_cells_comments_in_one_query_and_show_new_ones(
    client, session, metric, executive, django_assert_max_num_queries
):
    key = metric_cell_key(metric.pk, None, 2020, 2)
    client.force_login(executive)
    html = client.get(metrics_url(session)).content.decode()
    assert f'class="thread-add" href="{thread_url(session, key)}"' in html

    for number in range(3):
        thread_comment_add(actor=executive, session=session, target_key=key, body=f"Q{number}")
    other_metric = models.Metric.objects.exclude(pk=metric.pk).first()
    for quarter in (1, 2):
        thread_comment_add(
            actor=executive,
            session=session,
            target_key=metric_cell_key(other_metric.pk, None, 2020, quarter),
            body="x",
        )

    # The comments bumped the data version: the cached page is rendered again, with the
    # counts of every cell read in one query (the page's bound plus that one).
    with django_assert_max_num_queries(PAGE_BOUNDS["session_metrics"] + 1):
        html = client.get(metrics_url(session)).content.decode()
    badge = re.search(
        rf'<a class="thread-count" href="{thread_url(session, key)}"[^>]*>(.*?)</a>', html
    )
    assert badge and "3" in badge.group(1)
    assert html.count('class="thread-count"') == 3


def test_a_conversation_on_a_cell_post_mention_reply_edit_resolve(client, session, metric):
    lead = factories.UserFactory(username="lena", roles=["Department lead"])
    metric.department.leads.add(lead)
    executive = factories.UserFactory(username="erin", roles=["Executive"])
    key = metric_cell_key(metric.pk, None, 2020, 2)
    url = thread_url(session, key)

    client.force_login(executive)
    response = client.post(url, {"body": "Why the **jump**? @lena"})
    assert response.status_code == 302
    comment = models.Comment.objects.get()
    assert list(comment.mentions.values_list("user", flat=True)) == [lead.pk]
    page = client.get(url).content.decode()
    assert "<strong>jump</strong>" in page and "Monthly active editors" in page

    client.force_login(lead)
    client.post(url, {"body": "A campaign.", "in_reply_to": comment.pk})
    reply = models.Comment.objects.latest("id")
    assert reply.in_reply_to == comment
    edit_url = reverse("metrics:comment_edit", kwargs={"comment_id": reply.pk})
    client.post(edit_url, {"body": "A campaign in Africa.", "version": 1})
    client.post(
        reverse("metrics:thread_resolve", kwargs={"session_id": session.pk, "target_key": key})
    )

    page = client.get(url).content.decode()
    assert "A campaign in Africa." in page and "1 earlier version" in page
    assert 'data-resolved="true"' in page and "Reopen thread" in page
    # The other user's comment offers no edit link to the lead.
    assert reverse("metrics:comment_edit", kwargs={"comment_id": comment.pk}) not in page


def test_a_script_in_a_comment_never_reaches_the_page(client, session, executive):
    client.force_login(executive)
    client.post(thread_url(session, SESSION_KEY), {"body": "<script>alert(1)</script> hi"})
    page = client.get(thread_url(session, SESSION_KEY)).content.decode()
    assert "<script>alert(1)" not in page and "hi" in page


def test_viewers_read_but_do_not_post_and_roleless_users_read_nothing(client, session, metric):
    executive = factories.UserFactory(roles=["Executive"])
    thread_comment_add(actor=executive, session=session, target_key=SESSION_KEY, body="Hello")
    url = thread_url(session, SESSION_KEY)

    client.force_login(factories.UserFactory(roles=["Viewer"]))
    page = client.get(url)
    assert page.status_code == 200 and "Hello" in page.content.decode()
    assert "Post comment" not in page.content.decode()
    assert client.post(url, {"body": "Me too"}).status_code == 403

    client.force_login(factories.UserFactory(username="nobody"))
    assert client.get(url).status_code == 403
    assert client.post(url, {"body": "Sneaky"}).status_code == 403
    assert models.Comment.objects.count() == 1


def test_editing_someone_elses_comment_is_refused(client, session):
    author = factories.UserFactory(roles=["Executive"])
    comment = thread_comment_add(actor=author, session=session, target_key=SESSION_KEY, body="Mine")
    client.force_login(factories.UserFactory(roles=["Admin"]))
    url = reverse("metrics:comment_edit", kwargs={"comment_id": comment.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, {"body": "Yours now", "version": 1}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Mine"


def test_bad_targets_are_404_and_empty_comments_a_form_error(client, session, executive):
    client.force_login(executive)
    assert client.get(thread_url(session, "m999999.s0.q2020-2")).status_code == 404
    assert client.get(thread_url(session, "whatever")).status_code == 404
    response = client.post(thread_url(session, SESSION_KEY), {"body": "   "})
    assert response.status_code == 400
    assert not models.Comment.objects.exists()


def test_the_discussion_panel_lists_open_threads_first(client, session, executive):
    objective = models.Objective.objects.first()
    thread_comment_add(actor=executive, session=session, target_key=SESSION_KEY, body="a")
    resolved = thread_comment_add(
        actor=executive, session=session, target_key=objective_key(objective.pk), body="b"
    ).thread
    from metrics.services.threads import thread_resolve

    thread_resolve(actor=executive, thread=resolved)
    client.force_login(executive)
    page = client.get(reverse("metrics:session_discussion", kwargs={"session_id": session.pk}))
    html = page.content.decode()
    assert "1 open thread" in html and "1 resolved thread" in html
    assert html.index(f'data-thread="{SESSION_KEY}"') < html.index(
        f'data-thread="{objective_key(objective.pk)}"'
    )


def test_a_held_sessions_threads_are_its_record_read_only_and_unchanged(
    client, session, metric, executive
):
    key = metric_cell_key(metric.pk, None, 2020, 2)
    thread_comment_add(actor=executive, session=session, target_key=key, body="Before the hold")
    session_hold(actor=factories.UserFactory(roles=["Admin"]), session=session)
    client.force_login(executive)
    api = reverse("api:session-deck", kwargs={"version": "v1", "pk": session.pk})
    held_document = client.get(api).json()["threads"]
    assert [c["body"] for c in held_document[0]["comments"]] == ["Before the hold"]

    response = client.post(thread_url(session, key), {"body": "After the hold"})
    assert response.status_code == 423
    assert "part of its record and read-only" in response.content.decode()
    # Even a change behind the services' back (the admin, the shell) leaves the record alone.
    models.Comment.objects.update(body="Rewritten later")

    page = client.get(thread_url(session, key)).content.decode()
    assert "Before the hold" in page and "Rewritten later" not in page
    assert "read-only" in page and "Post comment" not in page
    assert client.get(api).json()["threads"] == held_document
    tables = client.get(metrics_url(session)).content.decode()
    assert f'class="thread-count" href="{thread_url(session, key)}"' in tables
    assert 'class="thread-add"' not in tables
