"""Imported layers on the web map, in Chromium against the real server, on both backends: a land-use layer drawn
from vector tiles (every parcel of each tile drawn, no more, no fewer: counted against the parcels the test wrote),
filled with the code table's colours, its legend, a parcel's attributes, the land use inside a park's popup, the
shared link, search; and a tile at the feature cap says so, in its header and on the page.

The test writes its own GeoPackage (a grid of parcels over KCN Thạnh Lộc laid out on the zoom-14 tile grid, so
that no parcel edge comes near a tile edge) into a database of this module's own.
"""

from __future__ import annotations

import json
import math
import uuid

import geopandas as gpd
import httpx
import pyogrio
import pytest
import shapely
import yaml
from shapely.geometry import Point, box
from sqlalchemy import text

from layers.imports.importer import ImportOptions, import_file
from layers.settings import REPO_ROOT
from tests.conftest import own_database_fixtures, serve
from tests.map_pages import new_page, search
from tests.test_map_a11y import serious
from tests.test_map_popups import _assert_details_fit

pytestmark = pytest.mark.browser
Z = 14  # the zoom the map is looked at
PER_TILE = 10.5  # parcels across a zoom-14 tile: edges stay at least a quarter parcel (about 58 m) from tile edges
COLS, ROWS = 60, 44
CODES = ["LUA", "CLN", " luc", "ONT", "NTS", "LUA", "SKK", "DGT", "XYZ", "LUK", "RSX", "ODT", "RSN"]
SYMBOLOGY = json.loads((REPO_ROOT / "web" / "symbology.json").read_text(encoding="utf-8"))
YAML = yaml.safe_load((REPO_ROOT / "data" / "landuse_codes.yaml").read_text(encoding="utf-8"))["codes"]
PARK = "kcn-thanh-loc"


def _lon(x: float, z: int = Z) -> float:
    """The longitude of tile coordinate ``x`` (in tiles, fractional) at zoom ``z`` (spherical Mercator)."""
    return x / 2**z * 360.0 - 180.0


def _lat(y: float, z: int = Z) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / 2**z))))


def _tile_xy(lon: float, lat: float, z: int = Z) -> tuple[float, float]:
    n = 2**z
    return (lon + 180) / 360 * n, (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n


def _tile_box(key: str):
    z, x, y = map(int, key.split("/"))
    return box(_lon(x, z), _lat(y + 1, z), _lon(x + 1, z), _lat(y, z))

# a database of this module's own: the layers it imports become collections no other module expects
own, engine, app = own_database_fixtures()


@pytest.fixture(scope="module")
def live_server(app):
    with serve(app) as base:
        yield base


def _park(engine):
    wkb = "ST_AsBinary(geom)" if engine.dialect.name == "postgresql" else "AsBinary(geom)"
    with engine.connect() as conn:
        return shapely.from_wkb(bytes(conn.execute(text(f"SELECT {wkb} FROM features WHERE id = :id"),
                                                   {"id": PARK}).scalar()))


def _parcels(park) -> gpd.GeoDataFrame:
    """A grid of parcels centred on the park, in zoom-14 tile units shifted a quarter parcel off the tile grid."""
    cx, cy = _tile_xy(park.centroid.x, park.centroid.y)
    x0 = math.floor(cx - COLS / PER_TILE / 2) + 0.25 / PER_TILE
    y0 = math.floor(cy - ROWS / PER_TILE / 2) + 0.25 / PER_TILE
    cells = []
    for j in range(ROWS):
        for i in range(COLS):
            xa, xb = x0 + i / PER_TILE, x0 + (i + 1) / PER_TILE
            ya, yb = y0 + j / PER_TILE, y0 + (j + 1) / PER_TILE
            cells.append(box(_lon(xa), _lat(yb), _lon(xb), _lat(ya)))
    n = len(cells)
    return gpd.GeoDataFrame({"ma_dat": [CODES[k % len(CODES)] for k in range(n)], "so_thua": range(1, n + 1),
                             "chu_su_dung": [f"Nguyễn Văn Ấn {k + 1}" for k in range(n)]}, geometry=cells, crs=4326)


@pytest.fixture(scope="module")
def layers(engine, tmp_path_factory):
    """A land-use layer (its code field recognised) and a layer of points without codes."""
    park = _park(engine)
    parcels = _parcels(park)
    folder = tmp_path_factory.mktemp("overlay")
    pyogrio.write_dataframe(parcels, folder / "hien_trang.gpkg", driver="GPKG")
    landuse = f"hientrang_{uuid.uuid4().hex[:6]}"
    import_file(engine, folder / "hien_trang.gpkg",
                ImportOptions(layer=landuse, title="Hiện trạng sử dụng đất Châu Thành 2024"))
    c = park.centroid
    pumps = gpd.GeoDataFrame({"ten": [f"Trạm bơm {k}" for k in range(8)]},
                             geometry=[Point(c.x + 0.004 * (k - 4), c.y + 0.003) for k in range(8)], crs=4326)
    pyogrio.write_dataframe(pumps, folder / "tram_bom.geojson", driver="GeoJSON")
    points = f"trambom_{uuid.uuid4().hex[:6]}"
    import_file(engine, folder / "tram_bom.geojson", ImportOptions(layer=points, title="Trạm bơm thủy lợi"))
    return {"landuse": landuse, "points": points, "parcels": parcels, "park": park}


def _open(watched, layers: str, view, lang: str = "vi"):
    """The map as a shared link opens it: ``view`` (lon, lat) at zoom 14 with ``layers`` on (plan layers off)."""
    lon, lat = view
    return watched.open(f"/?lang={lang}#map={Z}/{lat:.5f}/{lon:.5f}&layers={layers}")


def _wait_drawn(page, layer: str) -> dict:
    """The features drawn in each loaded tile (``{"z/x/y": count}``), once every tile of the view has loaded."""
    page.wait_for_function("""(id) => { const e = planmap.imported[id];
        return e && Object.keys(e.tiles).length > 0 && !e.layer.isLoading(); }""", arg=layer, timeout=30_000)
    return page.evaluate("(id) => planmap.imported[id].tiles", layer)


def _expected_per_tile(parcels: gpd.GeoDataFrame, keys) -> dict:
    tree = shapely.STRtree(parcels.geometry.values)
    return {k: len(tree.query(_tile_box(k), predicate="intersects")) for k in keys}


def _view(page):
    return page.evaluate("(() => { const b = planmap.map.getBounds(); "
                         "return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()")


def test_land_use_tiles_draw_every_parcel_in_view(map_page, layers):
    """Opened from a shared link: the overlay is on, ticked in the layer list under its title, and each tile draws
    exactly the parcels that meet it; the tiles cover the view, so every parcel in view is drawn."""
    landuse, parcels = layers["landuse"], layers["parcels"]
    centre = layers["park"].centroid
    page = _open(map_page, landuse, (centre.x, centre.y))
    drawn = _wait_drawn(page, landuse)
    assert all(k.startswith(f"{Z}/") for k in drawn)
    assert drawn == _expected_per_tile(parcels, drawn)
    paths = page.locator(".leaflet-pm-imported-pane path").count()
    assert paths == sum(drawn.values())  # drawn in the page, one path per parcel and tile
    view = box(*_view(page))
    covered = shapely.union_all([_tile_box(k) for k in drawn])
    assert covered.contains(view)
    in_view = int(parcels.geometry.intersects(view).sum())
    assert in_view > 300 and in_view < len(parcels)  # the view cuts the layer
    label = page.locator(".leaflet-control-layers-overlays label", has_text="Hiện trạng sử dụng đất Châu Thành 2024")
    assert label.locator("input").is_checked()
    assert landuse in page.url.split("layers=")[1].split("&")[0].split(",")  # the link keeps it
    assert map_page.problems == []


def _parcel_point(page, parcels, code: str) -> tuple[int, dict]:
    """A parcel of ``code`` well inside the view whose centre shows the parcel itself (no plan feature above it):
    its row index and what the page draws there."""
    view = box(*_view(page)).buffer(-0.01)
    for k, (value, cell) in enumerate(zip(parcels["ma_dat"], parcels.geometry, strict=True)):
        if value.strip().upper() != code or not view.contains(cell):
            continue
        c = cell.centroid
        hit = page.evaluate("""([lon, lat]) => { const p = planmap.map.latLngToContainerPoint([lat, lon]);
            const r = planmap.map.getContainer().getBoundingClientRect();
            const x = r.left + p.x, y = r.top + p.y, el = document.elementFromPoint(x, y);
            return {x, y, imported: !!el.closest('.leaflet-pm-imported-pane'), fill: el.getAttribute('fill'),
                    rendered: getComputedStyle(el).fill}; }""", [c.x, c.y])
        if hit["imported"]:
            return k, hit
    raise AssertionError(f"no {code} parcel to look at")


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_colours_legend_and_parcel_popup(map_page, layers):
    landuse, parcels = layers["landuse"], layers["parcels"]
    centre = layers["park"].centroid
    page = _open(map_page, landuse, (centre.x, centre.y))
    _wait_drawn(page, landuse)
    for code in ("LUA", "NTS", "ODT"):  # the colours of the code table, as rendered
        _, hit = _parcel_point(page, parcels, code)
        assert hit["rendered"] == _rgb(YAML[code]["colour"]), code
    _, rsn = _parcel_point(page, parcels, "RSN")  # no colour of its own in the table: its parent's
    assert YAML["RSN"]["colour"] is None and rsn["rendered"] == _rgb(YAML["RSX"]["colour"])
    section = page.locator(f".pm-legend-imported[data-layer={landuse}]")
    present = sorted({c.strip().upper() for c in parcels["ma_dat"]})
    assert section.locator("li").evaluate_all("els => els.map(e => e.dataset.code)") == present
    assert "Đất trồng lúa" in section.locator("li[data-code=LUA]").inner_text()
    assert "không thuộc danh mục" in section.locator("li[data-code=XYZ]").inner_text()
    found = serious(page, map_page.base)
    k, hit = _parcel_point(page, parcels, "LUC")
    page.mouse.click(hit["x"], hit["y"])
    popup = page.locator(".leaflet-popup .pm-popup")
    popup.locator("table").wait_for(timeout=10_000)
    rows = dict(zip(popup.locator("th").all_inner_texts(), popup.locator("td").all_inner_texts(), strict=True))
    assert rows == {"ma_dat": "LUC — Đất chuyên trồng lúa", "so_thua": str(k + 1),
                    "chu_su_dung": f"Nguyễn Văn Ấn {k + 1}"}
    _assert_details_fit(page, "desktop")
    page.wait_for_timeout(500)  # Leaflet fades a popup in: its colours are only final then
    assert found + serious(page, map_page.base) == []
    page = _open(map_page, landuse, (centre.x, centre.y), lang="en")
    _wait_drawn(page, landuse)
    assert "LUA Paddy land" in section.locator("li[data-code=LUA]").inner_text()
    assert "Not a national land-use code" in section.locator("li[data-code=XYZ]").inner_text()
    assert map_page.problems == []


def test_parcel_details_on_a_phone_in_the_bottom_sheet(browser, live_server, layers):
    landuse, parcels = layers["landuse"], layers["parcels"]
    centre = layers["park"].centroid
    watched = new_page(browser, live_server, "phone")
    page = _open(watched, landuse, (centre.x, centre.y))
    _wait_drawn(page, landuse)
    k, hit = _parcel_point(page, parcels, "ONT")
    page.mouse.click(hit["x"], hit["y"])
    page.locator("#pm-sheet .pm-popup table").wait_for(timeout=10_000)
    assert "ONT — Đất ở tại nông thôn" in page.locator("#pm-sheet").inner_text()
    assert f"Nguyễn Văn Ấn {k + 1}" in page.locator("#pm-sheet").inner_text()
    _assert_details_fit(page, "phone")
    assert watched.problems == []
    page.context.close()


def test_other_imported_layers_take_one_neutral_style_and_start_off(map_page, layers):
    points = layers["points"]
    page = map_page.open()
    label = page.locator(".leaflet-control-layers-overlays label", has_text="Trạm bơm thủy lợi")
    assert not label.locator("input").is_checked()  # off until chosen
    assert page.locator(".leaflet-pm-imported-pane path, .leaflet-pm-imported-pane circle").count() == 0
    page.locator(".leaflet-control-layers").hover()
    label.locator("input").check()
    centre = layers["park"].centroid
    page.evaluate("([lat, lon]) => planmap.map.setView([lat, lon], 14, {animate: false})", [centre.y, centre.x])
    _wait_drawn(page, points)
    fills = page.locator(".leaflet-pm-imported-pane circle").evaluate_all("els => els.map(e => e.getAttribute('fill'))")
    assert len(fills) == 8 and set(fills) == {SYMBOLOGY["imported"]["point"]["fill"]}
    assert points in page.url.split("layers=")[1].split("&")[0].split(",")
    assert map_page.problems == []


def _vi_hectares(value: float) -> str:
    """Hectares as Vietnamese writes them with two decimals: 1.234,57."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def test_park_popup_shows_the_land_use_inside_it_as_the_api_counts_it(map_page, layers, live_server):
    landuse = layers["landuse"]
    page = map_page.open()
    search(page, "Thạnh Lộc", "KCN Thạnh Lộc")
    table = page.locator(f".pm-popup .pm-landuse[data-landuse={landuse}] table")
    table.wait_for(timeout=20_000)
    api = httpx.get(f"{live_server}/api/stats/landuse/{landuse}/overlay", params={"feature": PARK}).json()
    assert api and {r["feature_id"] for r in api} == {PARK}
    shown = {r.get_attribute("data-code"): r.locator("td.pm-num").inner_text()
             for r in table.locator("tbody tr").all()}
    assert shown == {r["code"]: _vi_hectares(r["hectares"]) for r in api}
    assert table.locator("tfoot td").inner_text() == _vi_hectares(sum(r["hectares"] for r in api))
    assert "Đất trồng lúa" in table.locator("tbody tr[data-code=LUA]").inner_text()
    page.wait_for_timeout(500)
    assert serious(page, map_page.base) == []
    task = page.locator(".pm-popup [data-open-task]").first  # still wired after the popup was fitted again
    task_id = task.get_attribute("data-open-task")
    task.click()
    page.locator("#pm-task-card h2", has_text=task_id).wait_for(timeout=10_000)
    assert map_page.problems == []


def test_search_finds_the_layer_and_a_land_use_code(map_page, layers, live_server):
    landuse = layers["landuse"]
    hits = httpx.get(f"{live_server}/api/search", params={"q": "hien trang su dung dat chau thanh"}).json()
    assert [h["id"] for h in hits if h["type"] == "layer"] == [landuse]
    codes = [h for h in httpx.get(f"{live_server}/api/search", params={"q": "lua"}).json()
             if h["type"] == "landuse_code"]
    assert codes[0]["code"] == "LUA" and {h["code"] for h in codes} == {"LUA", "LUC", "LUK"}
    assert {h["layer"] for h in codes} == {landuse}
    english = httpx.get(f"{live_server}/api/search", params={"q": "Urban residential"}).json()
    assert [h["code"] for h in english if h["type"] == "landuse_code"] == ["ODT"]
    page = map_page.open()
    assert not page.evaluate("(id) => planmap.map.hasLayer(planmap.imported[id].layer)", landuse)
    search(page, "lúa", "LUA")
    page.locator(f".pm-legend-imported[data-layer={landuse}] li.pm-focus[data-code=LUA]").wait_for(timeout=10_000)
    assert page.evaluate("(id) => planmap.map.hasLayer(planmap.imported[id].layer)", landuse)
    assert map_page.problems == []


def test_a_tile_at_the_feature_cap_says_so_in_its_header_and_on_the_page(map_page, layers, monkeypatch):
    """The map's own tile requests: a tile whose parcels exceed the cap holds exactly the cap and its header counts
    the rest; a tile under the cap holds every parcel; and the legend says the layer is simplified here."""
    cap = 100  # a zoom-14 tile of this grid holds about 130 parcels
    monkeypatch.setattr("layers.store.tiles.FEATURE_CAP", cap)
    landuse, parcels = layers["landuse"], layers["parcels"]
    headers = {}
    map_page.page.on("response", lambda r: headers.__setitem__(
        "/".join(r.url.split("/")[-3:]), r.headers.get("x-tile-features-dropped"))
        if f"/collections/{landuse}/tiles/" in r.url else None)
    centre = layers["park"].centroid
    page = _open(map_page, landuse, (centre.x, centre.y))
    drawn = _wait_drawn(page, landuse)
    true = _expected_per_tile(parcels, drawn)
    for key, n in drawn.items():
        z, x, y = key.split("/")
        dropped = headers[f"{z}/{y}/{x}"]
        if true[key] > cap:
            assert n == cap and dropped == str(true[key] - cap), key
        else:
            assert n == true[key] and dropped is None, key
    assert any(n > cap for n in true.values()) and any(n <= cap for n in true.values())
    notice = page.locator(f".pm-legend-imported[data-layer={landuse}] .pm-notice[data-notice=simplified]")
    assert notice.is_visible() and "giản lược" in notice.inner_text()
    page.evaluate("() => planmap.map.setZoom(16, {animate: false})")  # zoomed in: complete tiles, no notice
    _wait_drawn(page, landuse)
    page.wait_for_function("(id) => Object.keys(planmap.imported[id].tiles).every((k) => k.startsWith('16/'))",
                           arg=landuse, timeout=20_000)
    assert notice.count() == 0
    assert map_page.problems == []


def test_a_large_layer_is_drawn_from_its_min_zoom_and_the_legend_says_so(map_page, layers, engine, tmp_path):
    """A layer past the service's size threshold asks for no tile below the zoom its TileJSON gives; the legend
    says to zoom in to it, and at that zoom the tiles are drawn."""
    from layers.store.imported import TILE_ZOOM_ROWS

    side = math.isqrt(TILE_ZOOM_ROWS) + 1
    c = layers["park"].centroid
    grid = [Point(c.x - 1 + 2 * i / side, c.y - 1 + 2 * j / side) for i in range(side) for j in range(side)]
    path = tmp_path / "gieng.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"so": range(len(grid))}, geometry=grid, crs=4326), path, driver="GPKG")
    large = f"gieng_{uuid.uuid4().hex[:6]}"
    import_file(engine, path, ImportOptions(layer=large, title="Giếng khoan"))
    min_zoom = httpx.get(f"{map_page.base}/ogc/collections/{large}/tiles/WebMercatorQuad/tilejson.json").json()["minzoom"]
    assert min_zoom > 11
    asked = []
    map_page.page.on("request", lambda r: asked.append(r.url) if f"/collections/{large}/tiles/" in r.url else None)
    page = _open(map_page, large, (c.x, c.y))
    page.evaluate("(z) => planmap.map.setZoom(z, {animate: false})", min_zoom - 1)
    notice = page.locator(f".pm-legend-imported[data-layer={large}] .pm-notice[data-notice=zoom]")
    notice.wait_for(timeout=10_000)
    assert f"mức {min_zoom}" in notice.inner_text()
    page.wait_for_timeout(500)
    assert [u for u in asked if f"/tiles/WebMercatorQuad/{min_zoom - 1}/" in u] == []
    page.evaluate("(z) => planmap.map.setZoom(z, {animate: false})", min_zoom)
    drawn = _wait_drawn(page, large)
    assert all(k.startswith(f"{min_zoom}/") for k in drawn) and sum(drawn.values()) > 0
    assert notice.count() == 0
    assert map_page.problems == []
