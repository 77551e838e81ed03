"""Page weight and time to first render of the web map, measured in Debian's Chromium against a live server.

    make serve                                        # in one shell
    .venv/bin/python benchmarks/web_first_view.py     # in another; --base URL, --runs N, --line fast|slow|both

Prints, for a cold and a warm cache and for each line: requests, bytes on the wire (compressed) and decoded,
first contentful paint, and the time until every layer is drawn (``body[data-ready]``). The slow line is the
office line of issue 11, emulated by Chromium (CDP ``Network.emulateNetworkConditions``): 400 kbit/s each way and
400 ms latency. Goals: all layers drawn within 4 s on the slow line, 1 s on the fast one.
Not a test: the numbers depend on the machine (results in benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import statistics
import time
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# CDP throughput is in bytes per second.
LINES = {
    "fast": None,
    "slow": {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8},
}
GOALS_MS = {"fast": 1000, "slow": 4000}


def measure(context, base: str, line: str = "fast") -> dict:
    """One page load: what went over the wire and when the map was usable."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if LINES[line]:
        cdp.send("Network.emulateNetworkConditions", LINES[line])
    wire: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: wire.__setitem__(e["requestId"], e["encodedDataLength"]))
    start = time.perf_counter()
    page.goto(base + "/")
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    # measured in the page, from the start of navigation to the moment every layer is drawn: the test driver's
    # own polling would add its delay
    ready_ms = page.evaluate("planmap.readyAt") or (time.perf_counter() - start) * 1000
    timing = page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        const res = performance.getEntriesByType('resource');
        return {fcp: fcp ? fcp.startTime : null, dcl: nav.domContentLoadedEventEnd,
                html: nav.decodedBodySize,
                decoded: nav.decodedBodySize + res.reduce((a, r) => a + r.decodedBodySize, 0),
                svg_paths: document.querySelectorAll('.leaflet-pane path').length};
    }""")
    page.wait_for_timeout(300)  # let the last loadingFinished events arrive
    hosts = {urlparse(u).netloc for u in urls.values() if u.startswith("http")}
    by_kind: dict[str, int] = {}
    for rid, size in wire.items():
        path = urlparse(urls.get(rid, "")).path
        kind = (
            "vendor"
            if "/vendor/" in path
            else "own js/css"
            if path.startswith("/static/")
            else "page"
            if path == "/"
            else "data"
        )
        by_kind[kind] = by_kind.get(kind, 0) + size
    page.close()
    return {
        "requests": len(wire),
        "wire_kb": sum(wire.values()) / 1024,
        "decoded_kb": timing["decoded"] / 1024,
        "html_kb": timing["html"] / 1024,
        "fcp_ms": timing["fcp"],
        "dcl_ms": timing["dcl"],
        "ready_ms": ready_ms,
        "paths": timing["svg_paths"],
        "hosts": sorted(hosts),
        "by_kind_kb": {k: round(v / 1024, 1) for k, v in sorted(by_kind.items())},
    }


def report(label: str, runs: list[dict], goal_ms: int | None = None) -> None:
    med = lambda key: statistics.median(r[key] for r in runs)  # noqa: E731
    verdict = "" if goal_ms is None else (" (goal met)" if med("ready_ms") <= goal_ms else f" (goal {goal_ms} ms MISSED)")
    print(
        f"{label:<11} requests {med('requests'):>4.0f}  wire {med('wire_kb'):>7.1f} kB  "
        f"decoded {med('decoded_kb'):>7.1f} kB  html {med('html_kb'):>5.1f} kB  "
        f"FCP {med('fcp_ms'):>6.0f} ms  DOMContentLoaded {med('dcl_ms'):>6.0f} ms  "
        f"all layers drawn {med('ready_ms'):>6.0f} ms{verdict}  ({med('paths'):.0f} SVG paths)"
    )
    print(f"       wire by kind (last run): {runs[-1]['by_kind_kb']}  hosts: {runs[-1]['hosts']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--line", choices=["fast", "slow", "both"], default="both")
    args = parser.parse_args()
    lines = ["fast", "slow"] if args.line == "both" else [args.line]
    print(f"web map first view at {args.base}, median of {args.runs} runs, 1366x768, Chromium headless")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
        for line in lines:
            cold = []
            for _ in range(args.runs):
                context = browser.new_context(viewport={"width": 1366, "height": 768})
                cold.append(measure(context, args.base, line))
                context.close()
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            measure(context, args.base, line)  # fill the cache
            warm = [measure(context, args.base, line) for _ in range(args.runs)]
            context.close()
            report(f"{line} cold", cold, GOALS_MS[line])
            report(f"{line} warm", warm, GOALS_MS[line])
        browser.close()


if __name__ == "__main__":
    main()
