"""The planners' web map: a folium (Leaflet) page whose layers the browser fetches from the project's own API.

Folium builds the map, the base and overlay groups and the layer control; ``web/static/map/*.js`` fills the
groups from the API and drives the panels. Nothing comes from a CDN: folium's default JS/CSS (jQuery,
Bootstrap, Font Awesome from CDNs) are replaced by the vendored Leaflet.

>>> html = build_map_html("vi", MapConfig())
>>> "cdn." in html or "code.jquery.com" in html
False
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import cache
from html import escape
from pathlib import Path

import folium
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo.crs import VN2000_TM3, transformer
from web.i18n import language, subset, t
from web.symbology import SYMBOLOGY

STATIC_DIR = Path(__file__).resolve().parent / "static"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
STATIC_URL = "/static"
CENTER = (10.0, 104.75)  # Kiên Giang incl. Phú Quốc at zoom 9
ZOOM = 9
OVERLAYS = (
    "districts",
    "raw_material_districts",
    "dynamic_regions",
    "economic_zones",
    "growth_poles",
    "infrastructure_projects",
    "industrial_clusters",
    "industrial_parks",
)
# Each plan layer of the map and the OGC collections it is drawn from, in drawing order: a layer's footprints or
# routes first, then its representative points (skipped for features already drawn as a footprint or route).
PLAN_LAYERS = {
    "industrial_parks": ("industrial_parks",),
    "industrial_clusters": ("industrial_cluster_footprints", "industrial_clusters"),
    "economic_zones": ("economic_zones",),
    "growth_poles": ("growth_poles",),
    "dynamic_regions": ("dynamic_regions",),
    "infrastructure_projects": ("infrastructure_routes", "infrastructure_projects"),
}

JS_FILES = ("style.js", "layers.js", "panels.js", "stats.js", "controls.js", "planmap.js")
CLIENT_PREFIXES = (
    "app.",
    "base.",
    "layer.",
    "legend.",
    "state.",
    "status.",
    "kind.",
    "precision.",
    "popup.",
    "panel.",
    "search.",
    "district.",
    "stats.",
    "coords.",
    "share.",
    "unit.",
    "error.",
    "lang.",
)


@dataclass(frozen=True)
class MapConfig:
    """Where the browser finds its data: the app's own APIs."""

    layer_urls: dict[str, str] = field(default_factory=lambda: {  # plan layers come from OGC API - Features
        cid: f"/ogc/collections/{cid}/items?f=json&limit=1000" for ids in PLAN_LAYERS.values() for cid in ids})
    base_url: str = "/api/map/base"
    basemap_tiles: str = "/api/map/basemap/{z}/{x}/{y}.png"
    basemap_status: str = "/api/map/basemap/status"
    feature_url: str = "/api/map/features/{id}"
    district_url: str = "/api/map/districts/{gso}"
    stats_url: str = "/api/map/stats"
    search_url: str = "/api/search"
    print_url: str = "/print/district/{gso}.pdf"
    stats_districts_url: str = "/api/stats/districts"
    stats_occupancy_url: str = "/api/stats/occupancy"
    extra: dict = field(default_factory=dict)

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def vn2000_proj4() -> str:
    """EPSG:9207 as a proj4js string whose +towgs84 is the official EPSG:6960 Helmert, taken from pyproj.

    PROJ states EPSG:6960 in the coordinate-frame convention; proj4js's +towgs84 is position-vector, so the
    rotations change sign (with the signs as published, proj4js is about 0.5 m off at Rạch Giá).
    """
    steps = transformer(4326, VN2000_TM3).definition.split(" step ")
    helmert = next(s for s in steps if "proj=helmert" in s)
    params = dict(p.split("=", 1) for p in helmert.split() if "=" in p)
    sign = -1.0 if params.get("convention") == "coordinate_frame" else 1.0
    values = [float(params[k]) for k in ("x", "y", "z")]
    values += [sign * float(params[k]) for k in ("rx", "ry", "rz")] + [float(params["s"])]
    tmerc = next(s for s in steps if "proj=tmerc" in s)
    return (
        "+"
        + " +".join(tmerc.split())
        + " +units=m +no_defs +towgs84="
        + ",".join(f"{v:.12g}" for v in values)
    )


@cache
def _asset_version(relative: str) -> str:
    """A short content hash: browsers cache assets until they change."""
    return hashlib.sha256((STATIC_DIR / relative).read_bytes()).hexdigest()[:10]


def static_url(relative: str) -> str:
    return f"{STATIC_URL}/{relative}?v={_asset_version(relative)}"


class PlanMap(folium.Map):
    """folium.Map with its CDN assets replaced by the vendored Leaflet (no jQuery/Bootstrap needed)."""

    default_js = [("leaflet", f"{STATIC_URL}/vendor/leaflet/leaflet.js")]
    default_css = [("leaflet_css", f"{STATIC_URL}/vendor/leaflet/leaflet.css")]


class PlanMapUI(JSCSSMixin, MacroElement):
    """Header, panels, legend and the script that wires the folium groups to the API."""

    def __init__(self, lang: str, config: dict):
        super().__init__()
        self._name = "PlanMapUI"
        self.lang = lang
        self.config = config
        self._template = Template((TEMPLATE_DIR / "ui.html").read_text(encoding="utf-8"))
        self.default_js = [("proj4", static_url("vendor/proj4/proj4.js"))] + [
            (f"planmap_{name}", static_url(f"map/{name}")) for name in JS_FILES
        ]
        self.default_css = [("planmap_css", static_url("map/planmap.css"))]

    def t(self, key: str) -> str:
        return t(self.lang, key)

    def config_json(self) -> str:
        # "</" cannot end the inline script early
        return json.dumps(self.config, ensure_ascii=False).replace("</", "<\\/")


def _groups(m: folium.Map, lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """Base layers and overlay groups; returns their JS variable names for the browser script."""
    offline = folium.FeatureGroup(name=t(lang, "base.offline"), overlay=False, show=True).add_to(m)
    online = folium.TileLayer(
        tiles="/api/map/basemap/{z}/{x}/{y}.png",
        name=t(lang, "base.online"),
        attr="© OpenStreetMap contributors",
        overlay=False,
        show=False,
        max_zoom=18,
    )
    online.add_to(m)
    overlays = {}
    for layer in OVERLAYS:
        group = folium.FeatureGroup(name=t(lang, f"layer.{layer}"), overlay=True, show=True).add_to(m)
        overlays[layer] = group.get_name()
    return {"offline": offline.get_name(), "online": online.get_name()}, overlays


def build_map(lang: str, config: MapConfig) -> folium.Map:
    lang = language(lang)
    figure = Figure(title=t(lang, "app.title"))
    m = PlanMap(
        location=CENTER,
        zoom_start=ZOOM,
        tiles=None,
        control_scale=True,
        min_zoom=6,
        max_zoom=18,
        zoom_control=True,
    )
    figure.add_child(m)
    bases, overlays = _groups(m, lang)
    control = folium.LayerControl(position="topright", collapsed=True).add_to(m)
    client = {
        "lang": lang,
        "map": m.get_name(),
        "bases": bases,
        "overlays": overlays,
        "control": control.get_name(),
        "plan_layers": {layer: list(ids) for layer, ids in PLAN_LAYERS.items()},
        "symbology": SYMBOLOGY,
        "vn2000": vn2000_proj4(),
        "i18n": subset(lang, CLIENT_PREFIXES),
        **{k: v for k, v in asdict(config).items() if k != "extra"},
        **config.extra,
    }
    m.add_child(PlanMapUI(lang, client))
    figure.header.add_child(Element(f'<meta name="description" content="{escape(t(lang, "app.subtitle"))}">'))
    figure.header.add_child(
        Element(f'<link rel="icon" type="image/svg+xml" href="{static_url("map/favicon.svg")}">')
    )
    return m


_PAGES: dict[tuple[str, str], str] = {}


def build_map_html(lang: str, config: MapConfig) -> str:
    """The whole page; rendered once per language and configuration (the data is fetched by the browser)."""
    lang = language(lang)
    key = (lang, config.key())
    if key not in _PAGES:
        html = build_map(lang, config).get_root().render()
        _PAGES[key] = html.replace("<html>", f'<html lang="{lang}">', 1)
    return _PAGES[key]
