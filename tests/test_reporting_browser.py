"""End to end in Chromium on both backends: a reporter of Sở Công Thương logs in, finds a task in the agency's
filterable list (overdue first), reports 60 % in the one form, the feature's colour changes on the map without a
page reload; a coordinator reports for the lead they choose on a task with several leads, and reads the reports on
the dashboard with task text, agency names, notes and dates as Vietnamese writes them."""

from __future__ import annotations

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import playwright.sync_api as playwright_api  # a test dependency: its absence is a failure, not a skip
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from layers.models import TaskLead
from tests.progress_helpers import PASSWORD, SCT, ensure_user, feature_task
from web.symbology import SYMBOLOGY

ORANGE = SYMBOLOGY["state_colours"]["in_progress"]  # as on the main map
expect = playwright_api.expect


def in_own_thread(scenario, *args):
    """Run ``scenario`` in a thread of its own (for modules that start a Playwright of their own: the sync API
    refuses to start in a thread where another one runs)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(scenario, *args).result(timeout=240)


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/report")
    page.wait_for_url(re.compile(r"/login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def _multi_lead_task(engine) -> tuple[str, list[str]]:
    """A task whose document item names several leads, and its leads in order."""
    with Session(engine) as s:
        tid = s.scalar(select(TaskLead.task_id).group_by(TaskLead.task_id).having(func.count() > 1)
                       .order_by(TaskLead.task_id))
        leads = list(s.scalars(select(TaskLead.agency_id).where(TaskLead.task_id == tid).order_by(TaskLead.position)))
    return tid, leads


def test_reporter_picks_a_task_reports_and_the_map_follows(browser, live_server, engine):
    ensure_user(engine, "browser-sct", "agency_reporter", SCT)
    # growth poles hang on one task of Sở Công Thương without a deadline: one report decides their colour
    feature_id, task_id = feature_task(engine, SCT, layer="growth_poles")
    item_url = f"{live_server}/ogc/collections/growth_poles/items/{feature_id}"
    before = httpx.get(item_url, headers={"Accept": "application/geo+json"}).json()["properties"]
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    main_map = context.new_page()  # the planners' map, open in another tab meanwhile
    main_map.goto(f"{live_server}/")
    main_map.wait_for_selector("body[data-ready=true]")
    main_map.evaluate("window.__same_page = true")
    page = context.new_page()
    log_in(page, live_server, "browser-sct")
    page.wait_for_url(re.compile(rf"/report/agency/{SCT}$"))
    expect(page.locator(".rp-who")).to_contain_text("Cán bộ báo cáo")  # the role in words
    expect(page.locator(".rp-who")).to_contain_text("Sở Công Thương")
    overdue = page.locator(".rp-row").evaluate_all("rs => rs.map((r) => r.dataset.overdue === 'true')")
    assert overdue == sorted(overdue, reverse=True)  # overdue first
    assert page.locator("form.rp-form").count() == 1 and page.locator("#rp-editor").is_hidden()

    page.fill("#rp-filters input[name=q]", task_id)
    assert page.locator(".rp-row:not([hidden])").count() == 1
    marker = page.locator(f"path.rp-f-{feature_id}")
    marker.wait_for()
    colour_before = marker.get_attribute("fill")
    page.evaluate("window.__same_page = true")  # survives only if the page is not reloaded
    page.locator(f'.rp-row[data-task="{task_id}"] .rp-pick').click()
    editor = page.locator("#rp-editor")
    expect(editor.locator("h2")).to_have_text(task_id)
    start = "not_started" if before["tasks_total"] and before["progress_state"] == "not_reported" else None
    if start:
        assert editor.locator("select[name=status]").input_value() == start  # the task's current status
    leads = [a["id"] for a in httpx.get(f"{live_server}/api/tasks/{task_id}").json()["leads"]]
    # a lead's reporter reports on its own share; a partner chooses the lead where there are several
    assert editor.locator(".rp-lead-choice").is_visible() == (SCT not in leads and len(leads) > 1)
    editor.locator("select[name=status]").select_option("in_progress")
    editor.locator("input[name=percent]").fill("60")
    editor.locator("textarea[name=text]").fill("Đã lập quy hoạch chi tiết 60%")
    editor.locator("button[type=submit]").click()
    expect(editor.locator(".rp-msg")).to_have_text("Đã gửi")
    expect(page.locator(f'.rp-row[data-task="{task_id}"] .rp-percent')).to_have_text("60")
    expect(marker).to_have_attribute("fill", ORANGE)
    assert page.evaluate("window.__same_page") is True
    if before["progress_state"] != "in_progress":
        assert colour_before != ORANGE
    main_map.wait_for_function(
        f"() => window.planmap.features['{feature_id}'] && "
        f"window.planmap.features['{feature_id}'].props.progress_state === 'in_progress' && "
        f"window.planmap.features['{feature_id}'].props.mean_percent === 60", timeout=15000)
    assert main_map.evaluate("window.__same_page") is True
    after = httpx.get(item_url, headers={"Accept": "application/geo+json"}).json()["properties"]
    assert after["progress_state"] == "in_progress" and after["mean_percent"] == 60
    context.close()


def test_coordinator_chooses_the_lead_and_reads_the_dashboard(browser, live_server, engine):
    ensure_user(engine, "browser-coordinator", "coordinator")
    task_id, leads = _multi_lead_task(engine)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    log_in(page, live_server, "browser-coordinator")
    page.wait_for_url(re.compile(r"/report/dashboard$"))
    expect(page.locator(".rp-top nav")).to_contain_text("Bảng điều hành tiến độ")  # the link in the header
    expect(page.locator(".rp-setting")).to_contain_text("được tính ngay")  # the province's setting, shown
    page.goto(f"{live_server}/report/agency/{leads[1]}#task-{task_id}")
    editor = page.locator("#rp-editor")
    expect(editor.locator("h2")).to_have_text(task_id)
    choice = editor.locator("select[name=lead]")
    assert choice.is_visible()
    assert choice.locator("option").evaluate_all("os => os.map((o) => o.value)") == leads
    choice.select_option(leads[1])
    editor.locator("select[name=status]").select_option("in_progress")
    editor.locator("input[name=percent]").fill("30")
    editor.locator("textarea[name=text]").fill("Phối hợp khảo sát hiện trạng")
    editor.locator("button[type=submit]").click()
    expect(editor.locator(".rp-msg")).to_have_text("Đã gửi")
    reports = page.evaluate(f"fetch('/api/tasks/{task_id}').then((r) => r.json())")["reports"]
    assert reports[-1]["agency_id"] == leads[1] and reports[-1]["text"] == "Phối hợp khảo sát hiện trạng"

    page.goto(f"{live_server}/report/dashboard")
    row = page.locator(f'.rp-recent tr[data-task="{task_id}"]').first
    on = dt.date.fromisoformat(reports[-1]["reported_on"])
    expect(row).to_contain_text("Phối hợp khảo sát hiện trạng")
    expect(row).to_contain_text(f"{on.day:02d}/{on.month:02d}/{on.year}")
    names = page.evaluate("fetch('/api/map/tasks').then((r) => r.json())")["agencies"]
    expect(row).to_contain_text(names[leads[1]]["name"])
    page.locator("#rp-report-filters select[name=agency]").select_option(leads[1])
    shown = page.locator(".rp-recent tbody tr:not([hidden])").evaluate_all("rs => rs.map((r) => r.dataset.agency)")
    assert shown and set(shown) == {leads[1]}
    audit = page.evaluate("fetch('/api/audit?entity=progress_report').then((r) => r.json())")
    mine = [e for e in audit["entries"] if e["actor"] == "browser-coordinator" and e["after"]["task_id"] == task_id]
    assert mine and mine[-1]["action"] == "report.submit" and mine[-1]["after"]["percent"] == 30
    context.close()
