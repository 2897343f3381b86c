"""The OpenAPI 3 schema and its docs pages, served from local static files."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.api.conftest import client_for


def url(name):
    return reverse(f"api:{name}", kwargs={"version": "v1"})


def test_the_schema_is_openapi_3_with_every_resource(users):
    response = client_for(users["viewer"]).get(url("schema"), {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/sessions/{id}/deck/",
        "/api/v1/observations/upsert/",
        "/api/v1/quarterly-statuses/{id}/",
        "/api/v1/acronyms/",
    ):
        assert path in paths
    assert "patch" in paths["/api/v1/quarterly-statuses/{id}/"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_anonymous_visitors_get_no_schema(db):
    assert client_for(None).get(url("schema")).status_code == 401


@pytest.mark.parametrize("page", ["swagger", "redoc"])
def test_docs_pages_load_their_scripts_from_local_static_files(users, page):
    client = client_for(users["viewer"], token=False)

    response = client.get(url(page))

    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert scripts
    for src in scripts:
        assert src.startswith("/static/drf_spectacular_sidecar/"), src
        assert finders.find(src.removeprefix("/static/")) is not None
    assert "cdn" not in html.lower()
