"""The review loop's pages: the check-in read-only under review and the return comment at its
top, the session's review page, the confirmations before holding and deleting, the held
pages saying who had submitted, and a deleted session's check-in link."""

import pytest
from django.urls import reverse

from metrics import models
from metrics.services import sessions as cycle
from metrics.services.statuses import quarterly_status_save
from metrics.services.submissions import (
    submission_approve,
    submission_return,
    submission_submit,
)
from tests import factories
from tests.entry_world import entry_world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = entry_world_build()
    for name in ("Advancement", "Technology", "Communications"):
        factories.DepartmentFactory(name=name, slug=name.lower())
    world.facilitator = factories.UserFactory(username="facilitator", roles=["Facilitator"])
    world.session = factories.TuningSessionFactory(quarter=world.q3, title="Q3 session")
    return world


def checkin_url(department="product"):
    return reverse(
        "metrics:checkin", kwargs={"department": department, "fiscal_year": 2020, "number": 3}
    )


def submission_url(department="product"):
    return reverse(
        "metrics:checkin-submission",
        kwargs={"department": department, "fiscal_year": 2020, "number": 3},
    )


def review_url(world):
    return reverse("metrics:session_review", kwargs={"session_id": world.session.pk})


def submit(world):
    return submission_submit(department=world.product, quarter=world.q3, actor=world.lead_product)


# --- the lead's check-in -----------------------------------------------------------------------


@pytest.mark.parametrize("under_review", ["submitted", "approved"])
def test_a_check_in_under_review_is_read_only_for_its_lead(client, world, under_review):
    submit(world)
    if under_review == "approved":
        submission_approve(department=world.product, quarter=world.q3, actor=world.facilitator)
    client.force_login(world.lead_product)

    page = client.get(checkin_url())
    html = page.content.decode()
    assert 'id="read-only-notice"' in html and "read-only until you withdraw it" in html
    assert 'id="save-checkin"' not in html
    row = page.context["checkin"].status_rows[0]
    assert all(field.disabled for field in row.form.fields.values())
    assert 'value="withdraw"' in html and 'value="submit"' not in html

    prefix = row.prefix
    posted = client.post(
        checkin_url(), {f"{prefix}-version": "0", f"{prefix}-value": "5"}, follow=True
    )
    assert "read-only until you withdraw it" in posted.content.decode()
    assert not models.QuarterlyStatus.objects.exists()


def test_an_admin_keeps_a_submitted_check_in_editable(client, world):
    submit(world)
    client.force_login(world.admin)
    html = client.get(checkin_url()).content.decode()
    assert 'id="save-checkin"' in html and 'id="read-only-notice"' not in html


def test_withdrawing_makes_the_check_in_editable_again(client, world):
    submit(world)
    client.force_login(world.lead_product)
    assert client.post(submission_url(), {"action": "withdraw"}).status_code == 302
    assert models.Submission.objects.get().state == "draft"
    assert 'id="save-checkin"' in client.get(checkin_url()).content.decode()


def test_the_return_comment_is_at_the_top_of_the_leads_check_in(client, world):
    submit(world)
    submission_return(
        department=world.product,
        quarter=world.q3,
        actor=world.facilitator,
        comment="October's editors look doubled.",
    )
    client.force_login(world.lead_product)
    html = client.get(checkin_url()).content.decode()
    assert 'id="review-comment"' in html
    assert "facilitator returned this check-in" in html
    assert "October&#x27;s editors look doubled." in html
    assert html.index('id="review-comment"') < html.index('id="checkin-form"')
    assert 'value="submit"' in html and "Submit again" in html
    assert 'id="save-checkin"' in html


def test_a_lead_cannot_withdraw_another_departments_check_in(client, world):
    submit(world)
    client.force_login(world.lead_legal)
    assert client.post(submission_url(), {"action": "withdraw"}).status_code == 403
    assert models.Submission.objects.get().state == "submitted"


# --- the review page ---------------------------------------------------------------------------


def test_the_review_page_lists_each_departments_state_for_facilitators(
    client, world, django_assert_max_num_queries
):
    submit(world)
    client.force_login(world.facilitator)
    with django_assert_max_num_queries(14):
        page = client.get(review_url(world))
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        "1 of 5 departments submitted (0 approved); Advancement, Communications, Legal and "
        "Technology have not submitted yet." in html
    )
    assert 'data-department="product" data-state="submitted"' in html
    assert 'data-department="legal" data-state="not_started"' in html
    assert html.count('value="approve"') == 1


def test_the_review_page_runs_the_same_queries_for_more_departments(
    client, world, django_assert_max_num_queries
):
    for index in range(20):
        department = factories.DepartmentFactory(name=f"Extra {index}", slug=f"extra-{index}")
        submission_submit(department=department, quarter=world.q3, actor=world.admin)
    client.force_login(world.facilitator)
    with django_assert_max_num_queries(14):
        assert client.get(review_url(world)).status_code == 200


def test_approve_and_return_from_the_review_page(client, world):
    submit(world)
    client.force_login(world.facilitator)
    returned = client.post(
        review_url(world),
        {"action": "return", "department": "product", "comment": "Add the footnote."},
    )
    assert returned.status_code == 302
    submission = models.Submission.objects.get()
    assert (submission.state, submission.review_comment) == ("returned", "Add the footnote.")
    submit(world)
    client.post(review_url(world), {"action": "approve", "department": "product"})
    assert models.Submission.objects.get().state == "approved"


def test_a_return_without_a_comment_is_refused_and_keeps_nothing_lost(client, world):
    submit(world)
    client.force_login(world.facilitator)
    page = client.post(
        review_url(world), {"action": "return", "department": "product", "comment": "  "}
    )
    assert page.status_code == 400
    assert "Say what the lead should change." in page.content.decode()
    assert models.Submission.objects.get().state == "submitted"


def test_leads_and_executives_may_not_open_the_review_page(client, world):
    submit(world)
    for user in (world.lead_product, world.executive):
        client.force_login(user)
        assert client.get(review_url(world)).status_code == 403
        response = client.post(review_url(world), {"action": "approve", "department": "product"})
        assert response.status_code == 403
    assert models.Submission.objects.get().state == "submitted"


def test_a_facilitator_who_leads_a_department_cannot_approve_it(client, world):
    world.product.leads.add(world.facilitator)
    submit(world)
    client.force_login(world.facilitator)
    html = client.get(review_url(world)).content.decode()
    assert 'value="approve"' not in html
    assert "You lead this department" in html
    response = client.post(review_url(world), {"action": "approve", "department": "product"})
    assert response.status_code == 403
    assert models.Submission.objects.get().state == "submitted"


def test_the_session_pages_link_facilitators_to_the_review(client, world):
    client.force_login(world.facilitator)
    page = client.get(reverse("metrics:session", kwargs={"session_id": world.session.pk}))
    assert review_url(world) in page.content.decode()
    client.force_login(world.executive)
    page = client.get(reverse("metrics:session", kwargs={"session_id": world.session.pk}))
    assert review_url(world) not in page.content.decode()


# --- hold, confirmed ---------------------------------------------------------------------------

HELD_SUMMARY = (
    "1 of 5 departments submitted (1 approved); Advancement, Communications, Legal and "
    "Technology had not submitted when the session was held."
)


def test_mark_as_held_names_who_is_missing_then_the_held_pages_say_exactly_who_submitted(
    client, world, django_assert_max_num_queries
):
    submit(world)
    submission_approve(department=world.product, quarter=world.q3, actor=world.facilitator)
    client.force_login(world.facilitator)
    hold_url = reverse("metrics:session_hold", kwargs={"session_id": world.session.pk})

    with django_assert_max_num_queries(12):
        confirm = client.get(hold_url)
    html = confirm.content.decode()
    assert 'id="hold-missing"' in html
    for slug in ("legal", "advancement", "technology", "communications"):
        assert f'<li data-department="{slug}">' in html
    assert '<li data-department="product">' not in html
    assert 'id="hold-awaiting"' not in html  # Product is approved: nothing awaits review
    assert models.TuningSession.objects.get().state == "draft"  # a GET holds nothing

    client.post(hold_url)
    assert models.TuningSession.objects.get().state == "held"

    client.force_login(world.executive)
    overview = client.get(
        reverse("metrics:session_overview", kwargs={"session_id": world.session.pk})
    ).content.decode()
    assert HELD_SUMMARY in overview
    assert "recomputed" not in overview and "No recompute has run yet" not in overview
    assert "5 of 5" not in overview
    session_page = client.get(
        reverse("metrics:session", kwargs={"session_id": world.session.pk})
    ).content.decode()
    assert HELD_SUMMARY in session_page


def test_the_hold_confirmation_names_check_ins_waiting_for_review(client, world):
    submit(world)
    client.force_login(world.facilitator)
    html = client.get(
        reverse("metrics:session_hold", kwargs={"session_id": world.session.pk})
    ).content.decode()
    awaiting = html.split('id="hold-awaiting"', 1)[1].split("</ul>", 1)[0]
    assert 'data-department="product"' in awaiting
    assert "1 of 5 departments submitted (0 approved)" in html


def test_the_edit_page_asks_for_confirmation_instead_of_holding(client, world):
    client.force_login(world.facilitator)
    edit = reverse("metrics:session_edit", kwargs={"session_id": world.session.pk})
    html = client.get(edit).content.decode()
    hold_url = reverse("metrics:session_hold", kwargs={"session_id": world.session.pk})
    assert f'action="{hold_url}"' in html
    client.post(edit, {"action": "hold"})
    client.post(edit, {"action": "delete"})
    assert models.TuningSession.objects.get().state == "draft"


def test_only_facilitators_and_admins_reach_the_confirmations(client, world):
    client.force_login(world.lead_product)
    for name in ("session_hold", "session_delete"):
        url = reverse(f"metrics:{name}", kwargs={"session_id": world.session.pk})
        assert client.get(url).status_code == 403
        assert client.post(url, {"confirm_label": "Q3 FY20-21"}).status_code == 403
    assert models.TuningSession.objects.get().state == "draft"


# --- delete, confirmed -------------------------------------------------------------------------


def test_delete_shows_what_goes_and_wants_the_quarters_label(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.facilitator)
    url = reverse("metrics:session_delete", kwargs={"session_id": world.session.pk})
    with django_assert_max_num_queries(14):
        page = client.get(url)
    html = page.content.decode()
    assert "The leads of 2 departments were emailed" in html  # Legal's and Product's
    assert "0 statuses entered" in html
    assert 'id="delete-confirm"' in html

    wrong = client.post(url, {"confirm_label": "Q2 FY20-21"})
    assert wrong.status_code == 400 and "Type Q3 FY20-21 to confirm." in wrong.content.decode()
    assert models.TuningSession.objects.exists()

    assert client.post(url, {"confirm_label": "q3 fy20-21"}).status_code == 302
    assert not models.TuningSession.objects.exists()


def test_a_session_in_use_shows_its_entries_and_no_delete_button(client, world):
    quarterly_status_save(
        metric=world.editors,
        segment=None,
        quarter=world.q3,
        actor=world.lead_product,
        source="form",
        value=5,
        comment="From the dashboard.",
    )
    client.force_login(world.facilitator)
    url = reverse("metrics:session_delete", kwargs={"session_id": world.session.pk})
    html = client.get(url).content.decode()
    assert "1 status entered (1 with a value, 1 with a comment)" in html
    assert 'id="delete-refused"' in html and 'id="delete-confirm"' not in html
    refused = client.post(url, {"confirm_label": "Q3 FY20-21"})
    assert refused.status_code == 400 and "cannot be deleted" in refused.content.decode()
    assert models.TuningSession.objects.exists()


def test_a_deleted_sessions_check_in_link_says_it_was_deleted(client, world):
    cycle.session_delete(actor=world.facilitator, session=world.session)
    client.force_login(world.lead_product)

    page = client.get(checkin_url())
    html = page.content.decode()
    assert page.status_code == 410
    assert "The Q3 FY20-21 session was deleted" in html
    assert "by facilitator" in html
    assert 'id="checkin-form"' not in html
    anyway = client.get(checkin_url() + "?deleted=ignore")
    assert anyway.status_code == 200 and 'id="checkin-form"' in anyway.content.decode()


def test_a_quarter_that_never_had_a_session_opens_its_check_in(client, world):
    client.force_login(world.lead_product)
    other = reverse(
        "metrics:checkin", kwargs={"department": "product", "fiscal_year": 2020, "number": 4}
    )
    assert client.get(other).status_code == 200
