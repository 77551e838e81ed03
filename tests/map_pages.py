"""What the web map's browser tests share: Debian's Chromium (session-wide), a page that records every console
error, failed request and request to another host, the two screens a planner uses (a 1366×768 office screen and
a 390×844 phone), and small helpers that act as a user does (click, type) rather than call the page's script."""

from __future__ import annotations

import atexit
from urllib.parse import urlparse

import pytest

from tests.browser import ARGS, CHROMIUM

VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
_SHARED: dict = {}


def shared_browser():
    """One Chromium for every module that imports the ``browser`` fixture: Playwright's sync API runs one
    instance per thread, and pytest makes a session fixture imported into several modules once per module."""
    if "browser" not in _SHARED:
        if not CHROMIUM.exists():
            pytest.fail("Debian chromium is not installed (/usr/bin/chromium): run make test, which installs it")
        from playwright.sync_api import sync_playwright

        _SHARED["playwright"] = sync_playwright().start()
        _SHARED["browser"] = _SHARED["playwright"].chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        atexit.register(_stop)
    return _SHARED["browser"]


def _stop() -> None:
    _SHARED.pop("browser").close()
    _SHARED.pop("playwright").stop()


@pytest.fixture(scope="session")
def browser():
    return shared_browser()


class Watched:
    """A page plus every console error, page error, failed request and request to another host."""

    def __init__(self, page, base: str):
        self.page, self.base, self.problems = page, base, []
        origin = urlparse(base).netloc
        page.on("console", lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}")
                if "net::ERR_ABORTED" not in (r.failure or "") else None)
        page.on("response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
        page.on("request", lambda r: self.problems.append(f"other host: {r.url}")
                if r.url.startswith("http") and urlparse(r.url).netloc != origin else None)

    def open(self, path: str = "/"):
        self.page.goto(self.base + path)
        self.page.wait_for_selector("body[data-ready=true]", timeout=30_000)
        return self.page


def new_page(browser, base: str, screen: str = "desktop", **options) -> Watched:
    phone = screen == "phone"
    context = browser.new_context(viewport=VIEWPORTS[screen], is_mobile=phone, has_touch=phone,
                                  locale="vi-VN", **options)
    return Watched(context.new_page(), base)


@pytest.fixture(params=list(VIEWPORTS))
def screen(request) -> str:
    return request.param


@pytest.fixture
def map_page(browser, live_server):
    watched = new_page(browser, live_server)
    yield watched
    watched.page.context.close()


@pytest.fixture
def screen_page(browser, live_server, screen):
    """A page on each of the two screens."""
    watched = new_page(browser, live_server, screen)
    yield watched
    watched.page.context.close()


def search(page, text: str, hit: str):
    """Type ``text`` into the search box (opening the panel on a phone) and click the result that shows ``hit``."""
    if page.locator("#pm-search").is_hidden():
        page.click("#pm-panel-toggle")
    page.click(".pm-tabs [data-tab=search]")
    page.fill("#pm-search", text)
    result = page.locator("#pm-search-results button", has_text=hit).first
    result.wait_for(timeout=10_000)
    result.click()


def inside(box: dict, frame: dict, margin: float = 0.5) -> bool:
    return (box["x"] >= frame["x"] - margin and box["y"] >= frame["y"] - margin
            and box["x"] + box["width"] <= frame["x"] + frame["width"] + margin
            and box["y"] + box["height"] <= frame["y"] + frame["height"] + margin)


def overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])
