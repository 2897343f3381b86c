"""Threads and comments over the API: the same services and rules as the pages, filters,
a bounded number of queries, and the attacker's refusals."""

import pytest

from metrics import models
from metrics.models.threads import SESSION_KEY, metric_cell_key
from metrics.services.sessions import session_hold
from metrics.services.threads import thread_comment_add
from tests import factories
from tests.api.conftest import api_url

pytestmark = pytest.mark.django_db


def post_comment(client, world, body="Why?", **extra):
    return client.post(
        api_url("comment-list"),
        {"session": world.session.pk, "target_key": SESSION_KEY, "body": body, **extra},
        format="json",
    )


def test_an_executive_posts_a_lead_replies_and_edits_and_resolves(clients, users, world):
    key = metric_cell_key(world.metric.pk, world.segment.pk, 2020, 2)
    created = clients["executive"].post(
        api_url("comment-list"),
        {"session": world.session.pk, "target_key": key, "body": "Why? @community"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    comment = created.json()
    assert comment["author_name"] == "eve" and comment["session"] == world.session.pk
    assert list(models.CommentMention.objects.values_list("user", flat=True)) == [users["lead"].pk]

    reply = clients["lead"].post(
        api_url("comment-list"),
        {"session": world.session.pk, "target_key": key, "body": "Campaign",
         "in_reply_to": comment["id"]},
        format="json",
    )  # fmt: skip
    assert reply.status_code == 201 and reply.json()["in_reply_to"] == comment["id"]
    edited = clients["lead"].patch(
        api_url("comment-detail", reply.json()["id"]), {"body": "A campaign", "version": 1},
        format="json",
    )  # fmt: skip
    assert edited.status_code == 200
    assert edited.json()["version"] == 2 and edited.json()["revisions"][0]["body"] == "Campaign"
    stale = clients["lead"].patch(
        api_url("comment-detail", reply.json()["id"]), {"body": "Again", "version": 1},
        format="json",
    )  # fmt: skip
    assert stale.status_code == 409

    thread_id = comment["thread"]
    resolved = clients["lead"].post(api_url("thread-resolve", thread_id))
    assert resolved.status_code == 200 and resolved.json()["is_resolved"] is True
    listed = clients["viewer"].get(api_url("thread-list"), {"session": world.session.pk})
    assert [t["target_key"] for t in listed.json()["results"]] == [key]
    assert clients["viewer"].get(api_url("thread-list"), {"target_key": "o1"}).json()["count"] == 0


def test_refusals_viewer_roleless_other_author_held_session(clients, users, world):
    assert post_comment(clients["viewer"], world).status_code == 403
    assert post_comment(clients["no_role"], world).status_code == 403
    assert post_comment(clients["anonymous"], world).status_code in (401, 403)
    assert clients["no_role"].get(api_url("comment-list")).status_code == 403
    mine = post_comment(clients["lead"], world).json()
    someone_elses = clients["admin"].patch(
        api_url("comment-detail", mine["id"]), {"body": "Mine now", "version": 1}, format="json"
    )
    assert someone_elses.status_code == 403
    outsider = clients["other_lead"].post(api_url("thread-resolve", mine["thread"]))
    assert outsider.status_code == 403

    session_hold(actor=users["admin"], session=world.session)
    held = post_comment(clients["lead"], world, body="After the hold")
    assert held.status_code == 423 and "read-only" in held.json()["detail"]
    assert models.Comment.objects.count() == 1


def test_bad_input_answers_400_or_404(clients, world):
    assert post_comment(clients["lead"], world, body="   ").status_code == 400
    assert post_comment(clients["lead"], world, body="x" * 20_000).status_code == 400
    bad_key = clients["lead"].post(
        api_url("comment-list"),
        {"session": world.session.pk, "target_key": "drop table", "body": "x"},
        format="json",
    )
    assert bad_key.status_code == 400 and "target_key" in bad_key.json()
    missing = clients["lead"].post(
        api_url("comment-list"),
        {"session": world.session.pk, "target_key": "m999999.s0.q2020-2", "body": "x"},
        format="json",
    )
    assert missing.status_code == 404
    assert post_comment(clients["lead"], world, in_reply_to=999999).status_code == 400


def test_lists_run_a_bounded_number_of_queries(
    clients, users, world, django_assert_max_num_queries
):
    def comment_on(number):
        for index in range(number):
            thread_comment_add(
                actor=users["executive"], session=world.session,
                target_key=metric_cell_key(world.metric.pk, None, 2020, 1 + index % 4),
                body=f"comment {index}",
            )  # fmt: skip

    comment_on(2)
    with django_assert_max_num_queries(9) as few:
        clients["viewer"].get(api_url("comment-list"), {"session": world.session.pk})
    comment_on(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = clients["viewer"].get(api_url("comment-list"), {"session": world.session.pk})
    assert response.json()["count"] == 22
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert clients["viewer"].get(api_url("thread-list")).json()["count"] == 4


def test_the_schema_lists_the_thread_endpoints(clients):
    schema = clients["viewer"].get("/api/v1/schema/?format=json").json()
    assert {"/api/v1/threads/", "/api/v1/comments/", "/api/v1/threads/{id}/resolve/"} <= set(
        schema["paths"]
    )
    assert "CommentCreateInput" in schema["components"]["schemas"]


def test_a_comment_by_an_author_deleted_later_still_lists(clients, users, world):
    author = factories.UserFactory(roles=["Executive"])
    thread_comment_add(actor=author, session=world.session, target_key=SESSION_KEY, body="Hi")
    author.delete()
    (comment,) = clients["viewer"].get(api_url("comment-list")).json()["results"]
    assert comment["author"] is None and comment["author_name"] == "(deleted user)"
