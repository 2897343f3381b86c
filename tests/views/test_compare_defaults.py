"""*Compare sessions* preselects the earlier and the later session the right way round, from
whichever session the reader comes from."""

import pytest
from django.urls import reverse

from metrics.views.dashboards import compare_defaults
from tests import factories

NEWEST_FIRST = [4, 3, 2, 1]  # Q4, Q3, Q2, Q1 ids


@pytest.mark.parametrize(
    "chosen, expected",
    [
        ({}, (3, 4)),
        ({"after": 4}, (3, 4)),
        ({"after": 2}, (1, 2)),  # from an older session: the one before it, not a later one
        ({"after": 1}, (1, 2)),  # the oldest: compared with the next one
        ({"before": 2}, (2, 3)),
        ({"before": 4}, (3, 4)),  # the latest as "before": it becomes the later one
        ({"before": 1, "after": 3}, (1, 3)),
    ],
)
def test_defaults_keep_earlier_before_later(chosen, expected):
    before, after = compare_defaults(
        NEWEST_FIRST, before=chosen.get("before"), after=chosen.get("after")
    )

    assert (before, after) == expected


def test_one_session_alone_has_nothing_to_compare_with():
    assert compare_defaults([7], before=None, after=7) == (None, 7)
    assert compare_defaults([], before=None, after=None) == (None, None)


@pytest.mark.django_db
def test_the_link_from_an_older_session_preselects_it_as_the_later_one(client):
    priority = factories.PriorityFactory()
    q1, q2, q3 = (
        factories.TuningSessionFactory(
            priority=priority, quarter=factories.QuarterFactory(fiscal_year=2020, number=n)
        )
        for n in (1, 2, 3)
    )
    client.force_login(factories.UserFactory(roles=["Viewer"]))

    response = client.get(reverse("metrics:session_compare") + f"?after={q2.pk}")

    assert (response.context["before_id"], response.context["after_id"]) == (q1.pk, q2.pk)
    assert q3.pk not in (response.context["before_id"], response.context["after_id"])
