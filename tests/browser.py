"""How the tests start Debian's Chromium: never a browser of Playwright's own, and nothing that phones home
(the machines' network is closed; background services would only produce refused connections)."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",  # the machines run as root
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
