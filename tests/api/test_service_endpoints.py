"""Health, the OpenAPI document and the interactive docs."""

from __future__ import annotations

from flask.testing import FlaskClient

from api.app import create_app
from core.bootstrap import Services
from tests.fakes import RecordingDispatcher


def test_health_reports_database_and_broker(client: FlaskClient) -> None:
    response = client.get("/v1/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "broker": "ok"}


def test_health_answers_503_when_the_broker_is_down(services: Services) -> None:
    client = create_app(services, RecordingDispatcher(down=True)).test_client()
    response = client.get("/v1/health")
    assert response.status_code == 503
    assert response.json["broker"] == "unavailable"
    assert response.json["database"] == "ok"


def test_the_openapi_document_describes_every_v1_operation(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").json
    assert spec["info"]["title"] == "qbsync"
    paths = spec["paths"]
    assert set(paths["/v1/accounts/{external_id}"]) >= {"get", "put"}
    assert "post" in paths["/v1/accounts/{external_id}/sync"]
    assert "get" in paths["/v1/jobs/{job_id}"]
    assert "get" in paths["/v1/health"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_the_interactive_docs_are_served(client: FlaskClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/docs/assets/swagger-ui-bundle.js" in html  # from this server, not a CDN
    for asset in ["swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"]:
        response = client.get(f"/docs/assets/{asset}")
        assert response.status_code == 200, asset
        assert len(response.get_data()) > 10_000
        response.close()
