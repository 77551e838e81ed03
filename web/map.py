"""The planners' web map: a folium (Leaflet) page whose layers the browser fetches from the project's own API.

Folium builds the map, the base, boundary and overlay groups and the layer control; ``web/static/map/*.js``
fills the groups from the API and drives the panels. Nothing comes from a CDN: folium's default JS/CSS (jQuery,
Bootstrap, Font Awesome from CDNs) are replaced by one bundle of the vendored Leaflet and the map's own files
(``web.bundle``).

>>> html = build_map_html("vi", MapConfig())
>>> "cdn." in html or "code.jquery.com" in html
False
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from html import escape
from pathlib import Path

import folium
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geo.crs import VN2000_TM3, transformer
from layers.imports.stats import OVERLAY_LAYERS
from web.bundle import bundle
from web.i18n import catalogue, language, t
from web.symbology import SYMBOLOGY

STATIC_DIR = Path(__file__).resolve().parent / "static"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
STATIC_URL = "/static"
CENTER = (10.0, 104.75)  # Kiên Giang incl. Phú Quốc at zoom 9
ZOOM = 9
MIN_ZOOM, MAX_ZOOM = 6, 18
VERSION_MARK = "__PLANMAP_DATA_VERSION__"  # replaced per request by the data version (api.webmap.page)
# Boundaries, drawn under the plan and chosen by the boundary switch (not in the layer list): before and after
# 1 July 2025.
BOUNDARIES = ("districts", "communes_2025")
# Overlays in the layer list, bottom to top; the page adds the imported layers after them (``planmap.addOverlay``,
# web/static/map/overlays.js), off until chosen.
OVERLAYS = (
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
# The catalogue keys the browser reads (the rest are the reporting pages' and the printed sheets').
CLIENT_EXCLUDED = ("report.", "print.", "admin.")


@dataclass(frozen=True)
class MapConfig:
    """Where the browser finds its data: the app's own APIs. ``{v}`` is the data version."""

    base_url: str = "/api/map/base?v={v}"
    layers_url: str = "/api/map/layers?v={v}"
    communes_url: str = "/api/map/communes?v={v}"
    imported_url: str = "/api/map/imported?v={v}"
    tile_url: str = "/ogc/collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}"
    item_url: str = "/ogc/collections/{id}/items/{fid}"
    landuse_overlay_url: str = "/api/stats/landuse/{layer}/overlay?feature={id}"
    tasks_url: str = "/api/map/tasks?v={v}"
    basemap_tiles: str = "/api/map/basemap/{z}/{x}/{y}.png"
    basemap_status: str = "/api/map/basemap/status"
    feature_url: str = "/api/map/features/{id}"
    district_url: str = "/api/map/districts/{gso}"
    commune_url: str = "/api/map/communes/{code}"
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
    """folium.Map with its CDN assets replaced by the one bundle of Leaflet and the map's own files."""

    default_js = [("planmap_js", bundle("js").url)]
    default_css = [("planmap_css", bundle("css").url)]


class PlanMapUI(MacroElement):
    """Header, panels and the script that wires the folium groups to the API."""

    def __init__(self, lang: str, config: dict):
        super().__init__()
        self._name = "PlanMapUI"
        self.lang = lang
        self.config = config
        self._template = Template((TEMPLATE_DIR / "ui.html").read_text(encoding="utf-8"))

    def t(self, key: str) -> str:
        return t(self.lang, key)

    def config_json(self) -> str:
        # "</" cannot end the inline script early
        return json.dumps(self.config, ensure_ascii=False).replace("</", "<\\/")


def _groups(m: folium.Map, lang: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Base layers, boundary groups and overlay groups; returns their JS variable names for the browser script."""
    offline = folium.FeatureGroup(name=t(lang, "base.offline"), overlay=False, show=True).add_to(m)
    online = folium.TileLayer(
        tiles="/api/map/basemap/{z}/{x}/{y}.png",
        name=t(lang, "base.online"),
        attr="© OpenStreetMap",
        overlay=False,
        show=False,
        max_zoom=18,
    )
    online.add_to(m)
    boundaries = {b: folium.FeatureGroup(name=b, control=False, show=b == "districts").add_to(m).get_name()
                  for b in BOUNDARIES}
    overlays = {}
    for layer in OVERLAYS:
        group = folium.FeatureGroup(name=t(lang, f"layer.{layer}"), overlay=True, show=True).add_to(m)
        overlays[layer] = group.get_name()
    return {"offline": offline.get_name(), "online": online.get_name()}, boundaries, overlays


def _urls(config: MapConfig) -> dict:
    return {k: v.replace("{v}", VERSION_MARK) for k, v in asdict(config).items() if k != "extra"}


def build_map(lang: str, config: MapConfig) -> folium.Map:
    lang = language(lang)
    figure = Figure(title=t(lang, "app.title"))
    # quarter zoom steps: the province view fits the room the controls leave (pm.controlPadding)
    m = PlanMap(location=CENTER, zoom_start=ZOOM, tiles=None, control_scale=False, zoom_control=False,
                zoom_snap=0.25)
    # The map's own zoom range (folium gives min_zoom/max_zoom to a base tile layer only, and there is none):
    # without it Leaflet bounds the map by its layers', and an imported layer drawn from zoom 12 would hold the
    # whole map at 12 or closer.
    m.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM)
    figure.add_child(m)
    bases, boundaries, overlays = _groups(m, lang)
    control = folium.LayerControl(position="topright", collapsed=True).add_to(m)
    urls = _urls(config)
    client = {
        "lang": lang,
        "map": m.get_name(),
        "bases": bases,
        "boundaries": boundaries,
        "overlays": overlays,
        "control": control.get_name(),
        "plan_layers": {layer: list(ids) for layer, ids in PLAN_LAYERS.items()},
        "landuse_overlay_layers": list(OVERLAY_LAYERS),  # their popups show the land use inside them
        "symbology": SYMBOLOGY,
        "vn2000": vn2000_proj4(),
        "proj4_url": static_url("vendor/proj4/proj4.js"),
        "data_version": VERSION_MARK,
        "i18n": client_strings(lang),
        **urls,
        **config.extra,
    }
    m.add_child(PlanMapUI(lang, client))
    head = [f'<meta name="description" content="{escape(t(lang, "app.subtitle"))}">',
            f'<link rel="icon" type="image/svg+xml" href="{static_url("map/favicon.svg")}">']
    # The data is asked for while the script still downloads (fetch() then takes the preloaded answer).
    head += [f'<link rel="preload" as="fetch" crossorigin="anonymous" href="{urls[k]}">'
             for k in ("base_url", "layers_url")]
    for line in head:
        figure.header.add_child(Element(line))
    return m


def client_strings(lang: str) -> dict[str, str]:
    """The catalogue entries the map's script shows (not the reporting pages' or the print sheets')."""
    return {k: v for k, v in catalogue(language(lang)).items() if not k.startswith(CLIENT_EXCLUDED)}


_PAGES: dict[tuple[str, str], str] = {}
# folium's viewport forbids zooming the page (WCAG 1.4.4): people who need larger text must be able to.
_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>', re.S)


def _finish(html: str, lang: str) -> str:
    """folium's page, made accessible: the language, a viewport that lets people zoom, skip links first, and the
    map in the ``main`` landmark."""
    html = html.replace("<html>", f'<html lang="{lang}">', 1)
    html = _VIEWPORT.sub('<meta name="viewport" content="width=device-width, initial-scale=1">', html, count=1)
    skip = Template((TEMPLATE_DIR / "skip.html").read_text(encoding="utf-8")).render(t=lambda k: t(lang, k))
    html = html.replace("<body>", "<body>\n" + skip, 1)
    return re.sub(r'(<div class="folium-map" id="[^"]+" ></div>)',
                  lambda m: f'<main id="pm-main" aria-label="{escape(t(lang, "a11y.map"))}">{m.group(1)}</main>',
                  html, count=1)


def build_map_html(lang: str, config: MapConfig) -> str:
    """The whole page, with ``VERSION_MARK`` where the data version goes; rendered once per language and
    configuration (the data is fetched by the browser)."""
    lang = language(lang)
    key = (lang, config.key())
    if key not in _PAGES:
        _PAGES[key] = _finish(build_map(lang, config).get_root().render(), lang)
    return _PAGES[key]
