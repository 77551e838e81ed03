"""In Chromium, with the service's Content-Security-Policy in force: the map, the reporting pages and /api/docs
run without a single violation and still draw; a script injected into a page is blocked; and the login page
tells a user who has failed too often how long to wait."""

from __future__ import annotations

import re

import pytest

from tests.browser import ARGS, CHROMIUM
from tests.progress_helpers import PASSWORD, SCT, ensure_user
from tests.test_reporting_browser import in_own_thread, log_in

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

# Every violation the page reports, and every console message about the policy, are collected.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
    (e) => window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline")));
"""


class Watched:
    """A page and the policy messages of its console since the last ``violations()``."""

    def __init__(self, context):
        self.page, self.console = context.new_page(), []
        self.page.on("console", lambda m: self.console.append(m.text) if "Content Security Policy" in m.text
                     else None)

    def violations(self) -> list[str]:
        found, self.console = self.page.evaluate("window.__csp") + self.console, []
        return found


def _open(page, url: str, ready: str):
    """Open ``url``, wait for ``ready`` (a selector); return the policy the document came with."""
    response = page.goto(url)
    page.wait_for_selector(ready, timeout=30_000)
    page.wait_for_load_state("networkidle")
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, policy
    return policy


def csp_scenario(base: str) -> None:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context()
            context.add_init_script(WATCH_CSP)
            watched = Watched(context)
            page = watched.page

            _open(page, f"{base}/", "body[data-ready=true]")
            loaded = page.evaluate("planmap.loaded")
            assert loaded and all(n > 0 for n in loaded.values()), loaded
            assert page.locator(".leaflet-container svg path").count() > 20  # the layers are drawn
            assert watched.violations() == []
            # the policy is really enforced: an injected inline script does not run, and is reported
            page.evaluate("""() => { const s = document.createElement("script");
                s.textContent = "window.__injected = true"; document.body.appendChild(s); }""")
            page.wait_for_function("window.__csp.length > 0")
            assert page.evaluate("window.__injected") is None
            assert any("script-src" in v for v in watched.violations())

            _open(page, f"{base}/api/docs", ".swagger-ui .opblock")
            assert page.locator(".swagger-ui .opblock").count() > 20
            assert watched.violations() == []

            log_in(page, base, "csp-reporter")
            page.wait_for_url(re.compile(rf"/report/agency/{SCT}$"))
            page.locator("path.rp-f").first.wait_for()  # the agency's features on its Leaflet map
            page.wait_for_load_state("networkidle")
            assert watched.violations() == []

            context.clear_cookies()
            log_in(page, base, "csp-coordinator")
            page.wait_for_url(re.compile(r"/report/dashboard$"))
            page.wait_for_load_state("networkidle")
            assert page.locator(".rp-bars").count() == 2
            assert watched.violations() == []
        finally:
            browser.close()


def test_pages_work_under_the_content_security_policy(live_server, engine):
    ensure_user(engine, "csp-reporter", "agency_reporter", SCT)
    ensure_user(engine, "csp-coordinator", "coordinator")
    in_own_thread(csp_scenario, live_server)


def throttle_scenario(base: str) -> None:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_context(locale="vi-VN").new_page()
            statuses = []
            page.on("response", lambda r: statuses.append(r.status) if r.url.endswith("/login?lang=vi") else None)
            page.goto(f"{base}/login")
            for attempt in range(6):
                page.fill("input[name=username]", "throttled-in-browser")
                page.fill("input[name=password]", f"wrong guess {attempt}")
                page.click("button[type=submit]")
                page.wait_for_load_state()
            alert = page.locator("p[role=alert]")
            playwright_api.expect(alert).to_contain_text("Đăng nhập sai quá nhiều lần")
            seconds = int(alert.get_attribute("data-retry-after"))
            assert 1 <= seconds <= 60 and f"{seconds} giây" in alert.inner_text()
            assert statuses == [401] * 5 + [429]
            # the right password does not help while the account waits
            page.fill("input[name=username]", "throttled-in-browser")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            playwright_api.expect(page.locator("p[role=alert]")).to_contain_text("Đăng nhập sai quá nhiều lần")
            assert statuses[-1] == 429 and "/login" in page.url
        finally:
            browser.close()


def test_login_page_shows_the_wait_after_five_failures(live_server, engine):
    ensure_user(engine, "throttled-in-browser", "agency_reporter", SCT)
    in_own_thread(throttle_scenario, live_server)
