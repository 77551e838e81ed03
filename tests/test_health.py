"""The service answers on a real port with its backend and the 15 former districts."""

import httpx


def test_health_over_http(live_server, backend):
    r = httpx.get(f"{live_server}/health")
    assert r.status_code == 200
    body = r.json()
    assert body["backend"] == backend and body["districts"] == 15 and body["data_version"]


def test_openapi_documents_the_service(client):
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.") and "/health" in spec["paths"]
