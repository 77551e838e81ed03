"""Vector tiles (MVT, WebMercatorQuad z/row/col) on both backends: PostGIS ST_AsMVT and Python on SpatiaLite."""

from __future__ import annotations

import mapbox_vector_tile
import morecantile
import pytest
from shapely.geometry import shape

TMS = morecantile.tms.get("WebMercatorQuad")


def tile_url(collection: str, z: int, lon: float, lat: float) -> str:
    t = TMS.tile(lon, lat, z)
    return f"/ogc/collections/{collection}/tiles/WebMercatorQuad/{z}/{t.y}/{t.x}"


@pytest.mark.parametrize("z", [6, 12])
def test_tile_over_a_park_carries_it(client, z):
    park = client.get("/ogc/collections/industrial_parks/items").json()["features"][0]
    point = shape(park["geometry"]).representative_point()
    response = client.get(tile_url("industrial_parks", z, point.x, point.y))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    layer = mapbox_vector_tile.decode(response.content)["industrial_parks"]
    assert park["id"] in {f["properties"]["id"] for f in layer["features"]}


def test_district_tile_is_simplified_at_low_zoom(client):
    district = client.get("/ogc/collections/districts/items", params={"limit": 1}).json()["features"][0]
    point = shape(district["geometry"]).representative_point()
    low = client.get(tile_url("districts", 5, point.x, point.y))
    high = client.get(tile_url("districts", 11, point.x, point.y))
    assert low.status_code == high.status_code == 200
    names = {f["properties"]["name"] for f in mapbox_vector_tile.decode(low.content)["districts"]["features"]}
    assert district["properties"]["name"] in names
    assert len(low.content) < 20_000


def test_empty_tile_is_204(client):
    assert client.get(tile_url("industrial_parks", 10, -40.0, 40.0)).status_code == 204


@pytest.mark.parametrize("path", ["/ogc/collections/tasks/tiles/WebMercatorQuad/1/0/0",
                                  "/ogc/collections/nope/tiles/WebMercatorQuad/1/0/0",
                                  "/ogc/collections/districts/tiles/WebMercatorQuad/2/4/0",
                                  "/ogc/collections/districts/tiles/WebMercatorQuad/40/0/0"])
def test_no_such_tile_is_404(client, path):
    assert client.get(path).status_code == 404


def test_tiles_are_cached(client):
    park = client.get("/ogc/collections/industrial_parks/items").json()["features"][0]
    point = shape(park["geometry"]).representative_point()
    url = tile_url("industrial_parks", 8, point.x, point.y)
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
