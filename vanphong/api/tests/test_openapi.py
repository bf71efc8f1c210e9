"""The REST API publishes one OpenAPI document with every app's routes."""

import pytest


@pytest.mark.django_db
def test_openapi_document_lists_app_routes(client):
    schema = client.get("/api/openapi.json").json()
    paths = set(schema["paths"])
    assert any(p.startswith("/api/org/") for p in paths)
    assert any(p.startswith("/api/catalogs/") for p in paths)
    assert any(p.startswith("/api/jobs/") for p in paths)


@pytest.mark.django_db
def test_api_needs_a_session(client):
    assert client.get("/api/org/stats").status_code == 401
