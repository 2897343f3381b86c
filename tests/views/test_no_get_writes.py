"""A GET never writes: every page of the site, the API and the admin is fetched and the
INSERT, UPDATE and DELETE statements it runs are counted (the session table aside: showing a
flash message consumes it)."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from metrics import models
from metrics.api.urls import router
from metrics.fiscal import last_fiscal_year
from tests.factories import UserFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db

WRITES = ("insert", "update", "delete", "replace", "merge")
# A year no row of the seed has, yet a valid one (metrics/fiscal.py): a GET of it must not
# create its quarter.
FAR_YEAR = last_fiscal_year()


def writes_during(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    writes = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().lower().startswith(WRITES) and "django_session" not in query["sql"]
    ]
    return response.status_code, writes


def site_patterns(patterns=None, namespace="", groups=()):
    """(name, kwarg names) of every named URL outside the admin."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        names = (*groups, *pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from site_patterns(pattern.url_patterns, inner, names)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ":".join(filter(None, [namespace, pattern.name])), names


@pytest.fixture
def world(seed_deck):
    session = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)
    drilldown = models.Drilldown.objects.first()
    objective = models.Objective.objects.filter(department__isnull=False).first()
    webhook = WebhookEndpointFactory()
    return {
        "endpoint_id": webhook.pk,
        "version": "v1",
        "format": "json",
        "department": objective.department.slug,
        "fiscal_year": 2020,
        "number": 2,
        "session_id": session.pk,
        "metric_slug": "monthly-active-editors",
        "objective_slug": objective.slug,
        "slug": objective.slug,
        "pk": drilldown.pk,
        "status_id": models.QuarterlyStatus.objects.first().pk,
        "key_result_status_id": models.KeyResultStatus.objects.first().pk,
        "kind": "csv",
    }


def site_urls(world) -> list[str]:
    models_by_basename = {
        basename: viewset.queryset.model for _, viewset, basename in router.registry
    }
    urls = []
    for name, kwarg_names in site_patterns():
        kwargs = {}
        for kwarg in kwarg_names:
            if kwarg == "pk" and name.startswith("api:"):
                # The longest basename that prefixes the route name ("session-open-next").
                route = name.split(":")[1]
                basename = max(
                    (b for b in models_by_basename if route.startswith(f"{b}-")), key=len
                )
                row = models_by_basename[basename]._default_manager.first()
                # A resource without rows yet (a person's notifications) is fetched by id 1.
                kwargs[kwarg] = row.pk if row else 1
            elif kwarg == "status_id" and "key_result" in name:
                kwargs[kwarg] = world["key_result_status_id"]
            else:
                # A page added since with a new kind of argument still gets fetched.
                kwargs[kwarg] = world.get(kwarg, 1)
        try:
            urls.append(reverse(name, kwargs=kwargs))
        except Exception:  # noqa: BLE001 - a pattern without those arguments
            continue
        if "fiscal_year" in kwargs:
            urls.append(reverse(name, kwargs={**kwargs, "fiscal_year": FAR_YEAR}))
    return urls


def admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        urls += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
        row = model._default_manager.first()
        if row is not None:
            for page in ("change", "history", "delete"):
                urls.append(reverse(f"{prefix}_{page}", args=[row.pk]))
    return urls


def test_no_page_of_the_site_or_the_api_writes_on_a_get(client, world):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    urls = site_urls(world)
    assert len(urls) > 30, urls

    found = {}
    for url in urls:
        status, writes = writes_during(client, url)
        assert status < 500, url
        if writes:
            found[url] = writes

    assert not found
    assert not models.Quarter.objects.filter(fiscal_year=FAR_YEAR).exists()


def test_no_admin_page_writes_on_a_get(client, world):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    urls = admin_urls()

    found = {}
    for url in urls:
        status, writes = writes_during(client, url)
        assert status < 500, url
        if writes:
            found[url] = writes

    assert not found


def test_a_lead_opening_a_far_quarter_creates_no_quarter(client, world):
    department = models.Department.objects.get(slug=world["department"])
    lead = UserFactory(roles=["Department lead"])
    department.leads.add(lead)
    client.force_login(lead)
    url = reverse(
        "metrics:checkin",
        kwargs={"department": department.slug, "fiscal_year": FAR_YEAR, "number": 3},
    )

    status, writes = writes_during(client, url)

    assert status == 200
    assert writes == []
    assert not models.Quarter.objects.filter(fiscal_year=FAR_YEAR).exists()
