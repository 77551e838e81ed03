"""End to end in Chromium on both backends: a reporter of Sở Công Thương logs in, reports 60 % on a task of
their agency, the feature's colour changes on the map without a page reload, and the coordinator sees the
report in the dashboard and in the audit log."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import playwright.sync_api as playwright_api  # a test dependency: its absence is a failure, not a skip

from tests.browser import ARGS, CHROMIUM
from tests.progress_helpers import PASSWORD, SCT, ensure_user, feature_task
from web.symbology import SYMBOLOGY

ORANGE = SYMBOLOGY["state_colours"]["in_progress"]  # as on the main map


def in_own_thread(scenario, *args):
    """Run ``scenario`` in a thread of its own: another module's session-wide Playwright may hold this one's
    event loop, and the sync API refuses to start inside a running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(scenario, *args).result(timeout=240)


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/report")
    page.wait_for_url(re.compile(r"/login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_reporter_to_map_to_coordinator(live_server, engine):
    in_own_thread(scenario, live_server, engine)


def scenario(live_server: str, engine) -> None:
    ensure_user(engine, "browser-sct", "agency_reporter", SCT)
    ensure_user(engine, "browser-coordinator", "coordinator")
    # growth poles hang on one task of Sở Công Thương without a deadline: one report decides their colour
    feature_id, task_id = feature_task(engine, SCT, layer="growth_poles")
    item_url = f"{live_server}/ogc/collections/growth_poles/items/{feature_id}"
    before = httpx.get(item_url, headers={"Accept": "application/geo+json"}).json()["properties"]

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            walk_through(browser, live_server, feature_id, task_id, item_url, before)
        finally:
            browser.close()


def walk_through(browser, live_server: str, feature_id: str, task_id: str, item_url: str, before: dict) -> None:
    context = browser.new_context()
    page = context.new_page()
    main_map = context.new_page()  # the planners' map, open in another tab meanwhile
    main_map.goto(f"{live_server}/")
    main_map.wait_for_selector("body[data-ready=true]")
    main_map.evaluate("window.__same_page = true")
    log_in(page, live_server, "browser-sct")
    page.wait_for_url(re.compile(rf"/report/agency/{SCT}$"))
    marker = page.locator(f"path.rp-f-{feature_id}")
    marker.wait_for()
    colour_before = marker.get_attribute("fill")
    page.evaluate("window.__same_page = true")  # survives only if the page is not reloaded

    item = page.locator(f'li.rp-task[data-task="{task_id}"]')
    item.locator("select[name=status]").select_option("in_progress")
    item.locator("input[name=percent]").fill("60")
    item.locator("textarea[name=text]").fill("Đã lập quy hoạch chi tiết 60%")
    item.locator("button[type=submit]").click()
    playwright_api.expect(item.locator(".rp-msg")).to_have_text("Đã gửi")
    playwright_api.expect(item.locator(".rp-percent")).to_have_text("60")
    playwright_api.expect(marker).to_have_attribute("fill", ORANGE)
    assert page.evaluate("window.__same_page") is True
    if before["progress_state"] != "in_progress":
        assert colour_before != ORANGE

    # the main map follows without a reload: its feature now carries the reported progress
    main_map.wait_for_function(
        f"window.planmap.features['{feature_id}'] && "
        f"window.planmap.features['{feature_id}'].props.progress_state === 'in_progress' && "
        f"window.planmap.features['{feature_id}'].props.mean_percent === 60", timeout=15000)
    assert main_map.evaluate("window.__same_page") is True
    main_map.close()

    after = httpx.get(item_url, headers={"Accept": "application/geo+json"}).json()["properties"]
    assert after["progress_state"] == "in_progress" and after["mean_percent"] == 60

    page.context.clear_cookies()
    log_in(page, live_server, "browser-coordinator")
    page.wait_for_url(re.compile(r"/report/dashboard$"))
    row = page.locator(f'.rp-recent tr[data-task="{task_id}"]').first
    playwright_api.expect(row).to_contain_text("60")
    playwright_api.expect(row).to_contain_text("browser-sct")
    audit = page.evaluate("fetch('/api/audit?entity=progress_report').then((r) => r.json())")
    mine = [e for e in audit["entries"] if e["actor"] == "browser-sct" and e["after"]["task_id"] == task_id]
    assert mine and mine[-1]["action"] == "report.submit" and mine[-1]["after"]["percent"] == 60
    page.close()
