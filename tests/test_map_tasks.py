"""The task browser in Chromium against the real server, and the planner's four questions of issue 11, each
answered in at most three clicks in Vietnamese and in English, on an office screen and on a phone.

Expected answers come from data/plan (which tasks, which leads, which districts) and from OGC API - Features
(each task's status and overdue flag), not from the page's own data.
"""

from __future__ import annotations

import re

import httpx
import pytest

from layers.plan import read_plan
from tests.map_pages import new_page

pytestmark = pytest.mark.browser
SCT = "so-cong-thuong"


@pytest.fixture(scope="module")
def reference(live_server, settings) -> dict:
    """What the answers must be: tasks from data/plan, their state from OGC API - Features."""
    plan = read_plan(settings.data_dir)
    ogc = httpx.get(live_server + "/ogc/collections/tasks/items", params={"limit": 1000}).json()["features"]
    state = {f["id"]: f["properties"] for f in ogc}
    in_go_quao = {f.id for _, _, f in plan.all_features() if 907 in f.districts}
    go_quao = {t.id for _, t in plan.tasks if 907 in t.districts or in_go_quao & set(t.features)}
    sct = {t.id for _, t in plan.tasks if SCT in t.leads}
    return {"tasks": {t.id: t for _, t in plan.tasks}, "state": state,
            "agencies": {a.id: a.name for _, a in plan.agencies},
            "go_quao_overdue": {t for t in go_quao if state[t]["overdue"]},
            "sct": sct, "sct_done": {t for t in sct if state[t]["status"] == "done"},
            "cai_tu_tasks": {t.id for _, t in plan.tasks if "ccn-cai-tu" in t.features}}


class Clicks:
    """A user's clicks (and choices in a list), counted."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, target):
        (self.page.locator(target) if isinstance(target, str) else target).first.click()
        self.count += 1

    def search(self, text: str, hit: str):
        """Type into the search box (opening the panel first where it is closed) and click a result."""
        if self.page.locator("#pm-search").is_hidden():
            self.click("#pm-panel-toggle")
        if self.page.locator("#pm-search").is_hidden():
            self.click(".pm-tabs [data-tab=search]")
        self.page.fill("#pm-search", text)
        result = self.page.locator("#pm-search-results button", has_text=hit)
        result.first.wait_for(timeout=10_000)
        self.click(result)


def _listed(page) -> set[str]:
    return set(page.locator("#pm-tasks-list .pm-task").evaluate_all("ls => ls.map((l) => l.dataset.task)"))


@pytest.fixture(params=["vi", "en"])
def lang(request) -> str:
    return request.param


@pytest.fixture
def planner(browser, live_server, screen, lang):
    watched = new_page(browser, live_server, screen)
    watched.open(f"/?lang={lang}")
    yield Clicks(watched.page)
    assert watched.problems == []
    watched.page.context.close()


def test_where_is_cai_tu_and_how_are_its_tasks(planner, lang, reference):
    page = planner.page
    planner.search("Cái Tư", "Cái Tư")
    details = page.locator(".pm-popup", has_text="70 ha")
    details.locator(".pm-task").first.wait_for(timeout=10_000)
    text = details.inner_text()
    if lang == "vi":
        assert "huyện Gò Quao cũ; nay thuộc một trong: xã Định Hòa" in text
    else:
        assert "former Gò Quao district; now in one of Định Hòa commune" in text
    listed = set(details.locator(".pm-task").evaluate_all("ls => ls.map((l) => l.dataset.task)"))
    assert listed == reference["cai_tu_tasks"]
    assert details.locator("[role=progressbar]").count() == len(listed)
    assert planner.count <= 3


def test_which_tasks_of_former_go_quao_are_overdue(planner, lang, reference):
    page = planner.page
    # the former district itself: the former and new communes named Gò Quao are listed first
    planner.search("Gò Quao", re.compile(r"^\s*(Huyện cũ|Former district)\s+(Huyện Gò Quao|Gò Quao District)\s*$"))
    n = len(reference["go_quao_overdue"])
    planner.click(page.locator("#pm-place-body button[data-filter]", has_text=str(n)).last)
    page.wait_for_function("() => !document.getElementById('pm-tab-tasks').hidden")
    assert _listed(page) == reference["go_quao_overdue"]
    summary = page.locator("#pm-tasks-summary").inner_text()
    assert re.search(rf"\b{n} (nhiệm vụ|tasks)", summary)
    assert planner.count <= 3


def test_how_many_tasks_does_so_cong_thuong_lead_and_how_many_are_done(planner, lang, reference):
    page = planner.page
    planner.search("Sở Công Thương", "Department of Industry and Trade" if lang == "en" else "Sở Công Thương")
    summary = page.locator("#pm-tasks-summary")
    summary.wait_for(timeout=10_000)
    total, done = len(reference["sct"]), len(reference["sct_done"])
    words = "{n} tasks · {d} done" if lang == "en" else "{n} nhiệm vụ · {d} hoàn thành"
    assert words.format(n=total, d=done) in summary.inner_text()
    assert _listed(page) == reference["sct"]
    assert planner.count <= 3


def test_show_me_task_2022_ii_4_a(planner, lang, reference):
    page = planner.page
    planner.search("2022-II.4.a", "2022-II.4.a")
    card = page.locator("#pm-task-card")
    card.locator("h2").wait_for(timeout=10_000)
    task = reference["tasks"]["2022-II.4.a"]
    assert "2022-II.4.a" in card.locator("h2").inner_text()
    words = task.summary_en if lang == "en" else task.text
    assert " ".join(words.split())[:80] in " ".join(card.inner_text().split())
    if task.deadline_text:
        assert (task.deadline_text_en if lang == "en" else task.deadline_text) in card.inner_text()
    assert planner.count <= 3


# ---- the browser itself (office screen) ----

@pytest.fixture
def desk(browser, live_server):
    watched = new_page(browser, live_server)
    watched.open()
    yield watched
    assert watched.problems == []
    watched.page.context.close()


def test_filters_keep_what_they_say(desk, reference):
    page = desk.page
    page.click(".pm-tabs [data-tab=tasks]")
    page.locator("#pm-tasks-list .pm-task").first.wait_for(timeout=10_000)
    assert _listed(page) == set(reference["tasks"])
    form = page.locator("#pm-task-filters")
    form.locator("select[name=plan]").select_option("001|II.4")
    assert _listed(page) == {t for t, task in reference["tasks"].items() if task.plan == "001" and task.section == "II.4"}
    form.locator("select[name=plan]").select_option("")
    form.locator("select[name=lead]").select_option(SCT)
    form.locator("select[name=status]").select_option("not_reported")
    assert _listed(page) == {t for t in reference["sct"] if reference["state"][t]["status"] == "not_reported"}
    form.locator("button[type=reset]").click()
    page.wait_for_function("() => document.querySelectorAll('#pm-tasks-list .pm-task').length > 100")
    form.locator("select[name=district]").select_option("907")
    form.locator("input[name=overdue]").check()
    assert _listed(page) == reference["go_quao_overdue"]


def test_sorting_by_deadline_and_progress(desk, reference):
    page = desk.page
    page.click(".pm-tabs [data-tab=tasks]")
    page.locator("#pm-tasks-list .pm-task").first.wait_for(timeout=10_000)
    page.locator("select[name=sort]").select_option("deadline")
    order = page.locator("#pm-tasks-list .pm-task").evaluate_all("ls => ls.map((l) => l.dataset.task)")
    dates = [reference["state"][t]["deadline"] for t in order]
    known = [d for d in dates if d]
    assert known == sorted(known) and all(d is None for d in dates[len(known):])
    page.locator("select[name=sort]").select_option("progress_desc")
    order = page.locator("#pm-tasks-list .pm-task").evaluate_all("ls => ls.map((l) => l.dataset.task)")
    pct = [-1 if reference["state"][t]["percent"] is None else reference["state"][t]["percent"] for t in order]
    assert pct == sorted(pct, reverse=True)


def test_card_shows_the_task_and_its_features_and_both_share_links_restore(desk, browser, reference):
    page = desk.page
    page.click(".pm-tabs [data-tab=tasks]")
    page.locator("#pm-tasks-list .pm-task").first.wait_for(timeout=10_000)
    page.locator("select[name=lead]").select_option(SCT)
    page.locator("input[name=overdue]").check()
    listed_url = page.url
    assert "tlead=so-cong-thuong" in listed_url and "toverdue=1" in listed_url
    with_feature = next(t for t, task in reference["tasks"].items() if task.features)
    page.click(".pm-tabs [data-tab=search]")
    page.fill("#pm-search", with_feature)
    page.locator("#pm-search-results button", has_text=with_feature).first.click()
    card = page.locator("#pm-task-card")
    card.locator("h2").wait_for(timeout=10_000)
    task = reference["tasks"][with_feature]
    for lead in task.leads:
        assert reference["agencies"][lead] in card.inner_text()
    card_url = page.url
    assert f"task={with_feature}" in card_url
    card.locator("[data-show]").first.click()
    page.locator(".pm-popup").first.wait_for(timeout=10_000)
    for url, check in ((listed_url, "#pm-tasks-list .pm-task"), (card_url, "#pm-task-card h2")):
        other = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        other.goto(url)
        other.wait_for_selector("body[data-ready=true]", timeout=30_000)
        other.locator(check).first.wait_for(timeout=10_000)
        if check.startswith("#pm-tasks-list"):
            assert _listed(other) == {t for t in reference["sct"] if reference["state"][t]["overdue"]}
        else:
            assert with_feature in other.locator(check).inner_text()
        other.context.close()

