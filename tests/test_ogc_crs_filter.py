"""Part 2 (CRS by reference) and Part 3 (queryables, CQL2 text filters, sortby), on both backends."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import shape

from geo.crs import to_crs
from tests.reference import epsg_6960_transformer

ITEMS = "/ogc/collections/industrial_parks/items"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"


def parks(client, **params) -> list[dict]:
    response = client.get(ITEMS, params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return response.json()["features"]


def _vertices(geometry: dict) -> list[tuple[float, float]]:
    return [tuple(c) for part in shapely.get_parts(shape(geometry)) for c in shapely.get_coordinates(part)]


@pytest.mark.parametrize("collection", ["industrial_parks", "infrastructure_routes", "industrial_clusters"])
@pytest.mark.parametrize("code", [9207, 3405, 3857])
def test_projected_crs_are_easting_northing_vertex_by_vertex(client, collection, code):
    """EPSG:9207, 3405 and 3857 are Easting, Northing (PROJ's axis order): every vertex is pyproj's transform
    of the CRS84 vertex (the official EPSG:6960 for VN-2000) to 0.1 m, polygons, lines and points alike."""
    url = f"/ogc/collections/{collection}/items"
    lonlat = {f["id"]: _vertices(f["geometry"]) for f in client.get(url, params={"limit": 100}).json()["features"]}
    response = client.get(url, params={"crs": EPSG.format(code), "limit": 100})
    assert response.headers["content-crs"] == f"<{EPSG.format(code)}>"
    official = epsg_6960_transformer(code)
    features = response.json()["features"]
    assert len(features) == len(lonlat) > 0
    for f in features:
        got = _vertices(f["geometry"])
        want = [official.transform(x, y) for x, y in lonlat[f["id"]]]
        assert len(got) == len(want)
        assert max(abs(a - c) + abs(b - d) for (a, b), (c, d) in zip(got, want, strict=True)) < 0.1, f["id"]
    if code == 9207:
        easting, northing = got[0]
        assert 400_000 < easting < 700_000 and 1_000_000 < northing < 1_200_000


def test_epsg_4326_by_uri_is_latitude_first(client):
    crs84 = {f["id"]: shape(f["geometry"]).bounds for f in parks(client)}
    for f in parks(client, crs=EPSG.format(4326)):
        lat0, lon0, lat1, lon1 = shape(f["geometry"]).bounds
        assert (lon0, lat0, lon1, lat1) == pytest.approx(crs84[f["id"]])


def test_bbox_in_9207_selects_like_crs84(client):
    target = parks(client)[0]
    lon, lat = shape(target["geometry"]).representative_point().coords[0]
    box84 = f"{lon - 0.05},{lat - 0.05},{lon + 0.05},{lat + 0.05}"
    in84 = {f["id"] for f in parks(client, bbox=box84)}
    x, y = to_crs(9207).transform(lon, lat)
    box9207 = f"{x - 5000},{y - 5000},{x + 5000},{y + 5000}"  # easting first, as EPSG:9207 says
    in9207 = {f["id"] for f in parks(client, bbox=box9207, **{"bbox-crs": EPSG.format(9207)})}
    assert target["id"] in in84 and target["id"] in in9207
    swapped = f"{y - 5000},{x - 5000},{y + 5000},{x + 5000}"  # a northing-first box lies far away: nothing
    assert parks(client, bbox=swapped, **{"bbox-crs": EPSG.format(9207)}) == []
    far = parks(client, bbox="100,0,100.1,0.1")
    assert far == []


def test_queryables_is_json_schema(client):
    response = client.get("/ogc/collections/industrial_parks/queryables")
    assert response.headers["content-type"].startswith("application/schema+json")
    props = response.json()["properties"]
    assert props["planned_area_ha"]["type"] == "number" and "geometry" in props


def _ids(features):
    return {f["id"] for f in features}


def test_cql2_comparison_and_or(client):
    everything = parks(client)
    areas = sorted(f["properties"]["planned_area_ha"] for f in everything if f["properties"]["planned_area_ha"])
    mid = areas[len(areas) // 2]
    got = parks(client, filter=f"planned_area_ha >= {mid} AND status <> 'zzz'")
    assert _ids(got) == {f["id"] for f in everything if (f["properties"]["planned_area_ha"] or 0) >= mid}
    first = everything[0]["id"]
    got = parks(client, filter=f"planned_area_ha < {areas[0]} OR id = '{first}'")
    assert _ids(got) == {first}


def test_cql2_like_and_in(client):
    everything = parks(client)
    prefix = everything[0]["properties"]["name"][:3]
    assert _ids(parks(client, filter=f"name LIKE '{prefix}%'")) == {
        f["id"] for f in everything if f["properties"]["name"].startswith(prefix)}
    chosen = [f["id"] for f in everything[:2]]
    assert _ids(parks(client, filter=f"id IN ('{chosen[0]}', '{chosen[1]}')")) == set(chosen)


def test_cql2_s_intersects(client):
    everything = parks(client)
    target = shape(everything[0]["geometry"]).representative_point()
    poly = f"POLYGON(({target.x - .01} {target.y - .01},{target.x + .01} {target.y - .01}," \
           f"{target.x + .01} {target.y + .01},{target.x - .01} {target.y + .01},{target.x - .01} {target.y - .01}))"
    got = _ids(parks(client, filter=f"S_INTERSECTS(geometry, {poly})"))
    assert everything[0]["id"] in got
    assert got == {f["id"] for f in everything if shape(f["geometry"]).intersects(shape({
        "type": "Polygon", "coordinates": [[(target.x - .01, target.y - .01), (target.x + .01, target.y - .01),
                                            (target.x + .01, target.y + .01), (target.x - .01, target.y + .01)]]}))}


def _tasks(client, **params) -> list[dict]:
    response = client.get("/ogc/collections/tasks/items", params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    return response.json()["features"]


def test_cql2_on_task_dates(client, settings):
    from layers.plan import read_plan

    want = {t.id for _, t in read_plan(settings.data_dir).tasks
            if t.plan == "001" and t.deadline and t.deadline.isoformat() < "2023-01-01"}
    got = _ids(_tasks(client, filter="deadline < DATE('2023-01-01') AND plan = '001'"))
    assert got == want and len(want) > 10


def test_derived_task_properties_are_queryable(client, settings):
    """``overdue``, ``status`` and ``percent`` are derived from reports and the date, and filter on the server."""
    import datetime as dt

    from layers.plan import read_plan

    queryables = client.get("/ogc/collections/tasks/queryables").json()["properties"]
    assert {"overdue", "status", "percent", "reported_on"} <= set(queryables)
    every = _tasks(client)
    unfinished = {t["id"] for t in every if t["properties"]["status"] not in ("done", "cancelled")}
    today = dt.date.today().isoformat()
    due = {t.id for _, t in read_plan(settings.data_dir).tasks if t.deadline and t.deadline.isoformat() < today}
    overdue = _ids(_tasks(client, filter="overdue = true"))
    assert overdue == due & unfinished and overdue
    assert _ids(_tasks(client, overdue="false")) == _ids(every) - overdue
    assert _ids(_tasks(client, filter="status = 'not_reported' AND NOT (overdue = true)")) == {
        t["id"] for t in every if t["properties"]["status"] == "not_reported"} - overdue


@pytest.mark.parametrize("expr, word", [
    ("colour = 'red'", "colour"), ("planned_area_ha = 'big'", "planned_area_ha"), ("name = ", "CQL2"),
    ("S_INTERSECTS(name, POINT(105 10))", "geometry"),
])
def test_bad_filters_are_400_naming_the_cause(client, expr, word):
    response = client.get(ITEMS, params={"filter": expr})
    assert response.status_code == 400
    assert "filter" in response.json()["description"] and word in response.json()["description"]


def test_sortby_descending_with_pages(client):
    first = client.get(ITEMS, params={"sortby": "-planned_area_ha,name", "limit": 2}).json()
    nxt = next(lk["href"] for lk in first["links"] if lk["rel"] == "next")
    rest = client.get(nxt.replace("limit=2", "limit=100")).json()["features"]
    areas = [f["properties"]["planned_area_ha"] for f in first["features"] + rest]
    known = [a for a in areas if a is not None]
    assert len(areas) == 5 and known == sorted(known, reverse=True)
    assert client.get(ITEMS, params={"sortby": "nope"}).status_code == 400
