"""Official boundaries from dvhcvn GIS files: Kiên Giang's former districts, its outline and neighbours."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import MultiPolygon, shape
from shapely.geometry.base import BaseGeometry

from geo.area import hectares
from geo.geometry import as_multipolygon, invalid_reason, repaired
from layers.text import fold, nfc

KIEN_GIANG = "91"
TYPE_PREFIXES = ("Thành phố", "Thị xã", "Huyện", "Quận")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    type: str
    geom: MultiPolygon


def _geometry(raw: dict, where: str) -> MultiPolygon:
    geom: BaseGeometry = shape({"type": raw["type"], "coordinates": raw["coordinates"]})
    if invalid_reason(geom):
        geom = repaired(geom)  # upstream rings sometimes touch themselves at islands
    reason = invalid_reason(geom)
    if reason:
        raise ValueError(f"{where}: invalid geometry that cannot be repaired: {reason}")
    return as_multipolygon(geom)


def read_province(path: Path) -> tuple[Unit, list[Unit]]:
    """The province and its district-level units from one ``data/gis/NN.json`` file."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    province = Unit(str(raw["level1_id"]), nfc(raw["name"]), nfc(raw["type"]), _geometry(raw, f"{path}"))
    districts = [
        Unit(str(d["level2_id"]), nfc(d["name"]), nfc(d["type"]), _geometry(d, f"{path}: {d['name']}"))
        for d in raw.get("level2s", [])
    ]
    return province, districts


def short_name(name: str) -> str:
    """Name without its type prefix: "Huyện Gò Quao" -> "Gò Quao"."""
    for prefix in TYPE_PREFIXES:
        if name.startswith(prefix + " "):
            return name[len(prefix) + 1 :]
    return name


def district_record(unit: Unit, source: str) -> dict:
    """Column values for a ``District`` row."""
    short = short_name(unit.name)
    return {
        "gso_code": int(unit.code),
        "name": unit.name,
        "short_name": short,
        "type": unit.name[: len(unit.name) - len(short)].strip() or unit.type,
        "search_text": fold(f"{unit.name} {short}"),
        "area_ha": hectares(unit.geom),
        "source": source,
        "geom": unit.geom,
    }
