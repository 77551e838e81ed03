"""The plan as data: read every file of ``data/plan``, check links and rules across files, build geometries.

>>> plan = read_plan(Path("data"))          # doctest: +SKIP
>>> plan.errors, plan.counts()["industrial_parks"]   # doctest: +SKIP
([], 5)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shapely.geometry import LineString, MultiPolygon, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from geo.geometry import as_multipolygon, footprint, invalid_reason
from layers import datafiles as df

FEATURE_LAYERS = ("industrial_parks", "industrial_clusters", "economic_zones", "growth_poles", "dynamic_regions",
                  "infrastructure_projects")
DISTRICT_CODES = frozenset({899, 900, 902, 903, 904, 905, 906, 907, 908, 909, 910, 911, 912, 913, 914})
AREA_TOLERANCE = 0.01  # a drawn footprint must match its planned area within 1 %
# One reference of a `source` (data/README.md): "000 §III.3.c", "000 §III.3.c, footnote 5", "001 §II.1.đ",
# "000 §III. TỔ CHỨC THỰC HIỆN, mục 1" (a part the document heads by name), "facts §6".
_NUMBERED = r"[IVX]+(?:\.\d{1,2}(?:\.[a-zđ])?)?"  # III, III.3, III.3.c
_HEADED = r"[IVX]+\. [^\W\d_][^,;§]*[^\W\d_]"  # III. TỔ CHỨC THỰC HIỆN
SOURCE_REF = re.compile(rf"(?P<document>[0-9]{{3}}|facts) §(?P<section>{_NUMBERED}|{_HEADED}|\d+)"
                        r"(?:, mục (?P<paragraph>\d+))?(?:, footnote (?P<footnote>\d+))?")


@dataclass(frozen=True)
class SourceRef:
    """One place in a reference document, e.g. ``SourceRef("000", "III.3.c", None, 5)``."""

    document: str
    section: str
    paragraph: int | None = None
    footnote: int | None = None


def parse_source(source: str) -> list[SourceRef]:
    """The references of a ``source`` joined by ``"; "``; ``ValueError`` names a part that follows no pattern.

    >>> [(r.document, r.section, r.footnote) for r in parse_source("000 §III.3.c, footnote 5; facts §1")]
    [('000', 'III.3.c', 5), ('facts', '1', None)]
    """
    refs = []
    for part in source.split("; "):
        match = SOURCE_REF.fullmatch(part)
        if not match:
            raise ValueError(f"source part {part!r} follows none of the patterns of data/README.md")
        number = {k: int(v) if v else None for k, v in match.groupdict().items() if k in ("paragraph", "footnote")}
        refs.append(SourceRef(match["document"], match["section"], **number))
    return refs


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
        """Records per file; tasks per document item (``cross_check`` makes sure an item has one task)."""
        doc_items = {key: {_item_key(t) for _, t in self.tasks if t.plan == key} for key in ("000", "001")}
        counts = {layer: len(items) for layer, items in self.features.items()}
        counts.update(
            documents=len(self.documents), agencies=len(self.agencies), targets=len(self.targets),
            tasks=len(self.tasks), tasks_2022=len(doc_items["001"]), tasks_2024=len(doc_items["000"]),
            raw_material_districts=len(self.raw_material),
        )
        return counts


def _item_key(t: df.TaskIn) -> tuple:
    """The document item a task stands for: its plan, section, item and bullet (or paragraph)."""
    return t.plan, t.section, t.item, t.bullet


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
    for rec, obj in everything:
        for text in _strings(rec.data):
            if not unicodedata.is_normalized("NFC", text):
                errors.append(f"{rec.where()}: text not in Unicode NFC: {text[:40]!r}")
        errors.extend(_source_rules(rec, getattr(obj, "source", None), doc_keys))
    for rec, a in plan.agencies:
        if a.district is not None and a.district not in DISTRICT_CODES:
            errors.append(f"{rec.where('district')}: unknown former district {a.district}")
    for rec, t in plan.tasks:
        errors.extend(_task_rules(rec, t, doc_keys, agency_ids, feature_ids))
    errors.extend(_task_identity(plan.tasks))
    for rec, r in plan.raw_material:
        if r.gso not in DISTRICT_CODES:
            errors.append(f"{rec.where('gso')}: unknown former district {r.gso}")
    for layer, rec, f in plan.all_features():
        errors.extend(_feature_rules(rec, f))
        errors.extend(_declared_properties(layer, rec, f))
    return errors


def _declared_properties(layer: str, rec: df.Record, f: df.FeatureIn) -> list[str]:
    """Every feature of a layer carries the same keys: its extra properties must be the layer's declared ones."""
    from layers.store.plan_layers import LAYER_EXTRAS  # the fields the layer's collections publish

    declared = {field.name: field.type for field in LAYER_EXTRAS.get(layer, ())}
    errors = []
    for key, value in f.properties.items():
        if key not in declared:
            errors.append(f"{rec.where('properties')}: property {key!r} is not declared for {layer} "
                          f"(declared: {', '.join(declared) or 'none'}; add it in layers/store/plan_layers.py)")
        elif declared[key] in ("number", "integer") and not isinstance(value, (int, float, type(None))):
            errors.append(f"{rec.where('properties')}: property {key!r} must be a number, got {value!r}")
    return errors


def _source_rules(rec: df.Record, source: str | None, doc_keys: set) -> list[str]:
    if source is None:
        return []
    try:
        refs = parse_source(source)
    except ValueError as exc:
        return [f"{rec.where('source')}: {exc}"]
    return [f"{rec.where('source')}: unknown document {r.document!r}" for r in refs if r.document not in doc_keys]


def _task_rules(rec: df.Record, t: df.TaskIn, doc_keys: set, agency_ids: set, feature_ids: set) -> list[str]:
    """Links of one task resolve; its leads, partners and deadlines agree with each other."""
    errors = [] if t.plan in doc_keys else [f"{rec.where('plan')}: unknown document {t.plan!r}"]
    for key, agencies in (("leads", t.leads), ("partners", t.partners)):
        errors += [f"{rec.where(key)}: unknown agency {a!r}" for a in agencies if a not in agency_ids]
        errors += [f"{rec.where(key)}: {a!r} given twice" for a in set(agencies) if agencies.count(a) > 1]
    errors += [f"{rec.where('partners')}: {a!r} is a lead, not a partner" for a in t.partners if a in t.leads]
    errors += [f"{rec.where('features')}: unknown feature {f!r}" for f in t.features if f not in feature_ids]
    errors += [f"{rec.where('districts')}: unknown former district {c}" for c in t.districts if c not in DISTRICT_CODES]
    return errors + _deadline_rules(rec, t)


def _deadline_rules(rec: df.Record, t: df.TaskIn) -> list[str]:
    """A date has the document's words, words have English ones, and several parts sum up to the whole."""
    errors = []
    if t.deadline and not t.deadline_text:
        errors.append(f"{rec.where('deadline')}: a deadline needs deadline_text (the document's words)")
    if bool(t.deadline_text) != bool(t.deadline_text_en):
        errors.append(f"{rec.where('deadline_text')}: give deadline_text and deadline_text_en together")
    if not t.deadlines:
        return errors
    where = rec.where("deadlines")
    if len(t.deadlines) < 2:
        errors.append(f"{where}: deadlines lists the parts of an item with several; give one part as deadline")
    if t.deadline != max(p.date for p in t.deadlines):
        errors.append(f"{where}: deadline {t.deadline} must be the latest part, {max(p.date for p in t.deadlines)}")
    for key, joined in (("deadline_text", "; ".join(p.text for p in t.deadlines)),
                        ("deadline_text_en", "; ".join(p.text_en for p in t.deadlines))):
        if getattr(t, key) != joined:
            errors.append(f"{where}: {key} must be the parts' texts joined by '; ': {joined!r}")
    return errors


def _task_identity(tasks: list[tuple[df.Record, df.TaskIn]]) -> list[str]:
    """One task per document item; a former id belongs to one task and is no task's id any more."""
    errors: list[str] = []
    ids = {t.id for _, t in tasks}
    items: dict[tuple, str] = {}
    former: dict[str, str] = {}
    for rec, t in tasks:
        if _item_key(t) in items:
            errors.append(f"{rec.where('section')}: a second task for the same document item (first at "
                          f"{items[_item_key(t)]}); one task per item, with several leads if the item names several")
        items.setdefault(_item_key(t), rec.where("section"))
        for old in t.former_ids:
            if old in ids:
                errors.append(f"{rec.where('former_ids')}: former id {old!r} is still a task's id")
            if old in former:
                errors.append(f"{rec.where('former_ids')}: former id {old!r} also listed at {former[old]}")
            former.setdefault(old, rec.where("former_ids"))
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
