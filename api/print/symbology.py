"""The web map's symbology (web/static/map/style.js) for paper: the same colours, dashes and meanings.

Parks and clusters are coloured by the progress of their linked tasks, infrastructure by kind with dashes by
status, zones and poles as tinted outlines. Names come from the web's catalogue (web/i18n/<lang>.json) so the
legend reads like the map panel; if a key is missing there, the layer catalogue's title is used.
"""

from __future__ import annotations

import json
import math
from functools import cache

from layers.catalog import COLLECTIONS
from layers.settings import REPO_ROOT

# style.js: pm.STATE_COLOURS, KIND_COLOURS, STATUS_DASH, pm.layerStyle, pm.baseStyles
STATE_COLOURS = {
    "overdue": "#d7191c",
    "in_progress": "#f29e2e",
    "done": "#1a9641",
    "not_reported": "#5b7fa6",
    "no_tasks": "#9a9a9a",
}
KIND_COLOURS = {
    "expressway": "#b2182b",
    "national_road": "#e66101",
    "road": "#8c510a",
    "power_grid": "#7b3294",
    "renewable_energy": "#4dac26",
    "sea_dike": "#2166ac",
    "embankment": "#4393c3",
    "tourism_access": "#01665e",
    "airport": "#542788",
    "port": "#0571b0",
    "logistics": "#5e3c99",
    "research_centre": "#c51b7d",
    "park_infrastructure": "#80cdc1",
    "urban": "#762a83",
    "sub_region": "#bf812d",
}
STATUS_DASH = {
    "operating": None,
    "under_construction": (10, 4, 2, 4),
    "planned": (8, 6),
    "proposed": (2, 6),
    "unknown": (4, 4),
}  # pixels in style.js; read as points here
PALETTE = {
    "sea": "#cfe3f1",
    "neighbour_fill": "#e4e1da",
    "neighbour_edge": "#8a8a8a",
    "district_fill": "#fbf8ef",
    "district_edge": "#5a6f82",
    "subject_fill": "#fbf8ef",
    "subject_edge": "#1f4e79",
    "raw_material": "#3f7f2f",
    "raw_hatch": "#4dac26",
    "grid": "#9e9e9e",
    "town": "#000000",
    "locator": "#d7301f",
}
LAYER_ORDER = (
    "economic_zones",
    "growth_poles",
    "industrial_parks",
    "industrial_clusters",
    "infrastructure_projects",
)
MARKERS = {
    "industrial_parks": "s",
    "industrial_clusters": "o",
    "economic_zones": "D",
    "growth_poles": "p",
    "infrastructure_projects": "^",
}
PX_PT = 0.75  # one CSS pixel in points: the web's line weights printed at their on-screen size


@cache
def _catalogue(lang: str) -> dict[str, str]:
    try:
        vi = json.loads((REPO_ROOT / "web" / "i18n" / "vi.json").read_text(encoding="utf-8"))
        own = json.loads((REPO_ROOT / "web" / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return vi | own


def word(lang: str, key: str, default: str) -> str:
    """``key`` ("kind.port", "state.done", "status.planned") from the web catalogue, else ``default``."""
    return _catalogue(lang).get(key, default)


def layer_title(layer: str, lang: str) -> str:
    c = COLLECTIONS[layer]
    return word(lang, f"layer.{layer}", c.title_vi if lang == "vi" else c.title_en)


def _dash(status: str):
    d = STATUS_DASH.get(status)
    return "solid" if d is None else (0, tuple(x * PX_PT for x in d))


def area_style(layer: str, kind: str, status: str, state: str) -> dict:
    """matplotlib patch style of a polygon feature (pm.layerStyle)."""
    if layer == "economic_zones":
        return {"edgecolor": "#d95f02", "linewidth": 2 * PX_PT, "facecolor": _rgba("#fdb863", 0.25)}
    if layer == "growth_poles":
        return {
            "edgecolor": "#7570b3",
            "linewidth": 2.5 * PX_PT,
            "facecolor": _rgba("#7570b3", 0.15),
            "linestyle": (0, (6 * PX_PT, 4 * PX_PT)),
        }
    if layer == "infrastructure_projects":
        colour = KIND_COLOURS.get(kind, "#444444")
        return {
            "edgecolor": colour,
            "linewidth": 2 * PX_PT,
            "facecolor": _rgba(colour, 0.3),
            "linestyle": _dash(status),
        }
    colour = STATE_COLOURS.get(state, "#555555")
    return {"edgecolor": colour, "linewidth": 1.5 * PX_PT, "facecolor": _rgba(colour, 0.2)}


def line_style(kind: str, status: str) -> dict:
    colour = KIND_COLOURS.get(kind, "#444444")
    return {
        "color": colour,
        "linewidth": (5 if kind == "expressway" else 3.5) * PX_PT * 0.8,
        "alpha": 0.9,
        "linestyle": _dash(status),
        "solid_capstyle": "butt",
    }


def point_style(layer: str, kind: str, state: str, planned_ha: float | None, schematic: bool) -> dict:
    """pm.pointStyle: filled by progress state, sized by the square root of the planned area."""
    radius = 6 if not planned_ha else max(5, min(24, 3 + math.sqrt(planned_ha) * 0.6))
    fill = (
        KIND_COLOURS.get(kind, "#444444")
        if layer == "infrastructure_projects"
        else STATE_COLOURS.get(state, STATE_COLOURS["no_tasks"])
    )
    return {
        "marker": MARKERS[layer],
        "markersize": 2 * radius * PX_PT * 0.8,
        "markerfacecolor": fill,
        "markeredgecolor": "#222222",
        "markeredgewidth": 1.2 * PX_PT,
        "alpha": 0.55 if schematic else 0.85,
        "linestyle": "none",
    }


def _rgba(hex_colour: str, alpha: float) -> tuple[float, float, float, float]:
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, alpha)
