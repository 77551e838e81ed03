"""What the web map asks for beyond OGC API: the offline base, popups, the district panel and map statistics.

Every function returns plain dicts (JSON-ready). Geometries for the base map are simplified: it is a backdrop
drawn in the browser, not a dataset (the full geometries are in OGC API - Features).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import select
from sqlalchemy.orm import Session

from layers import progress
from layers.models import Agency, District, Feature, Province, Target, Task
from layers.progress import TaskState, task_states

BASE_TOLERANCE_DEG = 0.0008  # about 90 m: invisible at province zoom, keeps the base under ~100 kB


def _geojson(geom, tolerance: float | None = None, digits: int = 5) -> dict:
    shape = to_shape(geom)
    if tolerance:
        shape = shape.simplify(tolerance, preserve_topology=True)
    return _round(mapping(shape), digits)


def _round(obj, digits: int):
    """Round coordinates: 5 decimals is about 1 m, and halves the JSON."""
    if isinstance(obj, float):
        return round(obj, digits)
    if isinstance(obj, (list, tuple)):
        return [_round(v, digits) for v in obj]
    if isinstance(obj, dict):
        return {k: _round(v, digits) for k, v in obj.items()}
    return obj


def focus_bbox(shape) -> list[float]:
    """The bbox a map zooms to: the main land parts, not far islets (Phú Quốc's Thổ Chu, 100 km away)."""
    parts = list(getattr(shape, "geoms", [shape]))
    largest = max(p.area for p in parts)
    main = [p for p in parts if p.area >= 0.1 * largest]
    xs0, ys0, xs1, ys1 = zip(*(p.bounds for p in main), strict=True)
    return _round([min(xs0), min(ys0), max(xs1), max(ys1)], 5)


def base_map(session: Session) -> dict:
    """The offline base: neighbouring provinces, Kiên Giang's outline (its coast) and its former districts."""
    features = []
    for p in session.scalars(select(Province).order_by(Province.code)):
        features.append(
            {
                "type": "Feature",
                "geometry": _geojson(p.geom, BASE_TOLERANCE_DEG),
                "properties": {"kind": "province", "role": p.role, "code": p.code, "name": p.name},
            }
        )
    for d in session.scalars(select(District).order_by(District.gso_code)):
        features.append(
            {
                "type": "Feature",
                "geometry": _geojson(d.geom, BASE_TOLERANCE_DEG),
                "properties": {
                    "kind": "district",
                    "gso_code": d.gso_code,
                    "name": d.name,
                    "short_name": d.short_name,
                    "area_ha": round(d.area_ha, 1),
                    "raw_material": d.raw_material,
                    "bbox": focus_bbox(to_shape(d.geom)),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _task_row(t: Task, state: TaskState) -> dict:
    return {
        "id": t.id,
        "text": t.text,
        "summary_en": t.summary_en,
        "source": t.source,
        "leads": [{"id": a.id, "code": a.code, "name": a.name, "name_en": a.name_en} for a in t.leads],
        "deadline": t.deadline.isoformat() if t.deadline else None,
        "deadline_text": t.deadline_text,
        "deadline_text_en": t.deadline_text_en,
        "status": state.status,
        "percent": state.percent,
        "overdue": state.overdue,
        "reported_on": state.reported_on.isoformat() if state.reported_on else None,
    }


def _tasks(session: Session, task_ids, states: dict[str, TaskState]) -> list[dict]:
    if not task_ids:
        return []
    tasks = session.scalars(select(Task).where(Task.id.in_(list(task_ids))))
    rows = [_task_row(t, states[t.id]) for t in tasks]
    # overdue first, then by deadline (none last), the same on both backends
    return sorted(rows, key=lambda r: (not r["overdue"], r["deadline"] is None, r["deadline"] or "", r["id"]))


def feature_detail(session: Session, feature_id: str, today: dt.date | None = None) -> dict | None:
    """Everything a popup shows: the feature, its districts, and its linked tasks with their state."""
    f = session.get(Feature, feature_id)
    if f is None:
        return None
    states = task_states(session, today)
    task_ids = progress.links(session).feature_tasks.get(f.id, [])
    return {
        "id": f.id,
        "layer": f.layer,
        "name": f.name,
        "name_en": f.name_en,
        "kind": f.kind,
        "planned_area_ha": f.planned_area_ha,
        "area_note": f.area_note,
        "occupancy_pct": f.occupancy_pct,
        "occupancy_note": f.occupancy_note,
        "phase": f.phase,
        "plan_period": f.plan_period,
        "status": f.status,
        "source": f.source,
        "geometry_precision": f.geometry_precision,
        "location_note": f.location_note,
        "location_note_vi": f.location_note_vi,
        "properties": f.properties or {},
        "districts": [
            {"gso_code": d.gso_code, "name": d.name, "short_name": d.short_name} for d in f.districts
        ],
        "tasks": _tasks(session, task_ids, states),
    }


def district_detail(session: Session, gso_code: int, today: dt.date | None = None) -> dict | None:
    """The district panel: area, raw-material status, features in it with hectares, its tasks."""
    d = session.get(District, gso_code)
    if d is None:
        return None
    states = task_states(session, today)
    features = session.scalars(
        select(Feature)
        .where(Feature.districts.any(District.gso_code == gso_code))
        .order_by(Feature.layer, Feature.name)
    ).all()
    counted = progress.district_tasks(session, gso_code, today)
    tasks = _tasks(session, counted.linked, states)
    return {
        "gso_code": d.gso_code,
        "name": d.name,
        "short_name": d.short_name,
        "type": d.type,
        "area_ha": round(d.area_ha, 1),
        "raw_material": d.raw_material,
        "raw_material_source": d.raw_material_source,
        "bbox": focus_bbox(to_shape(d.geom)),
        "features": [
            {
                "id": f.id,
                "layer": f.layer,
                "name": f.name,
                "name_en": f.name_en,
                "kind": f.kind,
                "planned_area_ha": f.planned_area_ha,
                "shared": len(f.districts) > 1,
            }
            for f in features
        ],
        "tasks": tasks,
        "counts": counted.counts(),
        "progress": counted.progress.as_dict(),
    }


def map_stats(session: Session, today: dt.date | None = None) -> dict:
    """Charts of the statistics panel: hectares by layer and district, occupancy, progress by agency.

    A feature spanning several districts counts once per layer and is listed under each of its districts
    (flagged ``shared``) rather than split by a made-up ratio.
    """
    by_layer: dict[str, float] = defaultdict(float)
    by_district: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    occupancy = []
    for f in session.scalars(select(Feature).order_by(Feature.layer, Feature.name)):
        if f.planned_area_ha:
            by_layer[f.layer] += f.planned_area_ha
            for d in f.districts:
                by_district[d.short_name][f.layer] += f.planned_area_ha
        if f.occupancy_pct is not None:
            occupancy.append(
                {
                    "id": f.id,
                    "name": f.name,
                    "name_en": f.name_en,
                    "occupancy_pct": f.occupancy_pct,
                    "planned_area_ha": f.planned_area_ha,
                }
            )
    return {
        "hectares_by_layer": {k: round(v, 1) for k, v in by_layer.items()},
        "hectares_by_district": {
            k: {lk: round(lv, 1) for lk, lv in v.items()} for k, v in by_district.items()
        },
        "occupancy": occupancy,
        "targets": _occupancy_targets(session),
        "agencies": _agency_progress(session, today),
    }


def _occupancy_targets(session: Session) -> list[dict]:
    """The 2030 targets that speak of occupancy (lấp đầy) or industrial land."""
    rows = session.scalars(select(Target).order_by(Target.id)).all()
    words = ("lấp đầy", "occupancy", "khu công nghiệp", "cụm công nghiệp", "industrial")
    return [
        {
            "id": t.id,
            "name": t.name,
            "name_en": t.name_en,
            "unit": t.unit,
            "comparator": t.comparator,
            "value": t.value,
            "value_min": t.value_min,
            "value_max": t.value_max,
            "year": t.year,
            "source": t.source,
        }
        for t in rows
        if any(w in f"{t.name} {t.name_en or ''}".lower() for w in words)
    ]


def _agency_progress(session: Session, today: dt.date | None) -> list[dict]:
    """Tasks each agency leads (a task with several leads counts for each), with their states."""
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    states = task_states(session, today)
    rows = []
    for agency_id, roll in progress.grouped_progress(session, "lead", today).items():
        a = agencies[agency_id]
        statuses = [states[t].status for t in roll.task_ids]
        rows.append({"id": agency_id, "code": a.code, "name": a.name, "name_en": a.name_en, "tasks": roll.tasks,
                     "done": roll.done, "overdue": roll.overdue, "in_progress": statuses.count("in_progress"),
                     "not_reported": statuses.count(progress.NOT_REPORTED)})
    return sorted(rows, key=lambda r: (-r["tasks"], r["code"]))
