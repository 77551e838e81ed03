"""The planners' web map in a real browser (Debian's Chromium via Playwright) against the real server.

What a planner does: open the map offline, toggle layers, click a cluster, pick a district, search without
diacritics, switch to English, share the view, switch to the 2025 boundaries, read the statistics. A screenshot of
the map goes to test-artifacts/map.png.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import httpx
import pytest

from geo.crs import to_crs
from layers.settings import REPO_ROOT
from tests.map_pages import new_page, overlap, search
from web.map import OVERLAYS

pytestmark = pytest.mark.browser
ARTIFACTS = REPO_ROOT / "test-artifacts"
LAYERS = ("industrial_parks", "industrial_clusters", "economic_zones", "growth_poles", "dynamic_regions",
          "infrastructure_projects")


def _open_layers(page) -> None:
    """Hover the layer control, as a mouse user does, until it has opened."""
    page.locator(".leaflet-control-layers").hover()
    page.locator(".leaflet-control-layers-expanded").wait_for(timeout=5_000)


def _feature_named(page, name: str) -> str:
    return page.evaluate("(name) => Object.entries(planmap.features).find(([id, f]) => f.props.name.includes(name))[0]",
                         name)


def _click_feature(page, feature_id: str) -> None:
    """A real mouse click on the feature's marker (after centring the map on it)."""
    page.evaluate("(id) => planmap.map.setView(planmap.features[id].latlng, 12, {animate: false})", feature_id)
    page.wait_for_timeout(200)
    x, y = page.evaluate("""(id) => { const f = planmap.features[id];
        const p = planmap.map.latLngToContainerPoint(f.latlng);
        const r = planmap.map.getContainer().getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }""", feature_id)
    page.mouse.click(x, y)


def test_map_loads_offline_with_every_layer_from_one_script_and_one_stylesheet(map_page, backend):
    requests = []
    map_page.page.on("request", lambda r: requests.append((r.resource_type, r.url)))
    page = map_page.open()
    expected = {layer: httpx.get(f"{map_page.base}/ogc/collections/{layer}/items",
                                 params={"limit": 1}).json()["numberMatched"] for layer in LAYERS}
    assert page.evaluate("planmap.loaded") == expected  # every feature once: a footprint is not drawn twice
    assert page.evaluate("Object.keys(planmap.districts).length") == 15
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Bản đồ quy hoạch công nghiệp tỉnh Kiên Giang" in page.locator("h1").inner_text()
    # one script and one stylesheet draw the map; proj4 (the VN-2000 readout) comes after the layers
    urls = [url for _, url in requests]
    first_view = [kind for kind, url in requests if kind in ("script", "stylesheet") and "/vendor/proj4/" not in url]
    assert first_view.count("script") == 1 and first_view.count("stylesheet") == 1, requests
    proj4 = next(i for i, url in enumerate(urls) if "/vendor/proj4/" in url)
    assert proj4 > next(i for i, url in enumerate(urls) if "/api/map/layers" in url)
    data = [url for kind, url in requests if "/api/map/" in url and kind in ("fetch", "xhr")]
    assert all("v=" in url for url in data if "/basemap/" not in url), data
    assert page.locator("#pm-loading").is_hidden()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / ("map.png" if backend == "spatialite" else f"map-{backend}.png")))
    assert map_page.problems == []


def test_loading_indicator_shows_until_the_layers_are_drawn(map_page):
    page = map_page.page
    held = []
    page.route("**/api/map/layers*", lambda route: held.append(route))
    page.goto(map_page.base + "/")
    page.wait_for_function("() => window.planmap && planmap.config")
    indicator = page.locator("#pm-loading")
    assert indicator.is_visible() and "Đang tải" in indicator.inner_text()
    while not held:
        page.wait_for_timeout(50)
    held[0].continue_()
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert indicator.is_hidden()


def test_page_names_no_other_host(live_server):
    html = httpx.get(live_server + "/").text
    hosts = {urlparse(u).netloc for u in re.findall(r"https?://[^\s\"'<>)]+", html)}
    assert hosts <= {urlparse(live_server).netloc}, hosts
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("/static/bundle/map.js" in a for a in assets)
    for asset in assets:
        assert asset.startswith("/") or asset.startswith("?") or asset.startswith("#"), asset
        if asset.startswith(("/static/", "/api/map/")):
            assert httpx.get(live_server + asset.replace("&amp;", "&")).status_code == 200, asset


def test_each_layer_toggles(map_page):
    page = map_page.open()
    _open_layers(page)

    def drawn() -> int:
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


def test_click_cai_tu_shows_area_both_boundaries_and_tasks(map_page):
    page = map_page.open()
    _click_feature(page, "ccn-cai-tu")
    popup = page.locator(".leaflet-popup-content .pm-popup")
    popup.wait_for(timeout=10_000)
    text = popup.inner_text()
    assert "Cụm công nghiệp Cái Tư" in text and "70 ha" in text
    # issue 13: both the former district and the 2025 units, as candidates (its location is not known)
    assert "huyện Gò Quao cũ; nay thuộc một trong: xã Định Hòa" in text
    assert "Kế hoạch 2024, mục III.3.c" in text  # the source for people, not "000 §III.3.c"
    tasks = popup.locator(".pm-task")
    assert tasks.count() == page.evaluate("planmap.features['ccn-cai-tu'].props.tasks_total") > 0
    assert popup.locator(".pm-task [role=progressbar][aria-label]").count() == tasks.count()
    overdue = page.evaluate("planmap.features['ccn-cai-tu'].props.tasks_overdue")
    assert popup.locator(".pm-task.pm-overdue").count() == overdue
    if overdue:  # overdue first, in the red of the symbology
        assert "pm-overdue" in tasks.first.get_attribute("class")
        label = popup.locator(".pm-overdue-label").first
        assert label.evaluate("e => getComputedStyle(e).color") == "rgb(178, 24, 43)"
    assert map_page.problems == []


def test_district_selector_zooms_to_phu_quoc(map_page, live_server):
    page = map_page.open()
    page.click(".pm-tabs [data-tab=place]")
    page.select_option("#pm-district-select", label="Thành phố Phú Quốc")
    page.locator("#pm-place-body h2", has_text="Phú Quốc").wait_for(timeout=10_000)
    # the island fills the view (not the far Thổ Châu islets of the same district)
    west, south, east, north = map(float, page.evaluate("planmap.map.getBounds().toBBoxString()").split(","))
    assert west < 103.85 and east > 104.1 and south < 10.0 and north > 10.45 and east - west < 1.5
    assert page.evaluate("planmap.districts[911].layer.options.weight") == 4  # highlighted
    body = page.locator("#pm-place-body")
    assert "trước ngày 01/7/2025" in body.inner_text() and "Nay thuộc" in body.inner_text()
    href = body.locator("a.pm-button", has_text="In bản đồ huyện").get_attribute("href")
    assert href == "/print/district/911.pdf?lang=vi"
    assert page.locator("#pm-print").get_attribute("href") == "/print/district/911.pdf?lang=vi"
    assert httpx.head(live_server + href, timeout=60).status_code in (200, 405)
    assert "district=911" in page.url
    assert map_page.problems == []


@pytest.mark.parametrize("query", ["cai tu", "Cái Tư", "tư cái"])
def test_search_finds_cai_tu_with_or_without_diacritics_in_any_order(map_page, query):
    page = map_page.open()
    search(page, query, "Cái Tư")
    page.locator(".pm-popup", has_text="70 ha").wait_for(timeout=10_000)
    assert map_page.problems == []


def test_english_switch_changes_labels(map_page):
    page = map_page.open()
    page.click("#pm-lang")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert "lang=en" in page.url and page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Kiên Giang industrial planning map"
    assert "Former districts (before 1 July 2025)" in page.locator(".pm-bounds").text_content()
    assert page.locator(".pm-tabs").inner_text().split() == ["Search", "Tasks", "Place", "Statistics"]
    assert page.locator("#pm-lang").inner_text() == "Tiếng Việt"
    assert page.locator("#pm-print").get_attribute("href").endswith("lang=en")  # prints what is on screen
    assert map_page.problems == []


def test_cursor_coordinates_in_wgs84_and_vn2000(map_page):
    page = map_page.open()
    page.wait_for_function("() => planmap.vn2000Ready === true")
    x, y = page.evaluate("planmap.vn2000(105.08, 10.01)")
    ex, ey = to_crs(9207).transform(105.08, 10.01)
    assert abs(x - ex) < 0.01 and abs(y - ey) < 0.01  # proj4js with EPSG:6960 == pyproj, to the cm
    box = page.locator(".folium-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 3, box["y"] + box["height"] / 2)
    text = page.locator("#pm-coords").inner_text()
    lat, lon, x, y = map(float, re.search(
        r"WGS84: ([\d.]+)° N, ([\d.]+)° E VN-2000 \(EPSG:9207\): x ([\d.]+), y ([\d.]+)", text).groups())
    ex, ey = to_crs(9207).transform(lon, lat)
    assert abs(x - ex) < 1 and abs(y - ey) < 1  # the display rounds lon/lat to 5 decimals


def test_scale_bar_speaks_kilometres_at_every_zoom(map_page):
    page = map_page.open()
    for zoom in (7, 10, 14, 17):
        page.evaluate("(z) => planmap.map.setZoom(z, {animate: false})", zoom)
        page.wait_for_timeout(100)
        assert re.fullmatch(r"[\d.,]+ km", page.locator(".leaflet-control-scale-line").inner_text()), zoom


def test_shared_url_restores_view_layers_boundaries_and_district(map_page, browser):
    page = map_page.open()
    page.click(".pm-tabs [data-tab=place]")
    page.select_option("#pm-district-select", label="Huyện Gò Quao")
    page.locator("#pm-place-body h2", has_text="Gò Quao").wait_for(timeout=10_000)
    _open_layers(page)
    page.locator(".leaflet-control-layers-overlays label", has_text="Hạ tầng").locator("input").uncheck()
    shared = page.url
    other = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    other.goto(shared)
    other.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert other.evaluate("planmap.map.getZoom()") == page.evaluate("planmap.map.getZoom()")
    assert not other.evaluate("planmap.map.hasLayer(planmap.groups.overlays.infrastructure_projects)")
    assert other.evaluate("planmap.map.hasLayer(planmap.groups.overlays.industrial_clusters)")
    other.locator("#pm-place-body h2", has_text="Gò Quao").wait_for(timeout=10_000)
    other.context.close()


def test_shared_url_reopens_the_popup(map_page, browser):
    page = map_page.open()
    _click_feature(page, _feature_named(page, "Thạnh Lộc"))
    page.locator(".leaflet-popup-content .pm-popup").wait_for(timeout=10_000)
    assert "feature=" in page.url
    other = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    other.goto(page.url)
    other.locator(".leaflet-popup-content .pm-popup", has_text="Thạnh Lộc").wait_for(timeout=30_000)
    other.context.close()


def test_boundary_switch_draws_the_2025_units_and_search_finds_old_and_new_names(map_page, live_server):
    page = map_page.open()
    page.get_by_label("Xã, phường, đặc khu (từ 01/7/2025)").check()
    page.wait_for_function("() => planmap.state.bounds === 'communes_2025' && !!planmap.communes")
    units = httpx.get(live_server + "/ogc/collections/communes_2025/items", params={"limit": 1}).json()
    assert page.evaluate("Object.keys(planmap.communes).length") == units["numberMatched"]
    assert not page.evaluate("planmap.map.hasLayer(planmap.groups.boundaries.districts)")
    assert "bounds=communes_2025" in page.url
    search(page, "Vĩnh Hòa Hưng Bắc", "Vĩnh Hòa Hưng Bắc")  # an old name shows what it became
    body = page.locator("#pm-place-body")
    body.locator("h2", has_text="Xã Vĩnh Hòa Hưng").wait_for(timeout=10_000)
    assert "Vĩnh Hòa Hưng Bắc" in body.inner_text()  # formed from it
    page.wait_for_function("() => planmap.labels.shown().some((l) => l.kind === 'communes_2025')")
    page.get_by_label("Huyện cũ (trước 01/7/2025)").check()
    page.wait_for_function("() => planmap.state.bounds === 'districts'")
    assert map_page.problems == []


def test_labels_appear_where_they_fit_and_never_overlap(map_page):
    page = map_page.open()
    shown = page.evaluate("planmap.labels.shown()")
    assert {"districts", "growth_poles"} <= {label["kind"] for label in shown}
    for i, a in enumerate(shown):
        for b in shown[i + 1:]:
            assert not overlap(_box(a["box"]), _box(b["box"])), (a["text"], b["text"])
    page.evaluate("planmap.map.setView(planmap.features['kcn-thanh-loc'].latlng, 11, {animate: false})")
    page.wait_for_timeout(200)
    assert "KCN Thạnh Lộc" in [label["text"] for label in page.evaluate("planmap.labels.shown()")]


def _box(b: dict) -> dict:
    return {"x": b["left"], "y": b["top"], "width": b["width"], "height": b["height"]}


def test_statistics_say_planned_and_mapped_and_name_the_agencies(map_page):
    page = map_page.open()
    page.click(".pm-tabs [data-tab=stats]")
    page.locator("#pm-stats-body svg.pm-chart").first.wait_for(timeout=10_000)
    text = page.locator("#pm-stats-body").inner_text()
    assert "Quy hoạch (ha, theo kế hoạch)" in text and "Vẽ trên bản đồ (ha, EPSG:9207)" in text
    assert "Sở Công Thương" in page.locator("#pm-stats-body svg.pm-chart").nth(1).text_content()
    assert all(page.locator("#pm-stats-body svg.pm-chart").evaluate_all("cs => cs.map((c) => c.getAttribute('aria-label'))"))
    assert map_page.problems == []


def test_offline_basemap_choice_says_so(map_page):
    page = map_page.open()
    _open_layers(page)
    page.locator(".leaflet-control-layers-base label", has_text="trực tuyến").locator("input").check()
    page.locator("#pm-toast", has_text="ngoại tuyến").wait_for(timeout=10_000)
    page.wait_for_function("() => planmap.map.hasLayer(planmap.groups.bases.offline)")


def test_readable_on_a_phone(browser, live_server):
    watched = new_page(browser, live_server, "phone")
    page = watched.open()
    # the sheet starts closed (below the map); waited for, as a loaded machine may catch it mid-transition
    page.wait_for_function("document.querySelector('#pm-panel').getBoundingClientRect().top >= 844 - 1",
                           timeout=5000)
    box = page.locator(".folium-map").bounding_box()
    assert box["width"] == 390 and box["height"] > 700
    page.click("#pm-panel-toggle")
    page.wait_for_timeout(400)
    assert page.locator("#pm-search").is_visible()
    assert watched.problems == []
    page.context.close()
