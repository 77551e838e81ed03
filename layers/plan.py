"""The plan as data: read every file of ``data/plan``, check links and rules across files, build geometries.

>>> plan = read_plan(Path("data"))          # doctest: +SKIP
>>> plan.errors, plan.counts()["industrial_parks"]   # doctest: +SKIP
([], 5)
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shapely.geometry import LineString, MultiPolygon, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from geo.geometry import as_multipolygon, footprint, invalid_reason
from layers import datafiles as df

FEATURE_LAYERS = ("industrial_parks", "industrial_clusters", "economic_zones", "growth_poles",
                  "infrastructure_projects")
DISTRICT_CODES = frozenset({899, 900, 902, 903, 904, 905, 906, 907, 908, 909, 910, 911, 912, 913, 914})
AREA_TOLERANCE = 0.01  # a drawn footprint must match its planned area within 1 %


@dataclass
class PlanData:
    documents: list[tuple[df.Record, df.DocumentIn]] = field(default_factory=list)
    agencies: list[tuple[df.Record, df.AgencyIn]] = field(default_factory=list)
    targets: list[tuple[df.Record, df.TargetIn]] = field(default_factory=list)
    tasks: list[tuple[df.Record, df.TaskIn]] = field(default_factory=list)
    raw_material: list[tuple[df.Record, df.RawMaterialIn]] = field(default_factory=list)
    features: dict[str, list[tuple[df.Record, df.FeatureIn]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def all_features(self) -> list[tuple[str, df.Record, df.FeatureIn]]:
        return [(layer, rec, f) for layer, items in self.features.items() for rec, f in items]

    def counts(self) -> dict[str, int]:
        counts = {layer: len(items) for layer, items in self.features.items()}
        counts.update(
            documents=len(self.documents), agencies=len(self.agencies), targets=len(self.targets),
            tasks=len(self.tasks), tasks_2022=sum(1 for _, t in self.tasks if t.plan == "001"),
            tasks_2024=sum(1 for _, t in self.tasks if t.plan == "000"),
            raw_material_districts=len(self.raw_material),
        )
        return counts


def _read(path: Path, model, plan: PlanData) -> list:
    if not path.exists():
        plan.errors.append(f"{path}:1: file missing")
        return []
    try:
        parsed, errors = df.parse(df.read_records(path), model)
    except df.DataError as exc:
        plan.errors.extend(exc.errors)
        return []
    plan.errors.extend(errors)
    return parsed


def read_plan(data_dir: Path) -> PlanData:
    """Read and check every file of ``data_dir/plan``; problems land in ``errors``, nothing is raised."""
    base = data_dir / "plan"
    plan = PlanData()
    plan.documents = _read(base / "documents.yaml", df.DocumentIn, plan)
    plan.agencies = _read(base / "agencies.yaml", df.AgencyIn, plan)
    plan.targets = _read(base / "targets.yaml", df.TargetIn, plan)
    plan.tasks = _read(base / "tasks_2022.yaml", df.TaskIn, plan) + _read(base / "tasks_2024.yaml", df.TaskIn, plan)
    plan.raw_material = _read(base / "raw_material_districts.yaml", df.RawMaterialIn, plan)
    for layer in FEATURE_LAYERS:
        plan.features[layer] = _read(base / "features" / f"{layer}.yaml", df.FeatureIn, plan)
    plan.errors.extend(cross_check(plan))
    return plan


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _unique(items, key: str, errors: list[str]) -> set:
    seen: dict[Any, str] = {}
    for rec, obj in items:
        value = getattr(obj, key)
        if value in seen:
            errors.append(f"{rec.where(key)}: duplicate {key} {value!r} (first at {seen[value]})")
        seen[value] = rec.where(key)
    return set(seen)


def cross_check(plan: PlanData) -> list[str]:
    """Rules across records and files: unique ids, links resolve, precision and area rules, NFC text."""
    errors: list[str] = []
    features = [(rec, f) for _, rec, f in plan.all_features()]
    doc_keys = _unique(plan.documents, "key", errors)
    agency_ids = _unique(plan.agencies, "id", errors)
    _unique(plan.agencies, "code", errors)
    feature_ids = _unique(features, "id", errors)
    _unique(plan.tasks, "id", errors)
    _unique(plan.targets, "id", errors)
    _unique(plan.raw_material, "gso", errors)
    everything = plan.documents + plan.agencies + plan.targets + plan.tasks + plan.raw_material + features
    for rec, _ in everything:
        for text in _strings(rec.data):
            if not unicodedata.is_normalized("NFC", text):
                errors.append(f"{rec.where()}: text not in Unicode NFC: {text[:40]!r}")
    for rec, a in plan.agencies:
        if a.district is not None and a.district not in DISTRICT_CODES:
            errors.append(f"{rec.where('district')}: unknown former district {a.district}")
    for rec, t in plan.tasks:
        if t.plan not in doc_keys:
            errors.append(f"{rec.where('plan')}: unknown document {t.plan!r}")
        for agency in [t.lead, *t.partners]:
            if agency not in agency_ids:
                errors.append(f"{rec.where('lead' if agency == t.lead else 'partners')}: unknown agency {agency!r}")
        for fid in t.features:
            if fid not in feature_ids:
                errors.append(f"{rec.where('features')}: unknown feature {fid!r}")
        for code in t.districts:
            if code not in DISTRICT_CODES:
                errors.append(f"{rec.where('districts')}: unknown former district {code}")
    for rec, r in plan.raw_material:
        if r.gso not in DISTRICT_CODES:
            errors.append(f"{rec.where('gso')}: unknown former district {r.gso}")
    for rec, f in features:
        errors.extend(_feature_rules(rec, f))
    return errors


def _feature_rules(rec: df.Record, f: df.FeatureIn) -> list[str]:
    errors = [f"{rec.where('districts')}: unknown former district {c}" for c in f.districts if c not in DISTRICT_CODES]
    spec, where = f.geometry, rec.where("geometry")
    if f.geometry_precision == "surveyed":
        errors.append(f"{rec.where('geometry_precision')}: no geometry here is surveyed; say indicative or schematic")
    if spec.form == "footprint":
        if f.geometry_precision != "indicative":
            errors.append(f"{where}: a footprint around a point is 'indicative', not {f.geometry_precision!r}")
        if f.planned_area_ha is None or abs(spec.footprint.area_ha - f.planned_area_ha) > AREA_TOLERANCE * f.planned_area_ha:
            errors.append(f"{where}: footprint area_ha {spec.footprint.area_ha} must equal planned_area_ha {f.planned_area_ha}")
    if spec.form in ("line", "district_point") and f.geometry_precision != "schematic":
        errors.append(f"{where}: a {spec.form.replace('_', ' ')} is 'schematic', not {f.geometry_precision!r}")
    for code in ([spec.district_point] if spec.district_point else []) + (spec.districts or []):
        if code not in DISTRICT_CODES:
            errors.append(f"{where}: unknown former district {code}")
    if spec.form in ("point", "line", "footprint"):
        reason = invalid_reason(build_geometry(spec, {}))
        if reason:
            errors.append(f"{where}: {reason}")
    return errors


def build_geometry(spec: df.GeometrySpec, districts: dict[int, MultiPolygon]) -> BaseGeometry:
    """The stored geometry (EPSG:4326) of a feature; district forms need the district polygons."""
    if spec.point:
        return Point(spec.point)
    if spec.line:
        return LineString(spec.line)
    if spec.footprint:
        return footprint(tuple(spec.footprint.center), spec.footprint.area_ha)
    if spec.district_point:
        return districts[spec.district_point].representative_point()
    return as_multipolygon(unary_union([districts[c] for c in spec.districts]))
