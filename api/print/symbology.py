"""The web map's symbology for paper, read from the one file both use (``web/symbology.json``): the same colours,
dashes, widths and meanings.

Parks and clusters are coloured by the progress of their linked tasks, infrastructure by kind with dashes by
status, zones and regions as tinted outlines. Names come from the web's catalogue (web/i18n/<lang>.json) so the
legend reads like the map panel; if a key is missing there, the collection's title is used.
"""

from __future__ import annotations

import math

from layers.store.catalog import plan_layer
from web.i18n import catalogue
from web.symbology import SYMBOLOGY

STATE_COLOURS: dict[str, str] = SYMBOLOGY["state_colours"]
KIND_COLOURS: dict[str, str] = SYMBOLOGY["kind_colours"]
DEFAULT = SYMBOLOGY["default_colour"]
PALETTE: dict[str, str] = SYMBOLOGY["base"]
LAYER_ORDER: tuple[str, ...] = tuple(SYMBOLOGY["layer_order"])
PX_PT = 0.75  # one CSS pixel in points: the web's line weights printed at their on-screen size
MARKER_SHAPES = {"square": "s", "circle": "o", "diamond": "D", "pentagon": "p", "triangle": "^"}
MARKERS = {layer: MARKER_SHAPES[shape] for layer, shape in SYMBOLOGY["points"]["markers"].items()}


def word(lang: str, key: str, default: str) -> str:
    """``key`` ("kind.port", "state.done", "status.planned") from the web catalogue, else ``default``."""
    return catalogue(lang).get(key, default)


def layer_title(layer: str, lang: str) -> str:
    c = plan_layer(layer).collection
    return word(lang, f"layer.{layer}", c.title_vi if lang == "vi" else c.title_en)


def _dash(pattern) -> object:
    return "solid" if not pattern else (0, tuple(x * PX_PT for x in pattern))


def _status_dash(status: str) -> object:
    return _dash(SYMBOLOGY["status_dash"].get(status, SYMBOLOGY["status_dash"]["unknown"]))


def _colour(rule: str, kind: str, state: str) -> str:
    if rule == "by_state":
        return STATE_COLOURS.get(state, DEFAULT)
    if rule == "by_kind":
        return KIND_COLOURS.get(kind, DEFAULT)
    return rule


def area_style(layer: str, kind: str, status: str, state: str) -> dict:
    """matplotlib patch style of a polygon feature."""
    spec = SYMBOLOGY["areas"].get(layer, {"stroke": "by_kind", "weight": 2, "fill": "by_kind", "fill_opacity": 0.3})
    # the state's pattern besides its colour (colour-blind readers), as on the web map
    hatch = SYMBOLOGY["state_patterns"].get(state, {}).get("hatch", "") if spec["fill"] == "by_state" else ""
    return {"edgecolor": _colour(spec["stroke"], kind, state), "linewidth": spec["weight"] * PX_PT,
            "facecolor": _rgba(_colour(spec["fill"], kind, state), spec["fill_opacity"]),
            "linestyle": _dash(spec.get("dash")), "hatch": hatch or None}


def line_style(kind: str, status: str) -> dict:
    spec = SYMBOLOGY["lines"]
    return {"color": KIND_COLOURS.get(kind, DEFAULT), "linewidth": spec["weights"].get(kind, spec["weight"]) * PX_PT,
            "alpha": spec["opacity"], "linestyle": _status_dash(status), "solid_capstyle": "butt"}


def radius(planned_ha: float | None) -> float:
    """Marker radius in px: grows with the square root of the planned area so markers compare by area."""
    r = SYMBOLOGY["points"]["radius"]
    if not planned_ha:
        return r["unknown_area"]
    return max(r["min"], min(r["max"], r["base"] + math.sqrt(planned_ha) * r["per_sqrt_ha"]))


def point_style(layer: str, kind: str, state: str, planned_ha: float | None, schematic: bool) -> dict:
    """Filled by progress state (infrastructure: by kind), sized by the square root of the planned area."""
    spec = SYMBOLOGY["points"]
    fill = _colour(spec["fills"].get(layer, spec["fill"]), kind, state)
    return {"marker": MARKERS[layer], "markersize": 2 * radius(planned_ha) * PX_PT,
            "markerfacecolor": fill, "markeredgecolor": spec["stroke"], "markeredgewidth": spec["weight"] * PX_PT,
            "alpha": spec["schematic"]["fill_opacity"] if schematic else spec["fill_opacity"], "linestyle": "none"}


def _rgba(hex_colour: str, alpha: float) -> tuple[float, float, float, float]:
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, alpha)
