"""The web map's one script and one stylesheet: the vendored Leaflet and the map's own files, joined in memory.

A first visit on a slow line pays a round trip per file; joined, the page needs two. The URLs carry a hash of the
content (``?v=``), so browsers keep them until they change.

>>> bundle("js").media_type
'text/javascript'
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
LEAFLET_IMAGES = "/static/vendor/leaflet/images/"
# In the order they must run: Leaflet first, the entry point (planmap.js) last.
FILES = {
    "js": ("vendor/leaflet/leaflet.js", "vendor/leaflet-vector-tile-layer/VectorTileLayer.umd.min.js", "map/core.js",
           "map/style.js", "map/layers.js", "map/labels.js", "map/popups.js", "map/panels.js", "map/place.js",
           "map/tasks.js", "map/stats.js", "map/legend.js", "map/overlays.js", "map/landuse.js", "map/controls.js",
           "map/planmap.js"),
    "css": ("vendor/leaflet/leaflet.css", "map/planmap.css"),
}
TYPES = {"js": "text/javascript", "css": "text/css"}


@dataclass(frozen=True)
class Bundle:
    content: bytes
    version: str
    media_type: str

    @property
    def url(self) -> str:
        return f"/static/bundle/map.{self.kind}?v={self.version}"

    @property
    def kind(self) -> str:
        return next(k for k, v in TYPES.items() if v == self.media_type)


def _read(relative: str) -> str:
    path = STATIC_DIR / relative
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make vendor` (vendored assets) first")
    text = path.read_text(encoding="utf-8")
    if relative.endswith("leaflet.css"):  # its images are relative to its own folder
        text = re.sub(r"url\(images/", f"url({LEAFLET_IMAGES}", text)
    return text


@cache
def bundle(kind: str) -> Bundle:
    """The joined ``kind`` ("js" or "css") files; read once per process."""
    separator = "\n;\n" if kind == "js" else "\n"
    content = separator.join(f"/* {name} */\n{_read(name)}" for name in FILES[kind]).encode("utf-8")
    return Bundle(content, hashlib.sha256(content).hexdigest()[:12], TYPES[kind])
