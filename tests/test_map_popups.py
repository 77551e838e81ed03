"""Popups that fit, a legend that explains the map and covers nothing, on an office screen (1366×768) and a phone
(390×844), in Chromium against the real server; and /api/docs offline."""

from __future__ import annotations

import httpx
import pytest

from tests.map_pages import inside, search

pytestmark = pytest.mark.browser


def _popup_box(page):
    """Where a feature's details are: the Leaflet popup on a wide screen, the bottom sheet on a phone."""
    if page.locator("#pm-sheet .pm-popup").count():
        return page.locator("#pm-sheet").bounding_box()
    return page.locator(".leaflet-popup").bounding_box()


def _covered_by_controls(page, box: dict) -> list[str]:
    """The map controls (zoom, switch, legend, scale, coordinates, layers) whose box overlaps ``box`` and that
    are drawn above it (what the user sees at the overlap's centre)."""
    return page.evaluate("""(b) => Array.from(document.querySelectorAll('.leaflet-control')).filter((c) => {
        const r = c.getBoundingClientRect();
        const x0 = Math.max(r.left, b.x), x1 = Math.min(r.right, b.x + b.width);
        const y0 = Math.max(r.top, b.y), y1 = Math.min(r.bottom, b.y + b.height);
        if (x1 <= x0 || y1 <= y0) return false;
        const top = document.elementFromPoint((x0 + x1) / 2, (y0 + y1) / 2);
        return top && c.contains(top);
    }).map((c) => c.className)""", box)


def _assert_details_fit(page, screen: str) -> None:
    box = _popup_box(page)
    viewport = page.viewport_size
    assert inside(box, {"x": 0, "y": 0, "width": viewport["width"], "height": viewport["height"]}), box
    header = page.locator("#pm-header").bounding_box()
    assert box["y"] >= header["y"] + header["height"] - 0.5, "under the header"
    assert _covered_by_controls(page, box) == []
    title = page.locator(".pm-popup h2").first
    assert title.is_visible() and inside(title.bounding_box(), box)
    if screen == "phone":
        assert box["width"] == viewport["width"]  # a bottom sheet
    else:
        assert inside(box, page.locator(".folium-map").bounding_box())


def test_popup_from_search_fits_the_screen(screen_page, screen):
    page = screen_page.open()
    search(page, "Thạnh Lộc", "KCN Thạnh Lộc")
    page.locator(".pm-popup .pm-task").first.wait_for(timeout=10_000)
    page.wait_for_timeout(300)
    _assert_details_fit(page, screen)
    assert screen_page.problems == []


def test_popup_from_the_district_panel_fits_the_screen(screen_page, screen):
    page = screen_page.open()
    search(page, "Châu Thành", "Huyện Châu Thành")
    if screen == "phone":
        page.locator("#pm-place-body [data-feature]").first.wait_for(timeout=10_000)
    page.locator("#pm-place-body [data-feature]").first.click()
    page.locator(".pm-popup h2").first.wait_for(timeout=10_000)
    page.wait_for_timeout(300)
    _assert_details_fit(page, screen)
    close = page.locator(".leaflet-popup-close-button, .pm-sheet-close").first
    assert close.get_attribute("aria-label") == "Đóng"
    close.click()
    assert page.locator(".pm-popup").count() == 0 or page.locator("#pm-sheet").is_hidden()


def test_no_control_covers_a_feature_in_the_province_view(screen_page, screen):
    """The legend, switch, zoom buttons, scale and coordinates leave every drawn shape free, the Thổ Châu islets
    (Phú Quốc's far south-west) included."""
    page = screen_page.open()
    hidden = page.evaluate("""() => {
        const shapes = Array.from(document.querySelectorAll('.leaflet-map-pane path.leaflet-interactive'));
        const controls = Array.from(document.querySelectorAll('.leaflet-control')).map((c) => c.getBoundingClientRect());
        const found = [];
        controls.forEach((r) => {
          for (let x = r.left + 2; x < r.right; x += 6) for (let y = r.top + 2; y < r.bottom; y += 6) {
            const under = document.elementsFromPoint(x, y).find((e) => shapes.includes(e));
            if (under) found.push([Math.round(x), Math.round(y)]);
          }
        });
        return found; }""")
    assert page.evaluate("document.querySelectorAll('.leaflet-map-pane path.leaflet-interactive').length") > 50
    assert hidden == []
    islets = page.evaluate("""() => { const b = planmap.districts[911].layer.getBounds();
        const p = planmap.map.latLngToContainerPoint(b.getSouthWest());
        const s = planmap.map.getSize(); return [p.x, p.y, s.x, s.y]; }""")
    assert 0 <= islets[0] <= islets[2] and 0 <= islets[1] <= islets[3]  # the islets are in view


def test_legend_lists_every_infrastructure_kind_and_line_style_and_folds(screen_page, live_server):
    page = screen_page.open()
    toggle = page.locator("#pm-legend-toggle")
    if toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
    legend = page.locator("#pm-legend-body")
    items = httpx.get(live_server + "/ogc/collections/infrastructure_projects/items", params={"limit": 1000}).json()
    words = page.evaluate("planmap.config.i18n")
    for kind in {f["properties"]["kind"] for f in items["features"]}:
        assert words[f"kind.{kind}"] in legend.inner_text(), kind
    for status in {f["properties"]["status"] for f in items["features"]}:
        assert words[f"status.{status}"] in legend.inner_text(), status
    for state in ("overdue", "in_progress", "done", "not_reported", "no_tasks"):
        assert words[f"state.{state}"] in legend.inner_text()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false" and legend.is_hidden()


def test_api_docs_work_offline(screen_page):
    """Swagger UI is served by the service itself: the page draws its operations without any other host."""
    page = screen_page.page
    page.goto(screen_page.base + "/api/docs")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=30_000)
    assert page.locator(".swagger-ui .opblock").count() > 20
    assert [p for p in screen_page.problems if "other host" in p or "failed" in p] == []
