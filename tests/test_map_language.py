"""One language at a time: the map walked through in Chromium, every popup, panel, tab, tooltip, label and control
title, in Vietnamese and in English; any string of the other language's catalogue (web/i18n) or of the data's
other-language fields (English location notes and summaries; Vietnamese notes and deadlines) is a failure.
Proper names (places, projects) are the same in both and are not checked."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from tests.map_pages import new_page
from web.i18n import CATALOGUE_DIR

pytestmark = pytest.mark.browser
MIN_LENGTH = 4  # shorter strings ("ha", "km", "%") are the same in both languages or too short to tell

COLLECT = """() => {
  const out = [document.body.innerText];
  document.querySelectorAll('[title], [aria-label], [placeholder]').forEach((e) => {
    ['title', 'aria-label', 'placeholder'].forEach((a) => { if (e.getAttribute(a)) out.push(e.getAttribute(a)); });
  });
  document.querySelectorAll('option, svg text, svg title, .pm-label').forEach((e) => out.push(e.textContent));
  const tips = [];
  const each = (layer) => { if (layer.getTooltip && layer.getTooltip()) tips.push(String(layer.getTooltip().getContent()));
                            if (layer.eachLayer) layer.eachLayer(each); };
  Object.values(planmap.groups.overlays).concat(Object.values(planmap.groups.boundaries)).forEach(each);
  return out.concat(tips);
}"""


def _catalogue(lang: str) -> dict[str, str]:
    return json.loads((CATALOGUE_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def _forbidden(lang: str, live_server: str) -> set[str]:
    """Strings that may not appear on a page in ``lang``: the other catalogue's words that this one does not share,
    and the data's fields written in the other language."""
    own, other = _catalogue(lang), _catalogue("en" if lang == "vi" else "vi")
    shared = set(own.values())
    words = {v for k, v in other.items() if not k.startswith(("print.", "label.strip")) and v not in shared
             and "{" not in v and len(v) >= MIN_LENGTH and re.search(r"[^\W\d_]{3}", v)}
    features = [f for cid in ("industrial_parks", "industrial_clusters", "economic_zones", "growth_poles",
                              "dynamic_regions", "infrastructure_projects")
                for f in httpx.get(f"{live_server}/ogc/collections/{cid}/items", params={"limit": 1000}).json()["features"]]
    tasks = httpx.get(f"{live_server}/ogc/collections/tasks/items", params={"limit": 1000}).json()["features"]
    if lang == "vi":
        data = [f["properties"]["location_note"] for f in features] + \
               [t["properties"]["summary_en"] for t in tasks] + [t["properties"]["deadline_text_en"] for t in tasks]
    else:
        data = [f["properties"]["location_note_vi"] for f in features] + \
               [t["properties"]["deadline_text"] for t in tasks]
    return words | {d for d in data if d and len(d) >= MIN_LENGTH and d not in shared}


def _leaks(texts: list[str], forbidden: set[str]) -> set[str]:
    """The forbidden strings found as words. A lower-case unit type before a capitalised name ("phường Vĩnh Hiệp"
    in an English location note of the data) is part of a proper name."""
    found = set()
    for s in forbidden:
        proper = r"(?! [A-ZĐ])" if s.islower() and len(s.split()) <= 2 else ""
        pattern = re.compile(r"(?<!\w)" + re.escape(s) + r"(?!\w)" + proper)
        if any(pattern.search(t) for t in texts):
            found.add(s)
    return found


def _walk(page) -> list[str]:
    """Open everything a planner can open and collect the words shown."""
    texts = page.evaluate(COLLECT)
    for tab in ("tasks", "place", "stats", "search"):
        page.click(f".pm-tabs [data-tab={tab}]")
        page.wait_for_timeout(300)
        texts += page.evaluate(COLLECT)
    page.click(".pm-tabs [data-tab=tasks]")
    page.locator("#pm-tasks-list .pm-task-open").first.click()
    page.locator("#pm-task-card h2").wait_for()
    texts += page.evaluate(COLLECT)
    for query in ("Cái Tư", "Gò Quao", "Sở Công Thương", "Vĩnh Hòa Hưng Bắc", "2022-II.4.a"):
        page.click(".pm-tabs [data-tab=search]")
        page.fill("#pm-search", query)
        page.locator("#pm-search-results li").first.wait_for()
        page.wait_for_timeout(300)
        texts += page.evaluate(COLLECT)
    page.evaluate("planmap.selectDistrict(907, {zoom: true})")
    page.locator("#pm-place-body h2").wait_for()
    texts += page.evaluate(COLLECT)
    page.get_by_role("radio").nth(1).check()
    page.wait_for_function("() => !!planmap.communes")
    page.evaluate("planmap.selectCommune(Object.keys(planmap.communes)[0], {zoom: true})")
    page.locator("#pm-place-body h2").wait_for()
    texts += page.evaluate(COLLECT)
    for fid in page.evaluate("Object.keys(planmap.features)"):
        page.evaluate("(id) => planmap.openFeature(id)", fid)
        page.locator(f'.pm-popup[data-feature="{fid}"]').wait_for()
        texts += page.locator(".pm-popup").all_inner_texts()
    page.hover(".leaflet-control-layers")
    texts += page.evaluate(COLLECT)
    return texts


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_word_of_the_other_language(browser, live_server, lang):
    watched = new_page(browser, live_server)
    page = watched.open(f"/?lang={lang}")
    forbidden = _forbidden(lang, live_server)
    assert len(forbidden) > 100  # the check has something to find
    texts = _walk(page)
    assert _leaks(texts, forbidden) == set()
    assert watched.problems == []
    page.context.close()
