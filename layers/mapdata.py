"""What the web map asks for beyond OGC API: popups, the district and commune panels and map statistics.

Every function returns plain dicts (JSON-ready). The geometry the map draws is in ``layers.maplayers``, the
task browser's data in ``layers.maptasks``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from layers import progress
from layers.admin2025.index import admin_index
from layers.admin2025.lookup import communes_of_district, plan_feature_communes
from layers.admin2025.models import Commune2025
from layers.maplayers import focus_bbox
from layers.maptasks import source_refs
from layers.models import Agency, District, Feature, Task
from layers.progress import TaskState, task_states
from layers.stats_2025 import commune_tasks
from layers.store.plan_layers import mapped_areas


def _task_row(t: Task, state: TaskState) -> dict:
    return {
        "id": t.id,
        "text": t.text,
        "summary_en": t.summary_en,
        "source": source_refs(t.source),
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
        "source": source_refs(f.source),
        "geometry_precision": f.geometry_precision,
        "location_note": f.location_note,
        "location_note_vi": f.location_note_vi,
        "properties": f.properties or {},
        "districts": [
            {"gso_code": d.gso_code, "name": d.name, "short_name": d.short_name, "type": d.type}
            for d in f.districts
        ],
        "communes_2025": _feature_communes(session, f.id),
        "tasks": _tasks(session, task_ids, states),
    }


def _unit(ref) -> dict:
    return {"code": ref.code, "name": ref.name, "type": ref.type, "full_name": ref.full_name}


def _feature_communes(session: Session, feature_id: str) -> dict:
    """The 2025 units of a feature: from its geometry, or (``basis`` "district") candidates from its district."""
    found = plan_feature_communes(session).get(feature_id)
    if found is None:
        return {"basis": None, "candidates": False, "communes": []}
    return {"basis": found.basis, "candidates": found.candidates,
            "communes": [_unit(c.commune) | {"share_pct": None if c.share_pct is None else round(c.share_pct, 1)}
                         for c in found.communes]}


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
        "communes_2025": _district_units(session, gso_code),
    }


def _district_units(session: Session, gso_code: int) -> list[dict]:
    """The 2025 units formed from a former district's communes, largest share of the district first."""
    index = admin_index(session)
    if gso_code not in index.districts:
        return []
    return [_unit(s.commune) | {"share_of_district_pct": round(s.share_of_district_pct, 1)}
            for s in communes_of_district(index, gso_code).communes]


def commune_detail(session: Session, code: str, today: dt.date | None = None) -> dict | None:
    """The panel of a 2025 unit: what it was formed from, the plan features in it and the tasks that fall on it."""
    unit = session.get(Commune2025, code)
    if unit is None:
        return None
    states = task_states(session, today)
    counted = commune_tasks(session, code, today)  # the statistics' tasks of the unit: one count everywhere
    task_ids = list(counted.linked)
    found = plan_feature_communes(session)
    in_unit = [fid for fid, units in found.items() if any(c.commune.code == code for c in units.communes)]
    features = session.scalars(select(Feature).where(Feature.id.in_(in_unit)).order_by(Feature.layer, Feature.name))
    return {
        "code": unit.code, "name": unit.name, "type": unit.type, "full_name": unit.full_name,
        "area_ha": round(unit.area_ha, 1), "formed_from_kien_giang": bool(unit.formed_from_kien_giang),
        "former_communes": [c["name"] for c in unit.former_communes or []],
        "former_districts": [{"gso_code": d["code"], "name": d["name"]} for d in unit.former_districts or []],
        "geometry_note": unit.geometry_note, "bbox": focus_bbox(to_shape(unit.geom)),
        "features": [{"id": f.id, "layer": f.layer, "name": f.name, "name_en": f.name_en,
                      "candidate": found[f.id].candidates} for f in features],
        "tasks": _tasks(session, task_ids, states),
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
    mapped: dict[str, float] = defaultdict(float)
    layer_of = dict(session.execute(select(Feature.id, Feature.layer)).all())
    for fid, ha in mapped_areas(session).items():
        mapped[layer_of[fid]] += ha
    return {
        "hectares_by_layer": {k: round(v, 1) for k, v in by_layer.items()},
        "mapped_hectares_by_layer": {k: round(v, 1) for k, v in mapped.items()},
        "hectares_by_district": {
            k: {lk: round(lv, 1) for lk, lv in v.items()} for k, v in by_district.items()
        },
        "occupancy": occupancy,
        "agencies": _agency_progress(session, today),
    }


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
