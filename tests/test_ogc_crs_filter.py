"""Part 2 (CRS by reference) and Part 3 (queryables, CQL2 text filters, sortby), on both backends."""

from __future__ import annotations

import pytest
from shapely.geometry import shape

from geo.crs import to_crs

ITEMS = "/ogc/collections/industrial_parks/items"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"


def parks(client, **params) -> list[dict]:
    response = client.get(ITEMS, params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return response.json()["features"]


def test_epsg_9207_coordinates_northing_first_with_the_official_transformation(client):
    lonlat = {f["id"]: shape(f["geometry"]).centroid for f in parks(client)}
    response = client.get(ITEMS, params={"crs": EPSG.format(9207), "limit": 100})
    assert response.headers["content-crs"] == f"<{EPSG.format(9207)}>"
    for f in response.json()["features"]:
        northing, easting = shape(f["geometry"]).centroid.coords[0]
        x, y = to_crs(9207).transform(lonlat[f["id"]].x, lonlat[f["id"]].y)
        assert abs(easting - x) < 0.5 and abs(northing - y) < 0.5  # centroid of a reprojected ring
        assert 400_000 < easting < 700_000 and 1_000_000 < northing < 1_200_000


@pytest.mark.parametrize("code", [3857, 3405])
def test_projected_crs_are_easting_first(client, code):
    lonlat = {f["id"]: shape(f["geometry"]).representative_point() for f in parks(client, crs="CRS84")}
    for f in parks(client, crs=EPSG.format(code)):
        x, y = shape(f["geometry"]).centroid.coords[0]
        ex, ey = to_crs(code).transform(*lonlat[f["id"]].coords[0])
        assert abs(x - ex) < 2000 and abs(y - ey) < 2000


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
    box9207 = f"{y - 5000},{x - 5000},{y + 5000},{x + 5000}"  # northing first, as EPSG:9207 says
    in9207 = {f["id"] for f in parks(client, bbox=box9207, **{"bbox-crs": EPSG.format(9207)})}
    assert target["id"] in in84 and target["id"] in in9207
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


def test_cql2_on_task_dates(client):
    response = client.get("/ogc/collections/tasks/items",
                          params={"filter": "deadline < DATE('2023-01-01') AND plan = '001'", "limit": 500})
    tasks = response.json()["features"]
    assert all(t["properties"]["deadline"] < "2023-01-01" and t["properties"]["plan"] == "001" for t in tasks)


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
