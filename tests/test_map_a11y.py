"""Everyone can use it: axe-core (vendored from npm by web/vendor.py, run offline in Chromium) finds no serious or
critical violation on the map, the reporting pages and the dashboard; the keyboard reaches search and the layer
list first and never stops on the map's unnamed shapes; progress states differ by pattern, not only by hue."""

from __future__ import annotations

import re

import pytest

from tests.map_pages import new_page
from tests.progress_helpers import SCT, ensure_user
from tests.test_reporting_browser import log_in
from web.symbology import SYMBOLOGY

pytestmark = pytest.mark.browser
AXE = "/static/vendor/axe-core/axe.min.js"


def serious(page, base: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now: "rule: target" each."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(url=base + AXE)  # a file of this site: the Content-Security-Policy allows it
    found = page.evaluate("""() => axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .flatMap((v) => v.nodes.map((n) => v.id + ': ' + n.target.join(' '))))""")
    return sorted(set(found))


def test_map_has_no_serious_violation(browser, live_server, screen):
    watched = new_page(browser, live_server, screen)
    page = watched.open()
    found = serious(page, live_server)
    if screen == "phone":
        page.click("#pm-panel-toggle")
    for tab in ("tasks", "place", "stats"):
        page.click(f".pm-tabs [data-tab={tab}]")
        page.wait_for_timeout(400)
        if tab == "tasks":
            page.locator("#pm-tasks-list .pm-task").first.wait_for()
        found += serious(page, live_server)
    page.evaluate("planmap.openTask('2022-II.4.a')")
    page.locator("#pm-task-card h2").wait_for()
    found += serious(page, live_server)
    page.evaluate("planmap.zoomToFeature('ccn-cai-tu')")
    page.locator(".pm-popup .pm-task").first.wait_for()
    page.wait_for_timeout(500)  # Leaflet fades a popup in: its colours are only final then
    found += serious(page, live_server)
    assert sorted(set(found)) == [], '\n'.join(sorted(set(found)))
    page.context.close()


def test_reporting_pages_and_dashboard_have_no_serious_violation(browser, live_server, engine):
    ensure_user(engine, "a11y-reporter", "agency_reporter", SCT)
    ensure_user(engine, "a11y-coordinator", "coordinator")
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.goto(live_server + "/login")
    found = serious(page, live_server)
    log_in(page, live_server, "a11y-reporter")
    page.wait_for_url(re.compile(rf"/report/agency/{SCT}$"))
    page.locator("path.rp-f").first.wait_for()
    found += serious(page, live_server)
    page.locator(".rp-pick").first.click()
    found += serious(page, live_server)
    page.context.clear_cookies()
    log_in(page, live_server, "a11y-coordinator")
    page.wait_for_url(re.compile(r"/report/dashboard$"))
    found += serious(page, live_server)
    assert sorted(set(found)) == [], '\n'.join(sorted(set(found)))
    page.context.close()


def test_keyboard_skips_to_search_and_layers_and_never_stops_on_a_shape(browser, live_server):
    watched = new_page(browser, live_server)
    page = watched.open()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.skip") == "search"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "pm-search"
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    page.locator("[data-skip=layers]").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.closest('.leaflet-control-layers') !== null")
    stops = []
    page.locator("body").focus()
    for _ in range(120):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("""() => { const e = document.activeElement;
            return e.tagName + (e.closest('svg') ? ':svg' : '') + (e.classList.contains('leaflet-interactive') ? ':shape' : ''); }"""))
    assert not [s for s in stops if ":svg" in s or ":shape" in s]
    assert page.evaluate("document.querySelectorAll('.leaflet-map-pane [tabindex]').length") == 0
    page.context.close()


def test_progress_states_differ_by_pattern_not_only_hue(browser, live_server):
    """Under deuteranopia overdue red and done green are 1.36:1 apart in luminance: the map fills them with
    different patterns (web/symbology.json), and the legend shows the same."""
    patterns = {s: p["pattern"] for s, p in SYMBOLOGY["state_patterns"].items() if not s.startswith("_")}
    assert patterns["overdue"] != patterns["done"] and patterns["in_progress"] != patterns["overdue"]
    watched = new_page(browser, live_server)
    page = watched.open()
    fills = page.evaluate("""() => Object.values(planmap.features).filter((f) => !f.shape.getBounds &&
        ['overdue', 'done', 'in_progress'].includes(f.props.progress_state) && f.layer !== 'infrastructure_projects')
        .map((f) => [f.props.progress_state, f.shape.getElement().getAttribute('fill')])""")
    assert fills
    for state, fill in fills:
        expected = "url(#pm-pat-" + state + ")" if patterns[state] != "solid" else SYMBOLOGY["state_colours"][state]
        assert fill == expected, state
    swatches = page.locator("#pm-legend-body li").evaluate_all(
        "ls => ls.slice(0, 2).map((l) => l.querySelector('circle').getAttribute('fill'))")
    assert swatches == ["url(#pm-pat-overdue)", "url(#pm-pat-in_progress)"]
    page.context.close()
