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


def test_the_api_root_lists_every_resource_and_the_docs(users):
    client = client_for(users["viewer"])

    response = client.get("/api/v1/")

    assert response.status_code == 200
    body = response.json()
    assert set(body["resources"]) >= {"sessions", "metrics", "objectives", "key-results"}
    for link in body["resources"].values():
        assert client.get(link).status_code == 200, link
    assert client.get(body["schema"]).status_code == 200
    assert body["docs"]["redoc"].endswith("/api/v1/schema/redoc/")


def test_the_api_root_is_closed_to_anonymous_visitors_and_left_out_of_the_schema(users):
    assert client_for(None).get("/api/v1/").status_code == 401
    schema = client_for(users["viewer"]).get(url("schema"), {"format": "json"}).json()
    # The schema lists every resource itself; the root only points at them.
    assert "/api/v1/" not in schema["paths"]


@pytest.mark.parametrize("page", ["swagger", "redoc"])
def test_docs_pages_name_no_outside_address(users, page):
    html = client_for(users["viewer"], token=False).get(url(page)).content.decode()

    outside = [
        address
        for address in re.findall(r"(?:https?:)?//[a-z0-9-]+(?:\.[a-z0-9-]+)+", html, re.IGNORECASE)
        if "testserver" not in address
    ]
    assert outside == []
    assert "fonts.googleapis" not in html
