"""Statistics by the 2025 units (communes of An Giang from 1 July 2025) covering former Kiên Giang.

Hectares of each plan layer's polygons inside each unit, split by intersection in EPSG:9207, like the district
statistics; and the unit's tasks, counted the way ``layers.progress`` counts a district's:

- ``tasks_via_district``: tasks whose item names a former district the unit was formed from (Resolution 1654);
- ``tasks_via_features``: tasks linked to a plan feature lying in the unit (by its geometry; a feature whose
  location is not known is only a candidate of the units of its district and is not counted here);
- ``tasks_linked``: either, with their progress.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from shapely import STRtree
from sqlalchemy.orm import Session

from geo.area import M2_PER_HA
from layers import progress
from layers.admin2025.index import admin_index, to_tm3
from layers.admin2025.lookup import plan_feature_communes
from layers.plan import FEATURE_LAYERS
from layers.stats import SLIVER_HA, _r, snapshot
from layers.store.version import VersionedCache


@dataclass(frozen=True)
class CommuneTasks:
    via_district: tuple[str, ...]
    via_features: tuple[str, ...]
    linked: tuple[str, ...]
    progress: progress.Rollup

    def counts(self) -> dict[str, int]:
        return {"tasks_via_district": len(self.via_district), "tasks_via_features": len(self.via_features),
                "tasks_linked": len(self.linked)}


def district_units(session: Session) -> dict[int, set[str]]:
    """Former district -> the 2025 units formed from its communes (Resolution 1654)."""
    out: dict[int, set[str]] = defaultdict(set)
    for c in admin_index(session).crosswalk:
        if c.formed_from_district and c.commune:
            out[c.district].add(c.commune)
    return out


def feature_units(session: Session) -> dict[str, set[str]]:
    """Plan feature -> the 2025 units its geometry lies in (features placed at their district: none)."""
    return {fid: {c.commune.code for c in found.communes}
            for fid, found in plan_feature_communes(session).items() if found.basis == "geometry"}


def commune_tasks(session: Session, code: str, today: dt.date | None = None) -> CommuneTasks:
    """The tasks of one 2025 unit (empty for a code without any)."""
    lk = progress.links(session)
    formed_from = [d for d, units in district_units(session).items() if code in units]
    via_district = sorted({t for d in formed_from for t in lk.district_direct.get(d, ())})
    inside = [fid for fid, units in feature_units(session).items() if code in units]
    via_features = sorted({t for fid in inside for t in lk.feature_tasks.get(fid, ())})
    linked = sorted(set(via_district) | set(via_features))
    return CommuneTasks(tuple(via_district), tuple(via_features), tuple(linked),
                        progress.rollup(linked, progress.task_states(session, today)))


def task_units(session: Session) -> dict[str, list[str]]:
    """Task id -> the 2025 units it falls on, by the rule of ``commune_tasks`` (the task browser's filter)."""
    lk = progress.links(session)
    by_task: dict[str, set[str]] = defaultdict(set)
    for district, units in district_units(session).items():
        for tid in lk.district_direct.get(district, ()):
            by_task[tid] |= units
    for fid, units in feature_units(session).items():
        for tid in lk.feature_tasks.get(fid, ()):
            by_task[tid] |= units
    return {tid: sorted(codes) for tid, codes in by_task.items()}


_PIECES = VersionedCache("commune_pieces")


def _read_pieces(session: Session) -> dict[tuple[str, str], float]:
    """(feature id, unit code) -> hectares of the plan polygon inside the unit (EPSG:9207)."""
    index = admin_index(session)
    codes = list(index.commune_geoms)
    units = [index.commune_geoms[c] for c in codes]  # EPSG:9207
    tree = STRtree(units)
    out: dict[tuple[str, str], float] = {}
    for f in snapshot(session).features.values():
        if f.shape != "polygon":
            continue
        shape = to_tm3(f.geom)
        for i in tree.query(shape, predicate="intersects"):
            ha = shape.intersection(units[int(i)]).area / M2_PER_HA
            if ha >= SLIVER_HA:
                out[(f.id, codes[int(i)])] = ha
    return out


def commune_summary(session: Session, today: dt.date | None = None) -> list[dict]:
    """Every 2025 unit: identity, area (EPSG:9207), former districts, hectares by plan layer and its tasks."""
    index = admin_index(session)
    pieces = _PIECES.get(session, _read_pieces)
    features = snapshot(session).features
    by_unit: dict[str, dict[str, float]] = defaultdict(lambda: {layer: 0.0 for layer in FEATURE_LAYERS})
    for (fid, code), ha in pieces.items():
        by_unit[code][features[fid].layer] += ha
    rows = []
    for code, unit in sorted(index.communes.items()):
        tasks = commune_tasks(session, code, today)
        rows.append({"code": code, "name": unit.name, "type": unit.type, "full_name": unit.full_name,
                     "formed_from_kien_giang": unit.formed_from_kien_giang,
                     "area_ha": _r(index.commune_geoms[code].area / M2_PER_HA),
                     "former_district_codes": sorted({c.district for c in index.crosswalk
                                                     if c.commune == code and c.formed_from_district}),
                     "hectares": {k: _r(v, 4) for k, v in by_unit[code].items()},
                     "tasks": tasks.counts(), "progress": tasks.progress.as_dict()})
    return rows
