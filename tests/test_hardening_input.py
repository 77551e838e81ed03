"""No 500 for user input, on both backends: bodies bounded before parsing, path numbers checked before the
database, one rule for unknown query parameters and for Accept, valid CQL2 understood as the standard says,
and the security headers on every kind of answer."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from layers import accounts
from layers.models_accounts import User
from tests.progress_helpers import SCT, ensure_user, led_by

DEEP = "[" * 1000 + "]" * 1000  # 2 kB, nested 1,000 deep: Python's json recursed until RecursionError
ITEMS = "/ogc/collections/industrial_parks/items"


@pytest.fixture(scope="module")
def admin(app, engine) -> TestClient:
    ensure_user(engine, "input-admin", "admin")
    with Session(engine) as s, s.begin():
        user = s.query(User).filter_by(username="input-admin").one()
        token = accounts.create_token(s, user, "input tests", 1)[1]
    return TestClient(app, base_url="http://testserver", headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module")
def feature_id(client) -> str:
    return client.get(ITEMS, params={"limit": 1}).json()["features"][0]["id"]


def write_routes(engine, feature_id: str) -> list[tuple[str, str]]:
    task = led_by(engine, SCT)[0]
    return [("POST", "/api/auth/login"), ("POST", f"/api/tasks/{task}/reports"), ("POST", "/api/auth/tokens"),
            ("POST", "/api/auth/users"), ("PATCH", f"/api/tasks/{task}"), ("POST", "/api/reports/1/accept"),
            ("POST", "/api/auth/logout"), ("POST", ITEMS), ("PUT", f"{ITEMS}/{feature_id}"),
            ("PATCH", f"{ITEMS}/{feature_id}")]


def test_deeply_nested_json_is_400_on_every_write(admin, client, engine, feature_id):
    for method, path in write_routes(engine, feature_id):
        for who in (client, admin):  # anonymous, and an admin whose request the route would read
            r = who.request(method, path, content=DEEP, headers={"Content-Type": "application/json",
                                                                  "If-Match": "*"})
            assert r.status_code == 400, (method, path, r.status_code, r.text[:200])
            assert r.json() == {"code": "InvalidBody", "description": "body: JSON nested deeper than 32 levels"}


def test_reasonable_nesting_still_reaches_the_route(admin, engine):
    task = led_by(engine, SCT)[0]
    report = {"status": "in_progress", "percent": 5, "text": "[[[{{{ brackets in text do not count"}
    assert admin.post(f"/api/tasks/{task}/reports", json=report).status_code == 201


def test_too_large_bodies_are_413_before_they_are_read(live_server, engine, feature_id):
    big = b'{"username": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    r = httpx.post(f"{live_server}/api/auth/login", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "TooLarge"

    def chunks():  # no Content-Length: the limit counts what arrives
        for _ in range(40):
            yield b" " * 65536

    r = httpx.post(f"{live_server}/api/auth/login", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "TooLarge"
    # a feature of a few MB is fine for the OGC items route (its own, larger limit): it gets past the limit
    polygon = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [
        [[104.0 + i * 1e-6, 10.0] for i in range(60_000)] + [[104.0, 10.0]]]}}
    r = httpx.post(f"{live_server}{ITEMS}", json=polygon, headers={"Content-Type": "application/geo+json"})
    assert r.status_code == 401  # anonymous: refused by the route, not by the size limit


@pytest.mark.parametrize("path", ["/print/district/{n}.pdf", "/print/district/{n}.png", "/api/map/districts/{n}",
                                  "/api/stats/districts/{n}"])
def test_district_codes_are_checked_before_the_database(client, path):
    for number in (2**64, 2**70, -1, 0, 1000):
        r = client.get(path.format(n=number))
        assert r.status_code == 400 and "gso_code" in r.json()["description"], (number, r.text)
    r = client.get(path.format(n=950))  # three digits, but no such former district
    assert r.status_code == 404 and "950" in r.json()["description"]


def test_the_district_of_phu_quoc_is_found(client):
    assert client.get("/api/map/districts/911").json()["name"].endswith("Phú Quốc")


@pytest.mark.parametrize("path", ["/api/stats/districts", "/api/stats/districts/907", "/api/tasks",
                                  "/api/map/stats", "/print/province.pdf", "/api/search?q=cai"])
def test_unknown_query_parameters_are_400_naming_them(client, path):
    r = client.get(path, params={"colour": "blue"})
    assert r.status_code == 400 and r.json()["description"].startswith("colour: unknown query parameter")


def test_known_query_parameters_still_work(client):
    csv = client.get("/api/stats/districts", params={"f": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert client.get("/api/tasks", params={"agency": SCT}).json()["count"] > 0


@pytest.mark.parametrize("accept, status", [
    ("image/png", 406), ("application/json;q=0, image/png", 406), ("text/html", 406),
    ("application/json", 200), ("application/*", 200), ("*/*", 200), ("image/png, */*;q=0.1", 200),
])
def test_accept_is_honoured(client, accept, status):
    r = client.get("/api/stats/districts", headers={"Accept": accept})
    assert r.status_code == status, r.text[:200]
    assert r.headers["content-type"] == "application/json"  # errors stay JSON
    if status == 406:
        assert r.json()["code"] == "NotAcceptable"


def test_a_print_asked_for_as_json_is_406_without_rendering(client):
    r = client.get("/print/district/907.pdf", headers={"Accept": "application/json"})
    assert r.status_code == 406 and "application/pdf" in r.json()["description"]


def _names(client, cql: str | None) -> list[str]:
    r = client.get(ITEMS, params={"limit": 1000} | ({"filter": cql} if cql else {}))
    assert r.status_code == 200, r.text
    return sorted(f["properties"]["name"] for f in r.json()["features"])


def test_cql2_negation_and_precedence(client):
    every = _names(client, None)
    a, b, c = (n.replace("'", "''") for n in every[:3])
    assert len(set(every[:3])) == 3
    assert _names(client, f"NOT (NOT (name = '{a}'))") == [every[0]]
    assert _names(client, f"NOT (name = '{a}' AND name = '{b}')") == every  # no park has two names
    # CQL2: AND binds tighter than OR, so this is a OR (b AND c), i.e. just a
    assert _names(client, f"name = '{a}' OR name = '{b}' AND name = '{c}'") == [every[0]]
    deep = "NOT (" * 40 + f"name = '{a}'" + ")" * 40
    r = client.get(ITEMS, params={"filter": deep})
    assert r.status_code == 400 and "nested" in r.json()["description"]


@pytest.mark.parametrize("bbox, crs", [("100,0,110,1000", None), ("100,-1000,110,10", None),
                                       ("0,100,1000,110", "http://www.opengis.net/def/crs/EPSG/0/4326"),
                                       ("-200,0,110,10", None)])
def test_a_bbox_outside_the_earth_is_400(client, bbox, crs):
    params = {"bbox": bbox} | ({"bbox-crs": crs} if crs else {})
    r = client.get(ITEMS, params=params)
    assert r.status_code == 400 and r.json()["description"].startswith("bbox:"), r.text


def test_security_headers_on_every_kind_of_answer(client, admin, engine):
    task = led_by(engine, SCT)[0]
    pdf = admin.post(f"/api/tasks/{task}/reports", data={"status": "in_progress", "percent": "7"},
                     files={"attachment": ("x.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
    answers = {
        "page": client.get("/"), "login page": client.get("/login"), "docs": client.get("/api/docs"),
        "json": client.get("/api/stats/districts"), "csv": client.get("/api/stats/districts?f=csv"),
        "script": client.get("/static/map/planmap.js"), "404": client.get("/api/tasks/none"),
        "400": client.get("/api/tasks?x=1"), "413": client.post("/api/auth/login", content=b"1" * 2_000_000),
        "pdf": admin.get(pdf.json()["attachment"]["href"]), "ogc": client.get("/ogc/collections"),
    }
    for name, r in answers.items():
        assert r.headers["x-content-type-options"] == "nosniff", name
        assert r.headers["x-frame-options"] == "DENY", name
        assert r.headers["referrer-policy"] == "same-origin", name
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], name
    for name in ("page", "docs"):  # their inline scripts, by hash: nothing else inline
        policy = answers[name].headers["content-security-policy"]
        assert "script-src 'self' 'sha256-" in policy and "unsafe-inline" not in policy.split("style-src")[0], name
    assert "script-src 'self';" in answers["login page"].headers["content-security-policy"]  # none inline
    assert answers["json"].headers["content-security-policy"].startswith("default-src 'none'")


def test_every_write_in_the_openapi_documents_its_body_and_errors(client):
    doc = client.get("/api/openapi.json").json()
    for path, operations in doc["paths"].items():
        if not path.startswith(("/api/", "/print/")):
            continue  # /ogc is described by /ogc/api
        for method, op in operations.items():
            answers = set(op["responses"])
            assert "400" in answers and "406" in answers, (method, path)
            assert "422" not in answers or "HTTPValidationError" not in str(op["responses"]["422"]), (method, path)
            if method in ("post", "put", "patch"):
                assert "requestBody" in op, (method, path)
                assert {"413", "415", "422"} <= answers, (method, path)
            if method in ("post", "put", "patch", "delete") and path != "/api/auth/login":
                assert "401" in answers, (method, path)
    login = doc["paths"]["/api/auth/login"]["post"]
    assert "429" in login["responses"] and "Retry-After" in login["responses"]["429"]["headers"]
