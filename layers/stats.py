"""Area statistics: the one source of the numbers shown by the API, the web map panel and the printed maps.

Areas are hectares in EPSG:9207 (planar VN-2000 / TM-3 104°30'), never degrees or Web Mercator. A polygon
feature that straddles former districts is split by intersection with each district polygon, never assigned
whole. Points and lines have no area: they are counted (by the districts the plan names for them).

>>> from layers.db import make_engine, session_factory       # doctest: +SKIP
>>> with session_factory(make_engine(url))() as s:            # doctest: +SKIP
...     province_summary(s)["totals"]["area_ha"]
628870.0
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geoalchemy2.shape import to_shape
from shapely import STRtree
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.area import hectares
from layers import progress
from layers.models import Province, Target
from layers.plan import FEATURE_LAYERS
from layers.store.catalog import plan_layer, provider
from layers.store.version import VersionedCache
from layers.text import fold

POLYGONAL = ("Polygon", "MultiPolygon")
LINEAR = ("LineString", "MultiLineString")
SLIVER_HA = 0.01  # pieces under 100 m² are seams between district polygons, not part of a feature
PARKS, CLUSTERS = "industrial_parks", "industrial_clusters"


class UnknownDistrict(LookupError):
    """No former district with this GSO code."""


@dataclass(frozen=True)
class OccupancyRule:
    """A 2030 occupancy target of the 2024 plan: at least ``required`` features above ``threshold_pct``."""

    layer: str
    threshold_pct: float
    required: int
    words: tuple[str, ...]  # folded words that name this layer in a target's name
    source: str = "000 §II.2"


# "có ít nhất 02 khu công nghiệp có tỷ lệ lấp đầy đạt trên 85% và ít nhất 03 cụm công nghiệp đạt trên 60%"
OCCUPANCY_RULES = (
    OccupancyRule(PARKS, 85.0, 2, ("khu cong nghiep", "industrial park")),
    OccupancyRule(CLUSTERS, 60.0, 3, ("cum cong nghiep", "industrial cluster")),
)


@dataclass(frozen=True)
class DistrictRow:
    gso_code: int
    name: str
    short_name: str
    type: str
    area_ha: float
    raw_material: bool
    raw_material_source: str | None
    geom: BaseGeometry


@dataclass(frozen=True)
class FeatureRow:
    id: str
    layer: str
    name: str
    name_en: str | None
    kind: str
    status: str
    planned_area_ha: float | None
    occupancy_pct: float | None
    occupancy_note: str | None
    geometry_precision: str
    geom: BaseGeometry
    districts: tuple[int, ...]  # as the plan names them

    @property
    def shape(self) -> str:
        kind = self.geom.geom_type
        return "polygon" if kind in POLYGONAL else "line" if kind in LINEAR else "point"


@dataclass
class Snapshot:
    """Everything the statistics need, read once per data version (progress is always read live)."""

    districts: dict[int, DistrictRow]
    features: dict[str, FeatureRow]
    pieces: dict[tuple[str, int], float]  # (feature id, gso code) -> hectares of the feature in the district
    province: dict[str, Any] | None = None

    def mapped_ha(self, f: FeatureRow) -> float | None:
        return hectares(f.geom) if f.shape == "polygon" else None


# -- the one place that decides where areas are computed ----------------------------------------------------

def intersection_areas(features: list[FeatureRow], districts: list[DistrictRow]) -> dict[tuple[str, int], float]:
    """Hectares (EPSG:9207) of every polygon feature inside every district polygon it overlaps.

    Computed with shapely and the pinned EPSG:6960 transformation (``geo.area.hectares``), once per data version.
    Pieces under ``SLIVER_HA`` are dropped as boundary seams.
    """
    tree = STRtree([d.geom for d in districts])
    out: dict[tuple[str, int], float] = {}
    for f in features:
        if f.shape != "polygon":
            continue
        for i in tree.query(f.geom, predicate="intersects"):
            d = districts[int(i)]
            piece = f.geom.intersection(d.geom)
            ha = hectares(piece) if not piece.is_empty else 0.0
            if ha >= SLIVER_HA:
                out[(f.id, d.gso_code)] = ha
    return out


# -- reading -------------------------------------------------------------------------------------------------

_SNAPSHOTS = VersionedCache("stats_snapshot")


def snapshot(session: Session) -> Snapshot:
    """The snapshot of this database at its current data version (read through the providers, cached)."""
    return _SNAPSHOTS.get(session, _read_snapshot)


def _feature_row(layer: str, fid: str, p: dict, geom: BaseGeometry) -> FeatureRow:
    codes = tuple(int(c) for c in p["district_codes"].split(",") if c)
    return FeatureRow(fid, layer, p["name"], p["name_en"], p["kind"], p["status"], p["planned_area_ha"],
                      p["occupancy_pct"], p["occupancy_note"], p["geometry_precision"], geom, codes)


def _read_snapshot(session: Session) -> Snapshot:
    districts = [
        DistrictRow(code, p["name"], p["short_name"], p["type"], p["area_ha"], bool(p["raw_material"]),
                    p["raw_material_source"], geom)
        for code, p, geom in provider("districts").records(session)
    ]
    features = [_feature_row(layer, fid, p, geom) for layer in FEATURE_LAYERS
                for fid, p, geom in plan_layer(layer).records(session)]
    province = session.scalars(select(Province).where(Province.role == "subject")).first()
    return Snapshot(
        districts={d.gso_code: d for d in districts},
        features={f.id: f for f in features},
        pieces=intersection_areas(features, districts),
        province={"code": province.code, "name": province.name, "outline_area_ha": round(hectares(
            to_shape(province.geom)), 2)} if province else None,
    )


def _r(x: float | None, n: int = 2) -> float | None:
    return None if x is None else round(x, n)


# -- statistics ----------------------------------------------------------------------------------------------

def _cell(snap: Snapshot, layer: str, d: DistrictRow) -> dict:
    """One layer in one district: split polygon hectares, share of the district, counts by shape."""
    ha, polygons, points, lines = 0.0, 0, 0, 0
    for f in snap.features.values():
        if f.layer != layer:
            continue
        if f.shape == "polygon":
            piece = snap.pieces.get((f.id, d.gso_code))
            if piece:
                ha += piece
                polygons += 1
        elif d.gso_code in f.districts:
            points += f.shape == "point"
            lines += f.shape == "line"
    return {"layer": layer, "gso_code": d.gso_code, "district": d.name, "district_area_ha": _r(d.area_ha),
            "area_ha": _r(ha, 4), "share_pct": _r(100 * ha / d.area_ha, 4) if d.area_ha else None,
            "feature_count": polygons + points + lines, "polygon_count": polygons, "point_count": points,
            "line_count": lines}


def layer_district_areas(session: Session, layer: str | None = None) -> list[dict]:
    """Every (layer, former district) pair: feature hectares inside the district, the district's area, the
    share in percent and the feature counts. Ordered by layer then GSO code."""
    snap = snapshot(session)
    layers = [layer] if layer else list(FEATURE_LAYERS)
    return [_cell(snap, lay, d) for lay in layers for d in snap.districts.values()]


def _layer_totals(snap: Snapshot) -> list[dict]:
    out = []
    for layer in FEATURE_LAYERS:
        feats = [f for f in snap.features.values() if f.layer == layer]
        mapped = sum(snap.mapped_ha(f) or 0.0 for f in feats)
        inside = sum(ha for (fid, _), ha in snap.pieces.items() if snap.features[fid].layer == layer)
        out.append({
            "layer": layer, "feature_count": len(feats),
            "polygon_count": sum(f.shape == "polygon" for f in feats),
            "point_count": sum(f.shape == "point" for f in feats),
            "line_count": sum(f.shape == "line" for f in feats),
            "indicative_count": sum(f.geometry_precision == "indicative" for f in feats),
            "mapped_area_ha": _r(mapped), "in_districts_ha": _r(inside),
            "outside_districts_ha": _r(max(mapped - inside, 0.0)),
        })
    return out


def _district_entry(snap: Snapshot, d: DistrictRow) -> dict:
    hectares_by_layer = {layer: 0.0 for layer in FEATURE_LAYERS}
    for (fid, code), ha in snap.pieces.items():
        if code == d.gso_code:
            hectares_by_layer[snap.features[fid].layer] += ha
    return {"gso_code": d.gso_code, "name": d.name, "short_name": d.short_name, "type": d.type,
            "area_ha": _r(d.area_ha), "raw_material": d.raw_material,
            "hectares": {k: _r(v, 4) for k, v in hectares_by_layer.items()}}


def province_summary(session: Session) -> dict:
    """The district areas table with hectares by layer, and province totals equal to the sum of the districts.

    ``layers`` compares each layer's mapped polygon area with what falls inside the districts; ``province``
    gives the outline's own area (the districts' polygons do not tile it exactly)."""
    snap = snapshot(session)
    rows = [_district_entry(snap, d) for d in snap.districts.values()]
    total_area = sum(d.area_ha for d in snap.districts.values())
    by_layer = {layer: _r(sum(ha for (fid, _), ha in snap.pieces.items() if snap.features[fid].layer == layer), 4)
                for layer in FEATURE_LAYERS}
    return {"districts": rows,
            "totals": {"districts": len(rows), "area_ha": _r(total_area), "hectares": by_layer},
            "layers": _layer_totals(snap), "province": snap.province}


def district_summary(session: Session, gso_code: int, today=None) -> dict:
    """One former district: identity and area, raw-material flag, hectares by layer, the parks and clusters in
    it (planned area, occupancy) and the progress of its linked tasks. Raises UnknownDistrict."""
    snap = snapshot(session)
    d = snap.districts.get(gso_code)
    if d is None:
        raise UnknownDistrict(gso_code)
    parks = [
        _occupancy_item(snap, f) | {"area_in_district_ha": _r(snap.pieces.get((f.id, gso_code)), 4)}
        for f in snap.features.values()
        if f.layer in (PARKS, CLUSTERS) and (gso_code in f.districts or (f.id, gso_code) in snap.pieces)
    ]
    tasks = progress.district_tasks(session, gso_code, today)
    return {"gso_code": d.gso_code, "name": d.name, "short_name": d.short_name, "type": d.type,
            "area_ha": _r(d.area_ha), "raw_material": d.raw_material, "raw_material_source": d.raw_material_source,
            "layers": [_cell(snap, layer, d) for layer in FEATURE_LAYERS], "parks_and_clusters": parks,
            "tasks": tasks.counts(),
            "progress": tasks.progress.as_dict() | {"task_ids": list(tasks.linked)}}


def raw_material_totals(session: Session) -> dict:
    """The districts the plans name as raw-material areas: each with its area and share of the province, their
    totals, and the hectares of each layer inside them."""
    snap = snapshot(session)
    province_ha = sum(d.area_ha for d in snap.districts.values())
    raw = [d for d in snap.districts.values() if d.raw_material]
    area = sum(d.area_ha for d in raw)
    codes = {d.gso_code for d in raw}
    rows = [{"gso_code": d.gso_code, "name": d.name, "area_ha": _r(d.area_ha),
             "share_pct": _r(100 * d.area_ha / province_ha, 3), "source": d.raw_material_source} for d in raw]
    by_layer = {layer: _r(sum(ha for (fid, c), ha in snap.pieces.items()
                              if c in codes and snap.features[fid].layer == layer), 4) for layer in FEATURE_LAYERS}
    return {"districts": rows,
            "totals": {"districts": len(rows), "area_ha": _r(area), "province_area_ha": _r(province_ha),
                       "share_pct": _r(100 * area / province_ha, 3) if province_ha else None,
                       "hectares": by_layer}}


# -- occupancy -----------------------------------------------------------------------------------------------

def _rule(layer: str) -> OccupancyRule | None:
    return next((r for r in OCCUPANCY_RULES if r.layer == layer), None)


def _occupancy_item(snap: Snapshot, f: FeatureRow) -> dict:
    rule = _rule(f.layer)
    known = f.occupancy_pct is not None
    return {
        "id": f.id, "layer": f.layer, "name": f.name, "name_en": f.name_en, "status": f.status,
        "districts": list(f.districts), "planned_area_ha": f.planned_area_ha,
        "mapped_area_ha": _r(snap.mapped_ha(f)), "geometry_type": f.shape,
        "geometry_precision": f.geometry_precision, "indicative": f.geometry_precision == "indicative",
        "occupancy_pct": f.occupancy_pct, "occupancy_note": f.occupancy_note if known else "occupancy unknown",
        "above_threshold": (f.occupancy_pct > rule.threshold_pct) if (known and rule) else None,
    }


def _matching_targets(session: Session, rule: OccupancyRule) -> list[dict]:
    """Target rows about this rule's occupancy, as the data gives them (ids are the data author's)."""
    out = []
    for t in session.scalars(select(Target).order_by(Target.id)):
        words = fold(f"{t.name} {t.name_en or ''} {t.unit or ''}")
        if ("lap day" in words or "occupancy" in words) and any(w in words for w in rule.words):
            out.append({"id": t.id, "name": t.name, "name_en": t.name_en, "unit": t.unit,
                        "comparator": t.comparator, "value": t.value, "value_min": t.value_min,
                        "value_max": t.value_max, "year": t.year, "source": t.source,
                        "threshold_pct": getattr(t, "threshold_pct", None)})
    return out


def _effective_rule(rule: OccupancyRule, targets: list[dict]) -> tuple[float, int, str]:
    """Threshold and required count from the one matching target row when the data gives it, else the plan's
    words; and which of the two was used."""
    if len(targets) != 1 or targets[0]["value"] is None:
        return rule.threshold_pct, rule.required, "plan"
    t = targets[0]
    threshold = t.get("threshold_pct") or _percent_in(t["name"]) or rule.threshold_pct
    return float(threshold), int(t["value"]), f"target {t['id']}"


def _percent_in(text: str) -> float | None:
    """The first percentage in a text: "đạt trên 85%" -> 85.0."""
    m = re.search(r"(\d+(?:[.,]\d+)?)\s*%", text)
    return float(m.group(1).replace(",", ".")) if m else None


def _group(session: Session, rule: OccupancyRule, items: list[dict]) -> dict:
    targets = _matching_targets(session, rule)
    threshold, required, basis = _effective_rule(rule, targets)
    for i in items:
        if i["occupancy_pct"] is not None:
            i["above_threshold"] = i["occupancy_pct"] > threshold
    known = [i for i in items if i["occupancy_pct"] is not None]
    above = sum(bool(i["above_threshold"]) for i in known)
    unknown = len(items) - len(known)
    state = "met" if above >= required else "not_met" if above + unknown < required else "unknown"
    return {"layer": rule.layer, "threshold_pct": threshold, "required": required, "rule_basis": basis,
            "rule_source": rule.source, "features": len(items), "occupancy_known": len(known),
            "occupancy_unknown": unknown, "above_threshold": above, "target_state": state,
            "planned_area_ha": _r(sum(i["planned_area_ha"] or 0.0 for i in items)),
            "mapped_area_ha": _r(sum(i["mapped_area_ha"] or 0.0 for i in items)),
            "targets": targets}


def occupancy_targets(session: Session) -> dict:
    """Parks and clusters with planned and mapped area and occupancy, and how they stand against the 2030
    targets (at least 2 parks above 85 %, at least 3 clusters above 60 %).

    ``target_state`` is ``met``, ``not_met`` or ``unknown`` (features without an occupancy figure could still
    decide it); a feature without a figure says "occupancy unknown", nothing is invented."""
    snap = snapshot(session)
    items = [_occupancy_item(snap, f) for f in snap.features.values() if f.layer in (PARKS, CLUSTERS)]
    groups = [_group(session, rule, [i for i in items if i["layer"] == rule.layer]) for rule in OCCUPANCY_RULES]
    return {"features": items, "groups": groups}



# -- imported layers -------------------------------------------------------------------------------------------

def imported_layer_ids(session: Session) -> list[str]:
    from layers.store.imported import imported_providers

    return [p.collection.id for p in imported_providers(session)]


def imported_district_areas(session: Session, layer: str, cache_dir: Path | None = None) -> list[dict]:
    """The ``layer_district_areas`` rows of an imported layer: its features split by intersection with every
    former district (EPSG:9207), the share of the district, and how many of its features meet it."""
    from layers.imports.stats import area_by_district
    from layers.store.imported import imported_providers
    from layers.store.version import stamp

    provider = next(p for p in imported_providers(session) if p.collection.id == layer)
    shape = {"MultiPolygon": "polygon", "MultiLineString": "line", "MultiPoint": "point"}.get(
        provider.collection.geometry_type, "polygon")
    found = {r["gso_code"]: r for r in area_by_district(session.get_bind(), layer, stamp(session), cache_dir)}
    rows = []
    for d in snapshot(session).districts.values():
        got = found.get(d.gso_code, {"hectares": 0.0, "features": 0})
        ha = got["hectares"] if shape == "polygon" else 0.0
        rows.append({"layer": layer, "gso_code": d.gso_code, "district": d.name, "district_area_ha": _r(d.area_ha),
                     "area_ha": _r(ha, 4), "share_pct": _r(100 * ha / d.area_ha, 4) if d.area_ha else None,
                     "feature_count": got["features"], "polygon_count": got["features"] if shape == "polygon" else 0,
                     "point_count": got["features"] if shape == "point" else 0,
                     "line_count": got["features"] if shape == "line" else 0})
    return rows


def landuse_by_district(session: Session, layer: str, cache_dir: Path | None = None) -> list[dict]:
    """Hectares of each land-use code of ``layer`` in each former district, with the code's names."""
    from layers.imports import stats as imported
    from layers.store.version import stamp

    rows = imported.landuse_by_district(session.get_bind(), layer, stamp(session), cache_dir)
    return [_named(r) for r in rows]


def landuse_overlay(session: Session, layer: str, feature_id: str | None = None,
                    cache_dir: Path | None = None) -> list[dict]:
    """For each park, cluster and economic zone drawn as a polygon: the hectares of each land-use code of
    ``layer`` inside it (how much paddy land a planned park would convert)."""
    from layers.imports import stats as imported
    from layers.store.version import stamp

    rows = imported.landuse_overlay(session.get_bind(), layer, stamp(session), cache_dir)
    return [_named(r) for r in rows if feature_id is None or r["feature_id"] == feature_id]


def _named(row: dict) -> dict:
    from layers.imports.landuse import codes

    known = codes().get(row["code"] or "")
    return row | {"hectares": _r(row["hectares"], 4), "name_vi": known.vi if known else None,
                  "name_en": known.en if known else None, "group": known.group if known else None}
