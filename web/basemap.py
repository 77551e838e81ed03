"""The online basemap, proxied and cached by the app: the page never names another host, and offline the
browser is told so (``status``) instead of waiting on tiles that will not come.
"""

from __future__ import annotations

import os
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

# Empty PLANMAP_BASEMAP_URL turns the online basemap off (closed networks, and the tests: never reach out).
UPSTREAM = os.environ.get("PLANMAP_BASEMAP_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
USER_AGENT = "kiengiang-planmap/0.1 (planning map service; tile cache)"
TIMEOUT_S = 3.0
RETRY_AFTER_S = 120.0  # after a failure, answer "offline" at once for a while
# A 1x1 transparent PNG: what a tile is when the upstream cannot be reached.
EMPTY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)

_lock = threading.Lock()
_failed_at: float | None = None


def _offline_now() -> bool:
    return _failed_at is not None and time.monotonic() - _failed_at < RETRY_AFTER_S


def _fetch(url: str) -> bytes | None:
    global _failed_at
    if not UPSTREAM or _offline_now():
        return None
    try:
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:  # noqa: S310 (fixed https URL)
            data = resp.read()
        with _lock:
            _failed_at = None
        return data
    except (urllib.error.URLError, OSError, ValueError):
        with _lock:
            _failed_at = time.monotonic()
        return None


def valid_tile(z: int, x: int, y: int) -> bool:
    return 0 <= z <= 19 and 0 <= x < 2**z and 0 <= y < 2**z


def tile(cache_dir: Path, z: int, x: int, y: int) -> tuple[bytes, bool]:
    """(PNG bytes, whether it is a real tile) from the disk cache, the upstream, or the empty tile."""
    path = cache_dir / "tiles" / str(z) / str(x) / f"{y}.png"
    if path.exists():
        return path.read_bytes(), True
    data = _fetch(UPSTREAM.format(z=z, x=x, y=y))
    if data is None:
        return EMPTY_PNG, False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data, True


def online(cache_dir: Path) -> bool:
    """Whether the online basemap can be shown: the upstream answers (or its overview is cached)."""
    return tile(cache_dir, 0, 0, 0)[1]
