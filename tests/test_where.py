"""``where``: an old address or a point -> former district, former commune and 2025 unit; as a function, over
HTTP (the real server) and from the command line.

Expected units come from Resolution 1654 and merges.json / dvhcvn.json read here, and from shapely with
pyproj's own EPSG:9207 transformation on the upstream polygons (see tests/test_communes.py).
"""

from __future__ import annotations

import json
import re
import unicodedata

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from shapely.geometry import Point
from sqlalchemy.orm import Session

from layers.admin2025.index import admin_index
from layers.admin2025.where import where_address, where_point
from tests.test_cli import run
from tests.test_communes import (
    DVHCVN,
    RESOLUTION,
    an_giang_2025,
    flat,
    kien_giang_communes,
    old_districts,
    readme,
    tm3,
    ward_polygons,
)

ADDRESS = "xã Vĩnh Hòa Hưng Bắc, huyện Gò Quao"


@pytest.fixture(scope="module")
def index(engine):
    with Session(engine) as s:
        return admin_index(s)


def unit_of(old_name: str, district: int) -> str:
    """merges.json: the 2025 unit that lists the former commune ``old_name`` of ``district``."""
    (code,) = [code for code, unit in an_giang_2025().items() for old in unit["merges"]
               if old["name"] == old_name and kien_giang_communes().get(old["old_id"]) == district]
    return code


def resolution_unit(clause_start: str) -> str:
    """Resolution 1654: the new unit's name in the clause naming ``clause_start`` ("Thạnh Lộc (huyện Châu Thành)")."""
    text = flat(RESOLUTION.read_text(encoding="utf-8"))
    return re.search(re.escape(clause_start) + r"[^*]*?tên gọi là \*\*(.+?)\*\*", text).group(1)


# -- addresses -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    ADDRESS, "xa vinh hoa hung bac, huyen go quao", "Vĩnh Hòa Hưng Bắc, Gò Quao", "X. Vinh Hoa Hung Bac H. Go Quao",
    "XÃ VĨNH HÒA HƯNG BẮC HUYỆN GÒ QUAO, TỈNH KIÊN GIANG", unicodedata.normalize("NFD", ADDRESS),
])
def test_old_address_with_or_without_diacritics_and_prefixes(index, text):
    answer = where_address(index, text)
    assert len(answer.matches) == 1 and not answer.ambiguous
    match = answer.matches[0]
    assert match.commune_2025.code == unit_of("Xã Vĩnh Hòa Hưng Bắc", 907)
    assert (match.former_commune.full_name, match.former_district.code) == ("Xã Vĩnh Hòa Hưng Bắc", 907)


def test_a_repeated_name_without_district_lists_every_candidate(index):
    # Resolution 1654: Thạnh Lộc of Châu Thành -> xã Thạnh Lộc; Thạnh Lộc of Giồng Riềng -> xã Thạnh Hưng
    expected = {"Châu Thành": resolution_unit("Thạnh Lộc (huyện Châu Thành)"),
                "Giồng Riềng": resolution_unit("Thạnh Lộc (huyện Giồng Riềng)")}
    assert expected == {"Châu Thành": "xã Thạnh Lộc", "Giồng Riềng": "xã Thạnh Hưng"}
    answer = where_address(index, "xã Thạnh Lộc")
    assert answer.ambiguous and answer.note
    assert {m.former_district.short_name: m.commune_2025.full_name.lower() for m in answer.matches} == {
        k: v.lower() for k, v in expected.items()}
    for district, unit in expected.items():
        (only,) = where_address(index, f"thanh loc, huyen {district}").matches
        assert only.commune_2025.full_name.lower() == unit.lower()


def test_a_district_alone_lists_its_units(index):
    answer = where_address(index, "huyện Gò Quao")
    expected = {code for code, unit in an_giang_2025().items()
                if any(kien_giang_communes().get(m["old_id"]) == 907 for m in unit["merges"])}
    assert answer.district is not None and not answer.matches
    assert {s.commune.code for s in answer.district.communes} == expected


def test_no_match_says_why(index):
    answer = where_address(index, "xã Thạnh Lộc, huyện Gò Quao")
    assert not answer.matches and answer.district is None
    assert "Châu Thành" in answer.note and "Giồng Riềng" in answer.note
    with pytest.raises(ValueError):
        where_address(index, "   ")


def test_a_2025_name_is_not_taken_for_an_old_one(index):
    data = json.loads((DVHCVN / "dvhcvn.json").read_text(encoding="utf-8"))
    old_names = {c["name"] for p in data["data"] for d in p["level2s"] for c in d["level3s"]}
    assert "Xã U Minh Thượng" in {u["name"] for u in an_giang_2025().values()} - old_names
    answer = where_address(index, "xã U Minh Thượng")
    assert not answer.matches and "2025 unit (Xã U Minh Thượng)" in answer.note


# -- points --------------------------------------------------------------------------------------------------------

def _reference_point(lon: float, lat: float) -> tuple[int | None, str | None]:
    p = tm3(Point(lon, lat))
    district = [c for c, g in old_districts().items() if g.intersects(p)]
    unit = [c for c, g in ward_polygons().items() if g.intersects(p)]
    return (district[0] if district else None), (unit[0] if unit else None)


def test_a_point_gives_its_former_district_and_its_unit(index):
    # README: Thổ Châu's main island centroid in the 11 Mar 2026 snapshot, "103.4570 E 9.3117 N"
    island = tuple(float(v) for v in re.search(r"snapshot (\d+\.\d+) E (\d+\.\d+) N", readme()).groups())
    for lon, lat in [(105.27, 9.73), (104.0446, 10.1806), island]:
        district, unit = _reference_point(lon, lat)
        assert district is not None and unit is not None
        answer = where_point(index, lon, lat)
        assert (answer.former_district.code, answer.commune_2025.code) == (district, unit)
        formed = {m["old_id"] for m in an_giang_2025()[unit]["merges"]
                  if kien_giang_communes().get(m["old_id"]) == district}
        assert {f.code for f in answer.former_communes} == formed and formed


def test_a_point_outside_former_kien_giang_has_neither(index):
    district, unit = _reference_point(105.43, 10.38)  # Long Xuyên, a unit of former An Giang only
    assert district is None and an_giang_2025()[unit]["name"] == "Phường Long Xuyên"
    answer = where_point(index, 105.43, 10.38)
    assert answer.former_district is None and answer.commune_2025 is None and answer.note


# -- HTTP (real server) --------------------------------------------------------------------------------------------

def test_http_address_and_point(live_server):
    body = httpx.get(f"{live_server}/api/where", params={"address": "xa thanh loc"}).raise_for_status().json()
    assert body["kind"] == "address" and body["ambiguous"] and len(body["matches"]) == 2
    body = httpx.get(f"{live_server}/api/where", params={"lon": 105.27, "lat": 9.73}).raise_for_status().json()
    assert body["kind"] == "point" and body["former_district"]["code"] == _reference_point(105.27, 9.73)[0]
    assert body["commune_2025"]["code"] == _reference_point(105.27, 9.73)[1]


@pytest.mark.parametrize("params", [
    {}, {"address": ADDRESS, "lon": 105.27, "lat": 9.73}, {"lon": 105.27}, {"lon": 105.27, "lat": 95},
    {"lon": "east", "lat": 9.73}, {"address": ""}, {"address": "x" * 201}, {"adress": ADDRESS},
])
def test_http_bad_input_is_400_json(live_server, params):
    response = httpx.get(f"{live_server}/api/where", params=params)
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidParameterValue" and response.json()["description"]


@pytest.mark.parametrize("params", [{"address": "xã Không Có, huyện Gò Quao"}, {"lon": 105.43, "lat": 10.38}])
def test_http_no_match_is_404_json(live_server, params):
    response = httpx.get(f"{live_server}/api/where", params=params)
    assert response.status_code == 404 and response.json()["code"] == "NotFound"


def test_openapi_documents_where(live_server):
    spec = httpx.get(f"{live_server}/api/openapi.json").json()
    operation = spec["paths"]["/api/where"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"address", "lon", "lat"}
    refs = json.dumps(operation["responses"]["200"])
    assert "AddressAnswer" in refs and "PointAnswer" in refs
    assert {"former_district", "commune_2025", "former_communes"} <= set(
        spec["components"]["schemas"]["PointAnswer"]["properties"])


def test_generated_requests_never_cause_a_server_error(live_server):
    schema = schemathesis.openapi.from_url(f"{live_server}/api/openapi.json").include(path="/api/where")
    failures = []
    (operation,) = [r.ok() for r in schema.get_all_operations()]

    @given(case=operation.as_strategy())
    @hyp_settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        response = case.call()
        if response.status_code >= 500:
            failures.append(f"{case.query}: {response.status_code}")

    check()
    assert not failures, failures[:5]


# -- command line --------------------------------------------------------------------------------------------------

def test_cli_where(settings):
    url = settings.database_url
    out = json.loads(run("where", "xa thanh loc", "--json", "--database-url", url).stdout)
    assert out["ambiguous"] and {m["commune_2025"]["name"] for m in out["matches"]} == {"Thạnh Lộc", "Thạnh Hưng"}
    table = run("where", "--point", "105.27,9.73", "--database-url", url).stdout
    assert "Huyện Gò Quao" in table and an_giang_2025()[_reference_point(105.27, 9.73)[1]]["name"] in table
    assert run("where", "xã Không Có", "--database-url", url, check=False).returncode == 1
    assert run("where", "--point", "9.73,105.27", "--database-url", url, check=False).returncode == 2
