"""The 2025 units over former Kiên Giang: tables, crosswalk, defects and the feature/district lookups.

Expected values come from the references themselves, read here and never from the code under test: the mirror
README's verification numbers, merges.json and dvhcvn.json read directly, the text of Resolution 1654, and
intersections done here with shapely and pyproj's own EPSG:9207 transformation on the upstream GeoJSON files.
"""

from __future__ import annotations

import json
import re
import shutil
from functools import lru_cache
from pathlib import Path

import pytest
import shapely
from geoalchemy2.shape import to_shape
from pyproj import Transformer
from shapely.geometry import shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from layers.admin2025.index import admin_index
from layers.admin2025.lookup import communes_of_district, communes_of_feature
from layers.admin2025.models import Commune2025, DistrictCommune, FormerCommune
from layers.admin2025.outline import outline_difference
from layers.db import make_engine
from layers.load import load
from layers.models import Feature
from layers.schema import upgrade
from layers.settings import REPO_ROOT
from layers.upstream import UpstreamError
from tests.conftest import MIRROR, make_settings

MIRROR_DIR = Path(MIRROR)
VPD = MIRROR_DIR / "thanglequoc+vietnamese-provinces-database" / "cd58063299585146ded3981f2272946ef19ced54"
WARDS = VPD / "json" / "geojson" / "91_an_giang" / "wards"
THO_CHAU_SNAPSHOT = (VPD / "dataset-generation-scripts" / "resources" / "gis" / "geojson_11Mar2026" / "32_tinh_an_giang"
                     / "wards" / "78_tho_chau_đac_khu.geojson")
MERGES = MIRROR_DIR / "dvhcvn+20250701" / "dd94887ce32324380bc5bb0a76fe39867dafc73b" / "mapping" / "merges.json"
RESOLUTION = MERGES.parent.parent / "input" / "docs" / "1654_NQ-UBTVQH15.md"
DVHCVN = MIRROR_DIR / "dvhcvn" / "4b1b6b59c5880c620722663bcb48c5c105364be5" / "data"
TO_TM3 = Transformer.from_crs(4326, 9207, always_xy=True)  # PROJ's own choice: independent of geo.crs
FOOTPRINT_LAYERS = ("industrial_parks", "industrial_clusters", "economic_zones")


# -- references --------------------------------------------------------------------------------------------------

def flat(text: str) -> str:
    return " ".join(text.split())


@lru_cache
def readme() -> str:
    return flat((MIRROR_DIR / "README.md").read_text(encoding="utf-8"))


@lru_cache
def kien_giang_communes() -> dict[str, int]:
    """dvhcvn.json: former Kiên Giang commune code -> former district code."""
    data = json.loads((DVHCVN / "dvhcvn.json").read_text(encoding="utf-8"))
    province = next(p for p in data["data"] if p["level1_id"] == "91")
    return {c["level3_id"]: int(d["level2_id"]) for d in province["level2s"] for c in d["level3s"]}


@lru_cache
def an_giang_2025() -> dict[str, dict]:
    """merges.json: every 2025 unit of An Giang by code."""
    data = json.loads(MERGES.read_text(encoding="utf-8"))
    return {c["level2_id"]: c for c in next(p for p in data["data"] if p["level1_id"] == "91")["level2s"]}


def formed_from_kien_giang() -> set[str]:
    return {code for code, c in an_giang_2025().items()
            if any(m["old_id"] in kien_giang_communes() for m in c["merges"])}


def tm3(geom):
    return shapely.transform(geom, lambda x, y: TO_TM3.transform(x, y), interleaved=False)


@lru_cache
def ward_polygons() -> dict[str, object]:
    """All 102 published 2025 polygons in EPSG:9207, Thổ Châu from the 11 Mar 2026 snapshot (the README's
    verification shows the published one 3.2 km off the island; the service states the same choice)."""
    out = {}
    for path in WARDS.glob("*.geojson"):
        feature = json.loads(path.read_text(encoding="utf-8"))["features"][0]
        out[feature["properties"]["code"]] = tm3(shape(feature["geometry"]))
    out["31105"] = tm3(shape(json.loads(THO_CHAU_SNAPSHOT.read_text(encoding="utf-8"))["features"][0]["geometry"]))
    return out


@lru_cache
def old_districts() -> dict[int, object]:
    data = json.loads((DVHCVN / "gis" / "91.json").read_text(encoding="utf-8"))
    return {int(d["level2_id"]): tm3(shapely.make_valid(shape({"type": d["type"], "coordinates": d["coordinates"]})))
            for d in data["level2s"]}


@pytest.fixture(scope="module")
def index(engine):
    with Session(engine) as s:
        return admin_index(s)


# -- the tables ----------------------------------------------------------------------------------------------------

def test_48_units_formed_from_kien_giang_and_the_slivers_reported_as_such(engine):
    with Session(engine) as s:
        rows = {c.code: c for c in s.scalars(select(Commune2025))}
        inside = dict(s.execute(select(DistrictCommune.commune_code, func.sum(DistrictCommune.area_ha))
                                .where(DistrictCommune.commune_code.is_not(None))
                                .group_by(DistrictCommune.commune_code)).all())
    assert {c for c, r in rows.items() if r.formed_from_kien_giang} == formed_from_kien_giang()
    assert len(formed_from_kien_giang()) == 48
    # README: "the other 3 are border slivers of former-An Giang units (Thoại Sơn 2.42 km², Vĩnh Gia 0.40 km², …)"
    slivers = dict(re.findall(r"(\w[\w ]*?) (\d+\.\d+) km²", re.search(r"border slivers of former-An Giang units "
                                                                      r"\((.+?)\)", readme()).group(1)))
    assert len(slivers) == 3
    by_name = {r.name: r for r in rows.values() if not r.formed_from_kien_giang}
    assert set(by_name) == set(slivers)
    for name, km2 in slivers.items():
        assert "border sliver" in by_name[name].geometry_note
        assert inside[by_name[name].code] / 100 == pytest.approx(float(km2), abs=0.01)


def test_no_unit_overlapping_former_kien_giang_is_left_out(engine):
    """Every one of the 102 published units whose polygon reaches into a former district is in the table."""
    tree_codes = list(ward_polygons())
    tree = shapely.STRtree([ward_polygons()[c] for c in tree_codes])
    overlapping = set()
    for district in old_districts().values():
        for i in tree.query(district, predicate="intersects"):
            if district.intersection(ward_polygons()[tree_codes[i]]).area > 1e4:  # 1 ha
                overlapping.add(tree_codes[i])
    with Session(engine) as s:
        assert set(s.scalars(select(Commune2025.code))) == overlapping


def test_names_and_types_are_the_resolutions(engine):
    text = flat(RESOLUTION.read_text(encoding="utf-8"))
    with Session(engine) as s:
        units = list(s.scalars(select(Commune2025).where(Commune2025.formed_from_kien_giang)))
    # Clause 97: "… và 06 xã không thực hiện sắp xếp là các xã Mỹ Hòa Hưng, Bình Giang, …, Tiên Hải."
    unchanged = re.search(r"không thực hiện sắp xếp là các xã (.+?)\.", text).group(1).split(", ")
    assert {u.type for u in units} == {"xã", "phường", "đặc khu"}
    for unit in units:
        assert f"{unit.type} {unit.name}" in text or (unit.type == "xã" and unit.name in unchanged), unit.full_name
        assert unit.full_name == an_giang_2025()[unit.code]["name"]


def test_every_former_commune_maps_to_exactly_one_unit(engine):
    expected = {old["old_id"]: code for code, unit in an_giang_2025().items() for old in unit["merges"]
                if old["old_id"] in kien_giang_communes()}
    with Session(engine) as s:
        rows = list(s.scalars(select(FormerCommune)))
    assert len(rows) == len(kien_giang_communes()) == 143
    assert {r.code: r.commune_code for r in rows} == expected
    assert {r.code: r.district_code for r in rows} == kien_giang_communes()


def test_areas_are_the_polygons_in_epsg_9207_not_the_portal_attribute(engine):
    # README: "`areaKm2` (portal attribute, NOT the polygon area — … e.g. Bình Sơn 281.7 vs 183.5 km²)"
    attribute, polygon = (float(v) for v in re.search(r"Bình Sơn (\d+\.\d) vs (\d+\.\d) km²", readme()).groups())
    with Session(engine) as s:
        binh_son = s.scalars(select(Commune2025).where(Commune2025.name == "Bình Sơn")).one()
        areas = dict(s.execute(select(Commune2025.code, Commune2025.area_ha)).all())
    assert binh_son.area_ha / 100 == pytest.approx(polygon, abs=0.05) and abs(binh_son.area_ha / 100 - attribute) > 90
    assert "areaKm2" in binh_son.geometry_note
    for code, area_ha in areas.items():
        assert area_ha == pytest.approx(ward_polygons()[code].area / 1e4, rel=1e-4), code


def test_tho_chau_is_drawn_on_the_island(engine):
    # README: "11 Mar 2026 portal snapshot 103.4570 E 9.3117 N; dvhcvn 2025 103.4567 E 9.3121 N"
    lon, lat = (float(v) for v in re.search(r"snapshot (\d+\.\d+) E (\d+\.\d+) N", readme()).groups())
    with Session(engine) as s:
        tho_chau = s.scalars(select(Commune2025).where(Commune2025.name == "Thổ Châu")).one()
    main_island = max(to_shape(tho_chau.geom).geoms, key=lambda p: p.area).centroid
    assert (main_island.x, main_island.y) == pytest.approx((lon, lat), abs=0.001)
    assert "11 Mar 2026 snapshot" in tho_chau.geometry_note and "km east" in tho_chau.geometry_note


# -- the crosswalk -------------------------------------------------------------------------------------------------

def test_each_district_is_split_whole_counting_the_uncovered_part(engine):
    with Session(engine) as s:
        rows = list(s.scalars(select(DistrictCommune)))
    assert {r.district_code for r in rows} == set(old_districts())
    for code, district in old_districts().items():
        mine = [r for r in rows if r.district_code == code]
        assert sum(r.share_of_district_pct for r in mine) == pytest.approx(100, abs=0.5), code
        assert sum(r.area_ha for r in mine) == pytest.approx(district.area / 1e4, rel=0.005), code
        assert all(r.reason for r in mine if r.commune_code is None)
        assert len([r for r in mine if r.commune_code is None]) <= 1


def test_go_quao_shares_match_the_verification(index):
    # README: "Gò Quao (907): Định Hòa 32.42 %, Vĩnh Tuy 26.33 %, …, Gò Quao 19.10 % of the district"
    listed = re.search(r"Gò Quao \(907\): (.+?) of the district", readme()).group(1)
    expected = {name.strip(): float(pct) for name, pct in re.findall(r"([^,]+?) (\d+\.\d+) %", listed)}
    got = communes_of_district(index, 907)
    assert [s.commune.name for s in got.communes] == list(expected)
    for share in got.communes:
        assert share.share_of_district_pct == pytest.approx(expected[share.commune.name], abs=0.1)
        assert share.share_of_commune_pct >= 98.75  # "each of those four lies ≥98.8 % inside 907" (rounded)


def test_units_formed_from_a_district_are_told_from_boundary_overlaps(index):
    """Per district, the units formed from it are exactly those merges.json gives (other overlaps listed apart)."""
    for code in old_districts():
        expected = {unit for unit, c in an_giang_2025().items()
                    if any(kien_giang_communes().get(m["old_id"]) == code for m in c["merges"])}
        got = communes_of_district(index, code)
        assert {s.commune.code for s in got.communes} == expected, code
        assert not {s.commune.code for s in got.other_overlaps} & expected


def test_outline_difference_is_reported(index):
    # README: "With the 11 Mar 2026 Thổ Châu polygon instead: 88.2 km² (1.40 %)"; "largest 19.9 km² near …"
    km2, pct = (float(v) for v in re.search(r"polygon instead: (\d+\.\d) km² \((\d+\.\d+) %\)", readme()).groups())
    big, lon, lat = (float(v) for v in re.search(r"largest (\d+\.\d) km² near (\d+\.\d+) E (\d+\.\d+) N",
                                                 readme()).groups())
    diff = outline_difference(index)
    assert diff.symmetric_difference_ha / 100 == pytest.approx(km2, abs=0.1)
    assert diff.symmetric_difference_pct == pytest.approx(pct, abs=0.01)
    first = diff.largest[0]
    assert first.kind == "new_not_old" and first.area_ha / 100 == pytest.approx(big, abs=0.05)
    assert (first.lon, first.lat) == pytest.approx((lon, lat), abs=0.02)


# -- features -> units ---------------------------------------------------------------------------------------------

def _features(engine, layers=FOOTPRINT_LAYERS, precision=None):
    with Session(engine) as s:
        query = select(Feature).where(Feature.layer.in_(layers))
        if precision:
            query = query.where(Feature.geometry_precision == precision)
        return [(f.id, to_shape(f.geom), f.geometry_precision, [d.gso_code for d in f.districts])
                for f in s.scalars(query.order_by(Feature.id))]


def _reference_shares(geom) -> dict[str, float]:
    g = tm3(geom)
    shares = {code: 100 * g.intersection(w).area / g.area for code, w in ward_polygons().items() if g.intersects(w)}
    return {code: pct for code, pct in shares.items() if pct >= 0.1}


def test_every_indicative_park_cluster_and_zone_gets_its_units(engine, index):
    features = _features(engine, precision="indicative")
    assert len(features) > 10 and "kcn-thanh-loc" in {f[0] for f in features}
    for fid, geom, precision, districts in features:
        got = communes_of_feature(index, geom, precision, districts)
        assert got.basis == "geometry" and got.communes, fid
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            expected = _reference_shares(geom)
            assert {s.commune.code: s.share_pct for s in got.communes} == pytest.approx(expected, abs=0.05), fid
        else:
            point = tm3(geom)
            assert [s.commune.code for s in got.communes] == [c for c, w in ward_polygons().items()
                                                             if w.intersects(point)], fid


def test_cai_tu_lists_the_units_of_go_quao_as_candidates(engine, index):
    (_, geom, precision, districts), = [f for f in _features(engine) if f[0] == "ccn-cai-tu"]
    assert precision == "schematic" and districts == [907]
    expected = {unit for unit, c in an_giang_2025().items()
                if any(kien_giang_communes().get(m["old_id"]) == 907 for m in c["merges"])}
    got = communes_of_feature(index, geom, precision, districts)
    assert got.basis == "district" and got.candidates and got.districts == [907]
    assert {s.commune.code for s in got.communes} == expected and len(expected) == 4
    assert all(s.share_pct is None for s in got.communes)


# -- loading -------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scratch(backend, fresh_database, cache_dir):
    settings = make_settings(fresh_database(backend), cache_dir)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    load(engine, settings)
    yield settings, engine
    engine.dispose()


def _snapshot(engine) -> tuple:
    with Session(engine) as s:
        return (sorted((c.code, c.name, round(c.area_ha, 3), c.geometry_note) for c in s.scalars(select(Commune2025))),
                sorted(s.execute(select(FormerCommune.code, FormerCommune.commune_code)).all()),
                sorted((r.district_code, r.commune_code or "", round(r.area_ha, 3))
                       for r in s.scalars(select(DistrictCommune))))


def test_load_twice_changes_nothing(scratch):
    settings, engine = scratch
    before = _snapshot(engine)
    assert len(before[0]) == 51 and len(before[1]) == 143
    load(engine, settings)
    assert _snapshot(engine) == before


def test_a_bad_upstream_file_writes_nothing_and_names_the_file(scratch, tmp_path):
    settings, engine = scratch
    before = _snapshot(engine)
    data = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", data)
    manifest = data / "manifest.yaml"
    good = "sha256: f5f046e57750e7432b3f62f51752ad10c2d876e34e821e7ba84a19d1516eeca2"  # 30958_dinh_hoa.geojson
    assert good in manifest.read_text(encoding="utf-8")
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(good, "sha256: " + "0" * 64), encoding="utf-8")
    with pytest.raises(UpstreamError, match=r"30958_dinh_hoa\.geojson.*wrong sha256"):
        load(engine, settings.model_copy(update={"data_dir": data, "cache_dir": tmp_path / "cache"}))
    assert _snapshot(engine) == before


# -- the 2025 units as collections and statistics ----------------------------------------------------------------

def test_communes_and_crosswalk_are_collections(client):
    units = client.get("/ogc/collections/communes_2025/items", params={"limit": 100}).json()
    assert units["numberMatched"] == len(formed_from_kien_giang()) + 3  # and the three border slivers
    go_quao = client.get("/ogc/collections/district_commune_crosswalk/items",
                         params={"district_code": 907, "formed_from_district": "true", "limit": 100}).json()
    shares = {f["properties"]["commune_name"]: f["properties"]["share_of_district_pct"] for f in go_quao["features"]}
    figures = {"Xã Định Hòa": 32.42, "Xã Vĩnh Tuy": 26.33, "Xã Vĩnh Hòa Hưng": 21.83, "Xã Gò Quao": 19.10}
    for name, pct in figures.items():  # the mirror README's verification
        assert shares[name] == pytest.approx(pct, abs=0.01)
    piece = go_quao["features"][0]
    assert piece["geometry"]["type"] == "MultiPolygon"


def test_a_feature_says_its_2025_units(client):
    park = client.get("/ogc/collections/industrial_parks/items/kcn-thanh-loc").json()["properties"]
    assert park["communes_2025_basis"] == "geometry" and "30886" in park["communes_2025"].split(",")
    cai_tu = client.get("/ogc/collections/industrial_clusters/items/ccn-cai-tu").json()["properties"]
    assert cai_tu["communes_2025_basis"] == "district"  # location not known: candidates, never one unit
    assert set(cai_tu["communes_2025"].split(",")) == {"30952", "30958", "30970", "30982"}


def test_statistics_by_commune_split_the_parks_and_count_the_tasks(client, settings):
    """Thạnh Lộc (30886, formed from communes of Châu Thành 905) holds most of KCN Thạnh Lộc: its hectares are
    the park's polygon cut by the unit's upstream polygon, in EPSG:9207 (pyproj here); its tasks through the
    district are the tasks whose document item names Châu Thành."""
    from layers.plan import read_plan

    stats = client.get("/api/stats/communes/30886").json()
    park = shape(client.get("/ogc/collections/industrial_parks/items/kcn-thanh-loc").json()["geometry"])
    unit = ward_polygons()["30886"]
    assert stats["hectares"]["industrial_parks"] == pytest.approx(tm3(park).intersection(unit).area / 10_000, rel=1e-3)
    assert stats["former_district_codes"] == [905]
    named = {t.id for _, t in read_plan(settings.data_dir).tasks if 905 in t.districts}
    assert stats["tasks"]["tasks_via_district"] == len(named) > 0
    assert stats["tasks"]["tasks_linked"] >= stats["tasks"]["tasks_via_features"] > 0
    every = client.get("/api/stats/communes").json()
    assert len(every) == len(formed_from_kien_giang()) + 3
    assert client.get("/api/stats/communes/12345").status_code == 404
