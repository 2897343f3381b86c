"""The admin's submission form walks the review loop's steps: an admin approves a submitted
check-in or returns it with the comment the lead reads, and is refused for a department
they lead."""

import pytest

from metrics import models
from metrics.services.submissions import submission_submit
from tests.admin.test_admin_catalog import admin_url, page_as_posted
from tests.factories import DepartmentFactory, QuarterFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def submitted():
    department = DepartmentFactory(name="Product", slug="product")
    return submission_submit(department=department, quarter=QuarterFactory(), actor=None)


def test_an_admin_returns_with_a_comment_then_approves(client, root, submitted):
    client.force_login(root)
    url = admin_url(submitted)
    refused = client.post(url, page_as_posted(client, url, state="returned"))
    assert refused.status_code == 200 and "needs a review comment" in refused.content.decode()
    assert models.Submission.objects.get().state == "submitted"

    client.post(url, page_as_posted(client, url, state="returned", review_comment="Add October."))
    returned = models.Submission.objects.get()
    assert (returned.state, returned.review_comment, returned.reviewed_by) == (
        "returned",
        "Add October.",
        root,
    )
    client.post(url, page_as_posted(client, url, state="submitted"))
    client.post(url, page_as_posted(client, url, state="approved"))
    assert models.Submission.objects.get().state == "approved"


def test_an_admin_who_leads_the_department_may_not_approve_it(client, root, submitted):
    submitted.department.leads.add(root)
    client.force_login(root)
    url = admin_url(submitted)
    response = client.post(url, page_as_posted(client, url, state="approved"))
    assert response.status_code == 403
    assert models.Submission.objects.get().state == "submitted"
