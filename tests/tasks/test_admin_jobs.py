"""Admin classes for job runs and recompute requests (registered by metrics/admin.py)."""

from decimal import Decimal

import pytest
from django.contrib.admin import AdminSite
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from metrics.admin_jobs import JobRunAdmin, RecomputeRequestAdmin, recompute_selected
from metrics.fiscal import FiscalQuarter
from metrics.models import JobRun, QuarterlyStatus, RecomputeRequest
from tests.factories import MetricFactory, UserFactory, observe_quarter

pytestmark = pytest.mark.django_db


def admin_request():
    request = RequestFactory().post("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_job_runs_are_read_only_in_the_admin():
    model_admin = JobRunAdmin(JobRun, AdminSite())
    request = admin_request()

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert "outcome" in model_admin.list_display and "rows_changed" in model_admin.list_display


def test_the_admin_action_recomputes_the_selected_requests_now():
    metric = MetricFactory()
    observe_quarter(metric, FiscalQuarter(2020, 2), "7")
    RecomputeRequest.objects.create(metric=metric, reason="broker was down")
    model_admin = RecomputeRequestAdmin(RecomputeRequest, AdminSite())

    recompute_selected(model_admin, admin_request(), RecomputeRequest.objects.all())

    assert QuarterlyStatus.objects.get(metric=metric).value == Decimal("7")
    assert not RecomputeRequest.objects.exists()
