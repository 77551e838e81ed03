"""The planners' web map in a real browser (Debian's Chromium via Playwright) against the real server.

What a planner does: open the map offline, toggle layers, click a cluster, pick a district, search without
diacritics, switch to English, share the view. A screenshot of the full map goes to test-artifacts/map.png.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import httpx
import pytest

from geo.crs import to_crs
from layers.settings import REPO_ROOT
from tests.browser import ARGS, CHROMIUM
from web.map import OVERLAYS

pytestmark = pytest.mark.browser
ARTIFACTS = REPO_ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is not installed (/usr/bin/chromium): run make test, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Watched:
    """A page plus every console error, page error, failed request and request to another host."""

    def __init__(self, page, base: str):
        self.page, self.base, self.problems = page, base, []
        origin = urlparse(base).netloc
        page.on(
            "console", lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None
        )
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
        page.on(
            "response",
            lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
        )
        page.on(
            "request",
            lambda r: (
                self.problems.append(f"other host: {r.url}")
                if r.url.startswith("http") and urlparse(r.url).netloc != origin
                else None
            ),
        )

    def open(self, path: str = "/"):
        self.page.goto(self.base + path)
        self.page.wait_for_selector("body[data-ready=true]", timeout=30_000)
        return self.page


@pytest.fixture
def map_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 820}, locale="vi-VN")
    watched = Watched(context.new_page(), live_server)
    yield watched
    context.close()


def _open_layers(page) -> None:
    """Hover the layer control, as a mouse user does, until it has opened."""
    page.locator(".leaflet-control-layers").hover()
    page.locator(".leaflet-control-layers-expanded").wait_for(timeout=5_000)


def _feature_named(page, name: str) -> str:
    return page.evaluate(
        """(name) => Object.entries(planmap.features)
        .find(([id, f]) => f.props.name.includes(name))[0]""",
        name,
    )


def _click_feature(page, feature_id: str) -> None:
    """A real mouse click on the feature's marker (after centring the map on it)."""
    page.evaluate(
        "(id) => planmap.map.setView(planmap.features[id].latlng, 12, {animate: false})",
        feature_id,
    )
    page.wait_for_timeout(200)
    x, y = page.evaluate(
        """(id) => { const f = planmap.features[id];
        const p = planmap.map.latLngToContainerPoint(f.latlng);
        const r = planmap.map.getContainer().getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }""",
        feature_id,
    )
    page.mouse.click(x, y)


def test_map_loads_offline_with_every_layer_and_no_errors(map_page, backend):
    page = map_page.open()
    loaded = page.evaluate("planmap.loaded")
    layers = {"industrial_parks": "industrial_parks", "industrial_clusters": "industrial_clusters",
              "economic_zones": "economic_zones", "growth_poles": "growth_poles",
              "dynamic_regions": "dynamic_regions", "infrastructure_projects": "infrastructure_projects"}
    expected = {layer: httpx.get(f"{map_page.base}/ogc/collections/{cid}/items",
                                 params={"limit": 1}).json()["numberMatched"] for layer, cid in layers.items()}
    assert loaded == expected  # every feature once: a footprint or route is not drawn twice
    assert page.evaluate("Object.keys(planmap.districts).length") == 15
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Bản đồ quy hoạch công nghiệp tỉnh Kiên Giang" in page.locator("h1").inner_text()
    assert "trước ngày 01/7/2025" in page.locator("#pm-header").inner_text()
    online = httpx.get(map_page.base + "/api/map/basemap/status").json()["online"]
    assert page.evaluate("planmap.map.hasLayer(planmap.groups.bases.online)") == online
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / ("map.png" if backend == "spatialite" else f"map-{backend}.png")))
    assert map_page.problems == []


def test_page_names_no_other_host(live_server):
    html = httpx.get(live_server + "/").text
    hosts = {urlparse(u).netloc for u in re.findall(r"https?://[^\s\"'<>)]+", html)}
    assert hosts <= {urlparse(live_server).netloc}, hosts
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("/static/vendor/leaflet/leaflet.js" in a for a in assets)
    for asset in assets:
        assert asset.startswith("/") or asset.startswith("?"), asset
        if asset.startswith("/static/"):
            assert httpx.get(live_server + asset).status_code == 200, asset


def test_each_layer_toggles(map_page):
    page = map_page.open()
    _open_layers(page)

    def drawn() -> int:  # shapes on the map
        return page.evaluate("document.querySelectorAll('.leaflet-map-pane path').length")

    everything = drawn()
    for layer in OVERLAYS:
        label = page.evaluate("(k) => planmap.config.i18n['layer.' + k]", layer)
        checkbox = page.locator(".leaflet-control-layers-overlays label", has_text=label).locator("input")
        assert checkbox.is_checked()
        checkbox.uncheck()
        assert not page.evaluate("(k) => planmap.map.hasLayer(planmap.groups.overlays[k])", layer)
        assert drawn() < everything, layer
        assert layer not in page.url.split("layers=")[1].split("&")[0].split(",")  # the shared URL follows
        checkbox.check()
        assert drawn() == everything, layer
    assert map_page.problems == []


def test_click_cai_tu_shows_area_district_and_tasks(map_page):
    page = map_page.open()
    _click_feature(page, _feature_named(page, "Cái Tư"))
    popup = page.locator(".leaflet-popup-content .pm-popup")
    popup.wait_for(timeout=10_000)
    text = popup.inner_text()
    assert "Cái Tư" in text
    assert "70 ha" in text
    assert "Gò Quao" in text
    tasks = popup.locator(".pm-task")
    assert tasks.count() >= 1
    assert popup.locator(".pm-task .pm-bar").count() == tasks.count()
    assert "Chủ trì" in tasks.first.inner_text() and "Thời hạn" in tasks.first.inner_text()
    # overdue tasks (deadline passed, not done) come first, marked in red
    overdue = page.evaluate(
        "(id) => planmap.features[id].props.tasks_overdue", _feature_named(page, "Cái Tư")
    )
    assert popup.locator(".pm-task.pm-overdue").count() == overdue
    if overdue:
        assert "pm-overdue" in tasks.first.get_attribute("class")
        label = popup.locator(".pm-overdue-label").first
        assert label.evaluate("e => getComputedStyle(e).color") == "rgb(215, 25, 28)"
    assert map_page.problems == []


def test_district_selector_zooms_to_phu_quoc(map_page, live_server):
    page = map_page.open()
    zoom_before = page.evaluate("planmap.map.getZoom()")
    page.click(".pm-tabs button[data-tab=district]")
    page.select_option("#pm-district-select", label="Thành phố Phú Quốc")
    page.locator("#pm-district-body h2", has_text="Phú Quốc").wait_for(timeout=10_000)
    page.wait_for_timeout(400)
    # the island fills the view (not the far Thổ Chu islets of the same district)
    west, south, east, north = page.evaluate("planmap.map.getBounds().toBBoxString()").split(",")
    assert float(west) < 103.85 and float(east) > 104.1 and float(south) < 10.0 and float(north) > 10.45
    assert float(east) - float(west) < 1.5
    assert page.evaluate("planmap.map.getZoom()") > zoom_before
    assert page.evaluate("planmap.districts[911].layer.options.weight") == 4  # highlighted
    body = page.locator("#pm-district-body")
    assert "trước ngày 01/7/2025" in body.inner_text()
    assert "ha" in body.inner_text()
    button = body.locator(".pm-button", has_text="In bản đồ huyện")
    assert button.count() == 1
    href = button.get_attribute("href")
    if href:  # printing is served by this app: the link answers
        assert href == "/print/district/911.pdf"
        assert httpx.head(live_server + href, timeout=60).status_code in (200, 405)
    assert "district=911" in page.url
    assert map_page.problems == []


@pytest.mark.parametrize("query", ["cai tu", "Cái Tư"])
def test_search_finds_cai_tu_with_or_without_diacritics(map_page, query):
    page = map_page.open()
    page.fill("#pm-search", query)
    hit = page.locator("#pm-search-results button", has_text="Cái Tư").first
    hit.wait_for(timeout=10_000)
    hit.click()
    page.locator(".leaflet-popup-content .pm-popup", has_text="70 ha").wait_for(timeout=10_000)
    assert map_page.problems == []


def test_english_switch_changes_labels(map_page):
    page = map_page.open()
    page.click("#pm-lang")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert "lang=en" in page.url
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Kiên Giang industrial planning map"
    assert "Former districts (before 1 July 2025)" in page.locator(".leaflet-control-layers").text_content()
    assert page.locator(".pm-tabs").inner_text().split() == ["Search", "District", "Statistics"]
    assert page.locator("#pm-lang").inner_text() == "Tiếng Việt"
    assert map_page.problems == []


def test_cursor_coordinates_in_wgs84_and_vn2000(map_page):
    page = map_page.open()
    x, y = page.evaluate("planmap.vn2000(105.08, 10.01)")
    ex, ey = to_crs(9207).transform(105.08, 10.01)
    assert abs(x - ex) < 0.01 and abs(y - ey) < 0.01  # proj4js with EPSG:6960 == pyproj, to the cm
    assert (round(x, 2), round(y, 2)) == (563387.60, 1107017.53)
    box = page.locator(".folium-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    text = page.locator("#pm-coords").inner_text()
    lat, lon, x, y = map(
        float,
        re.search(
            r"WGS84: ([\d.]+)° N, ([\d.]+)° E VN-2000 \(EPSG:9207\): x ([\d.]+), y ([\d.]+)", text
        ).groups(),
    )
    ex, ey = to_crs(9207).transform(lon, lat)
    assert abs(x - ex) < 1 and abs(y - ey) < 1  # the display rounds lon/lat to 5 decimals


def test_shared_url_restores_view_layers_and_district(map_page, browser):
    page = map_page.open()
    page.click(".pm-tabs button[data-tab=district]")
    page.select_option("#pm-district-select", label="Huyện Gò Quao")
    page.locator("#pm-district-body h2", has_text="Gò Quao").wait_for(timeout=10_000)
    _open_layers(page)
    page.locator(".leaflet-control-layers-overlays label", has_text="Hạ tầng").locator("input").uncheck()
    shared = page.url
    other = browser.new_context(viewport={"width": 1366, "height": 820}).new_page()
    other.goto(shared)
    other.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert other.evaluate("planmap.map.getZoom()") == page.evaluate("planmap.map.getZoom()")
    assert not other.evaluate("planmap.map.hasLayer(planmap.groups.overlays.infrastructure_projects)")
    assert other.evaluate("planmap.map.hasLayer(planmap.groups.overlays.industrial_clusters)")
    other.locator("#pm-district-body h2", has_text="Gò Quao").wait_for(timeout=10_000)
    other.context.close()


def test_shared_url_reopens_the_popup(map_page, browser):
    page = map_page.open()
    _click_feature(page, _feature_named(page, "Thạnh Lộc"))
    page.locator(".leaflet-popup-content .pm-popup").wait_for(timeout=10_000)
    assert "feature=" in page.url
    other = browser.new_context(viewport={"width": 1366, "height": 820}).new_page()
    other.goto(page.url)
    other.locator(".leaflet-popup-content .pm-popup", has_text="Thạnh Lộc").wait_for(timeout=30_000)
    other.context.close()


def test_statistics_panel_draws_charts_and_tables(map_page):
    page = map_page.open()
    page.click(".pm-tabs button[data-tab=stats]")
    page.locator("#pm-stats-body svg.pm-chart").first.wait_for(timeout=10_000)
    text = page.locator("#pm-stats-body").inner_text()
    assert "Diện tích quy hoạch theo lớp (ha)" in text
    assert "Khu công nghiệp" in text and "Cụm công nghiệp" in text
    assert "Tiến độ nhiệm vụ theo cơ quan chủ trì" in text
    assert page.locator("#pm-stats-body svg.pm-chart").count() >= 3
    assert page.locator("#pm-stats-body table.pm-table").count() >= 2
    assert map_page.problems == []


def test_readable_on_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    watched = Watched(context.new_page(), live_server)
    page = watched.open()
    assert page.locator("#pm-panel").evaluate("e => e.getBoundingClientRect().top") >= 844 - 1  # sheet closed
    box = page.locator(".folium-map").bounding_box()
    assert box["width"] == 390 and box["height"] > 700
    page.click("#pm-panel-toggle")
    page.wait_for_timeout(400)
    assert page.locator("#pm-search").is_visible()
    assert watched.problems == []
    context.close()
