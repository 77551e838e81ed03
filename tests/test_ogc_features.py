"""OGC API - Features Part 1 under /ogc, on both backends: landing, collections, items, paging, errors, caching."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest


IDS = ["districts", "industrial_parks", "industrial_clusters", "industrial_cluster_footprints", "economic_zones",
       "growth_poles", "dynamic_regions", "raw_material_districts", "infrastructure_projects",
       "infrastructure_routes", "communes_2025", "district_commune_crosswalk", "tasks"]
SPATIAL = [c for c in IDS if c != "tasks"]


def all_items(client, collection: str, **params) -> list[dict]:
    """Every item, following next links (absolute URLs) page by page."""
    response = client.get(f"/ogc/collections/{collection}/items", params=params)
    features = []
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        features += body["features"]
        nxt = [lk["href"] for lk in body["links"] if lk["rel"] == "next"]
        if not nxt:
            return features
        assert urlsplit(nxt[0]).scheme == "http"
        response = client.get(nxt[0])


def test_landing_links_every_resource_with_a_type(client):
    body = client.get("/ogc").json()
    rels = {lk["rel"] for lk in body["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    assert all(lk.get("type") for lk in body["links"])


def test_conformance_declares_what_qgis_needs_for_server_side_filters(client):
    classes = client.get("/ogc/conformance").json()["conformsTo"]
    for suffix in ("features-3/1.0/conf/filter", "features-3/1.0/conf/features-filter", "cql2/1.0/conf/cql2-text",
                   "cql2/1.0/conf/basic-cql2", "features-1/1.0/conf/core", "features-2/1.0/conf/crs"):
        assert any(c.endswith(suffix) for c in classes), suffix


def test_api_definition_is_openapi_30(client):
    response = client.get("/ogc/api")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.oai.openapi+json")
    assert response.json()["openapi"].startswith("3.0")


def test_every_collection_is_listed_with_its_crs(client):
    collections = client.get("/ogc/collections").json()["collections"]
    assert [c["id"] for c in collections] == IDS
    for c in collections:
        assert any(lk["rel"] == "items" and lk["type"] == "application/geo+json" for lk in c["links"])
        if c["id"] in SPATIAL:
            assert "http://www.opengis.net/def/crs/EPSG/0/9207" in c["crs"]
            assert c["storageCrs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@pytest.mark.parametrize("collection", SPATIAL)
def test_one_geometry_type_per_collection_as_declared(client, collection):
    """QGIS takes a layer's type from its first features and hides the others: every item has the type the
    collection and its queryables declare."""
    declared = client.get(f"/ogc/collections/{collection}").json()["geometryType"]
    queryable = client.get(f"/ogc/collections/{collection}/queryables").json()["properties"]["geometry"]
    assert queryable["format"] == "geometry-" + declared.lower()
    items = all_items(client, collection, limit=1000)
    assert items and {f["geometry"]["type"] for f in items} == {declared}


@pytest.mark.parametrize("collection", IDS)
def test_every_item_carries_the_same_keys_in_the_same_order(client, collection):
    """QGIS drops properties only some features have (e.g. ``park`` on 2 of 25 infrastructure projects)."""
    items = all_items(client, collection, limit=1000)
    orders = {tuple(f["properties"]) for f in items}
    assert len(orders) == 1, orders
    queryables = set(client.get(f"/ogc/collections/{collection}/queryables").json()["properties"]) - {
        "geometry", "id"}  # the item's id is queryable, and is not a property
    assert queryables <= set(next(iter(orders)))


def test_every_feature_of_a_layer_is_in_its_point_collection(client):
    """Clusters drawn as footprints and projects drawn as routes have their own collections, and still a point
    in the layer's collection: nothing falls between the two."""
    for points, shapes in (("industrial_clusters", "industrial_cluster_footprints"),
                           ("infrastructure_projects", "infrastructure_routes")):
        every = {f["id"] for f in all_items(client, points, limit=1000)}
        drawn = {f["id"] for f in all_items(client, shapes, limit=1000)}
        assert drawn and drawn < every


def test_growth_poles_are_the_three_the_plan_names(client):
    from layers.text import fold
    from tests.reference import growth_pole_names

    poles = all_items(client, "growth_poles")
    names = sorted(fold(f["properties"]["name"]) for f in poles)
    assert len(poles) == len(growth_pole_names()) == 3
    assert all(any(fold(n) in name for name in names) for n in growth_pole_names())
    regions = client.get("/ogc/collections/dynamic_regions").json()
    assert "not named in the document" in regions["description"] and "04 vùng động lực" in regions["description"]
    assert len(all_items(client, "dynamic_regions")) == 4


def test_five_industrial_parks(client):
    response = client.get("/ogc/collections/industrial_parks/items")
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["numberMatched"] == body["numberReturned"] == 5
    assert body["timeStamp"].endswith("Z")
    names = [f["properties"]["name"] for f in body["features"]]
    assert all(n.startswith("KCN") for n in names)


@pytest.mark.parametrize("collection", IDS)
def test_every_item_fetched_by_id_across_pages(client, collection):
    paged = all_items(client, collection, limit=4)
    whole = client.get(f"/ogc/collections/{collection}/items", params={"limit": 1000}).json()
    assert [f["id"] for f in paged] == [f["id"] for f in whole["features"]]
    assert len(paged) == whole["numberMatched"] and len(set(f["id"] for f in paged)) == len(paged)
    for feature in paged[:3] + paged[-2:]:
        one = client.get(f"/ogc/collections/{collection}/items/{feature['id']}")
        assert one.status_code == 200 and one.json()["id"] == feature["id"]
        assert one.json()["properties"] == feature["properties"]


def test_next_link_keeps_every_parameter_and_prev_goes_back(client):
    first = client.get("/ogc/collections/tasks/items", params={"limit": 3, "plan": "001"}).json()
    nxt = next(lk["href"] for lk in first["links"] if lk["rel"] == "next")
    assert "plan=001" in nxt and "limit=3" in nxt
    second = client.get(nxt).json()
    assert all(f["properties"]["plan"] == "001" for f in second["features"])
    prev = next(lk["href"] for lk in second["links"] if lk["rel"] == "prev")
    assert [f["id"] for f in client.get(prev).json()["features"]] == [f["id"] for f in first["features"]]


def test_offset_pages_agree_with_tokens(client):
    paged = [f["id"] for f in all_items(client, "tasks", limit=5)]
    page = client.get("/ogc/collections/tasks/items", params={"limit": 5, "offset": 5}).json()
    assert [f["id"] for f in page["features"]] == paged[5:10]


def test_tasks_have_no_geometry_and_link_features(client):
    tasks = all_items(client, "tasks", limit=500)
    assert tasks and all(t["geometry"] is None for t in tasks)
    linked = [t for t in tasks if t["properties"]["feature_ids"]]
    assert linked, "some task names a feature"
    fid = linked[0]["properties"]["feature_ids"].split(",")[0]
    layers = [c for c in IDS if client.get(f"/ogc/collections/{c}/items/{fid}").status_code == 200]
    assert layers and set(layers) <= set(SPATIAL)


def test_datetime_filters_task_deadlines(client):
    tasks = all_items(client, "tasks", limit=500)
    deadlines = sorted(t["properties"]["deadline"] for t in tasks if t["properties"]["deadline"])
    cut = deadlines[len(deadlines) // 2]
    before = all_items(client, "tasks", limit=500, datetime=f"../{cut}")
    assert before and all(t["properties"]["deadline"] <= cut for t in before)
    assert len(before) == sum(d <= cut for d in deadlines)
    exact = all_items(client, "tasks", datetime=cut)
    assert all(t["properties"]["deadline"] == cut for t in exact) and exact


def test_property_filter_on_a_queryable(client):
    parks = all_items(client, "industrial_parks")
    status = parks[0]["properties"]["status"]
    got = all_items(client, "industrial_parks", status=status)
    assert {f["id"] for f in got} == {f["id"] for f in parks if f["properties"]["status"] == status}


def test_districts_are_former_districts_with_areas(client):
    districts = all_items(client, "districts", limit=100)
    assert len(districts) == 15
    assert all(d["properties"]["area_ha"] > 0 and "1 July 2025" in d["properties"]["note"] for d in districts)
    raw = all_items(client, "raw_material_districts")
    assert raw and all(d["properties"]["raw_material"] for d in raw)
    assert {d["id"] for d in raw} < {d["id"] for d in districts}


@pytest.mark.parametrize("path, status", [
    ("/ogc/collections/nope", 404), ("/ogc/collections/nope/items", 404),
    ("/ogc/collections/industrial_parks/items/nope", 404), ("/ogc/collections/districts/items/abc", 404),
    ("/ogc/collections/industrial_parks/items?limit=0", 400),
    ("/ogc/collections/industrial_parks/items?limit=abc", 400),
    ("/ogc/collections/industrial_parks/items?bbox=1,2,3", 400),
    ("/ogc/collections/industrial_parks/items?bbox=106,10,105,9", 400),
    ("/ogc/collections/industrial_parks/items?crs=EPSG:1234", 400),
    ("/ogc/collections/industrial_parks/items?token=garbage!", 400),
    ("/ogc/collections/tasks/items?datetime=yesterday", 400),
    ("/ogc/collections/industrial_parks/items?planned_area_ha=big", 400),
])
def test_errors_are_4xx_json(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert response.json()["description"]


def test_unknown_parameter_is_named(client):
    response = client.get("/ogc/collections/industrial_parks/items", params={"colour": "red"})
    assert response.status_code == 400 and "colour" in response.json()["description"]


def test_limit_above_maximum_is_clamped(client):
    body = client.get("/ogc/collections/tasks/items", params={"limit": 10**7}).json()
    assert body["numberReturned"] == body["numberMatched"]


def test_etag_and_304(client):
    first = client.get("/ogc/collections/districts/items", headers={"Accept-Encoding": "identity"})
    assert first.headers["etag"].startswith('W/"') and "max-age" in first.headers["cache-control"]
    again = client.get("/ogc/collections/districts/items", headers={"If-None-Match": first.headers["etag"],
                                                                    "Accept-Encoding": "identity"})
    assert again.status_code == 304 and not again.content
    one = client.get("/ogc/collections/districts/items/907", headers={"Accept-Encoding": "identity"})
    assert one.headers["etag"].startswith('"')  # one item: strong, Part 4's If-Match compares with it
    assert client.get("/ogc/collections/districts/items/907",
                      headers={"If-None-Match": one.headers["etag"]}).status_code == 304


def test_a_gzipped_answer_has_its_own_validator_and_it_revalidates(client):
    plain = client.get("/ogc/collections/districts/items/907", headers={"Accept-Encoding": "identity"})
    zipped = client.get("/ogc/collections/districts/items/907", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["etag"] != plain.headers["etag"] and zipped.headers["etag"].endswith('-gzip"')
    again = client.get("/ogc/collections/districts/items/907",
                       headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == zipped.headers["etag"]


@pytest.mark.parametrize("sortby", ["-deadline", "status,deadline", "percent"])
def test_sorted_pages_walk_forward_and_back_without_offsets(client, sortby):
    whole = client.get("/ogc/collections/tasks/items", params={"limit": 1000, "sortby": sortby}).json()["features"]
    unsorted = client.get("/ogc/collections/tasks/items", params={"limit": 1000}).json()["features"]
    expected = sorted(unsorted, key=lambda f: f["id"])
    for key in reversed(sortby.split(",")):  # stable sorts, last key first: nulls last, then the order asked
        name, desc = key.lstrip("-"), key.startswith("-")
        present = [f for f in expected if f["properties"][name] is not None]
        present.sort(key=lambda f: f["properties"][name], reverse=desc)
        if desc:  # reverse=True also reversed the ties: put equal values back in their previous order
            present = _stable_desc(present, name, expected)
        expected = present + [f for f in expected if f["properties"][name] is None]
    assert [f["id"] for f in whole] == [f["id"] for f in expected]
    paged = all_items(client, "tasks", limit=7, sortby=sortby)
    assert [f["id"] for f in paged] == [f["id"] for f in whole]
    second = client.get("/ogc/collections/tasks/items", params={"limit": 7, "sortby": sortby}).json()
    nxt = next(lk["href"] for lk in second["links"] if lk["rel"] == "next")
    assert "token=" in nxt and "offset" not in nxt
    back = next(lk["href"] for lk in client.get(nxt).json()["links"] if lk["rel"] == "prev")
    assert [f["id"] for f in client.get(back).json()["features"]] == [f["id"] for f in whole[:7]]


def _stable_desc(items: list[dict], name: str, before: list[dict]) -> list[dict]:
    rank = {f["id"]: i for i, f in enumerate(before)}
    return sorted(items, key=lambda f: (_neg(f["properties"][name]), rank[f["id"]]))


def _neg(value):
    return -value if isinstance(value, (int, float)) else tuple(-ord(c) for c in value) + (1,)


def test_a_token_of_another_ordering_is_a_400_not_a_database_error(client):
    first = client.get("/ogc/collections/tasks/items", params={"limit": 3, "sortby": "deadline"}).json()
    nxt = next(lk["href"] for lk in first["links"] if lk["rel"] == "next")
    token = nxt.split("token=")[1].split("&")[0]
    response = client.get("/ogc/collections/tasks/items", params={"limit": 3, "token": token})
    assert response.status_code == 400 and "token" in response.json()["description"]
    import base64

    forged = base64.urlsafe_b64encode(b'{"after":[0,{"x":1},"a"]}').decode().rstrip("=")
    response = client.get("/ogc/collections/tasks/items", params={"limit": 3, "sortby": "deadline",
                                                                  "token": forged})
    assert response.status_code == 400


def test_geojson_is_gzipped(client):
    response = client.get("/ogc/collections/districts/items", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("content-encoding") == "gzip"


def test_html_for_browsers(client):
    response = client.get("/ogc/collections/industrial_parks/items", headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    assert "KCN" in response.text
    assert client.get("/ogc", params={"f": "html"}).text.startswith("<!doctype html>")


def test_each_collection_states_the_extent_of_its_own_features(client, engine):
    """QGIS zooms to a layer from its extent: the parks' box holds every park and not the whole province."""
    from geoalchemy2.shape import to_shape
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from layers.models import District, Feature

    parks = client.get("/ogc/collections/industrial_parks").json()["extent"]["spatial"]["bbox"][0]
    province = client.get("/ogc/collections/districts").json()["extent"]["spatial"]["bbox"][0]
    with Session(engine) as s:
        shapes = [to_shape(g) for g in s.scalars(select(Feature.geom).where(Feature.layer == "industrial_parks"))]
        districts = [to_shape(g) for g in s.scalars(select(District.geom))]
    for shape in shapes:
        x1, y1, x2, y2 = shape.bounds
        assert parks[0] <= x1 + 1e-9 and parks[1] <= y1 + 1e-9 and x2 <= parks[2] + 1e-9 and y2 <= parks[3] + 1e-9
    assert province[0] == pytest.approx(min(d.bounds[0] for d in districts))
    assert (parks[2] - parks[0]) < (province[2] - province[0])
