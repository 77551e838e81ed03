"""``planmap load``: boundaries plus every dataset of ``data/`` into the database, in one transaction.

Idempotent: rows are replaced by id. Progress reports (and anything users wrote) are kept: a feature an admin
created, changed or deleted through OGC API Part 4 (it has audit entries) is left as the database has it, and
counted as ``kept_api_edits``. A bad file raises before anything is written; a failure while writing rolls the
whole load back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

from geoalchemy2.shape import from_shape
from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.orm import Session

from geo.geometry import anchor_point, geometry_kind, normalised
from layers import models as m
from layers import progress
from layers.admin2025 import load as admin2025
from layers.boundaries import KIEN_GIANG, district_record, read_province
from layers.datafiles import DataError
from layers.models_accounts import AuditEntry
from layers.plan import PlanData, build_geometry, read_plan
from layers.settings import Settings
from layers.text import fold
from layers.upstream import fetch, read_manifest

Step = Callable[[str], None]


def read_boundaries(settings: Settings, step: Step = lambda _: None):
    """(province rows, district records) from the manifest's upstream files."""
    provinces, districts = [], []
    for entry in read_manifest(settings.data_dir / "manifest.yaml"):
        if entry.role not in ("subject", "neighbour"):  # the other roles are read by their own step
            continue
        step(f"boundaries {entry.path}")
        path = fetch(entry, settings.cache_dir, settings.mirror, settings.upstream_url)
        province, units = read_province(path)
        source = f"dvhcvn {entry.commit[:7]} {entry.path} ({entry.licence})"
        provinces.append({"code": province.code, "name": province.name, "role": entry.role,
                          "source": source, "geom": province.geom})
        if province.code == KIEN_GIANG:
            districts = [district_record(u, source) for u in units]
    return provinces, districts


def data_version(data_dir: Path) -> str:
    """A hash of every authored file and the manifest: changes exactly when the data changes."""
    digest = hashlib.sha256()
    for path in sorted(data_dir.rglob("*.yaml")):
        digest.update(path.relative_to(data_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load(engine: Engine | Connection, settings: Settings, step: Step = lambda _: None) -> dict[str, int]:
    """Load everything; return the counts. Raises DataError (file:line) before writing on bad data.

    Given a Connection, the load joins its transaction (``planmap load``: schema and data commit together).
    """
    plan = read_plan(settings.data_dir)
    if plan.errors:
        raise DataError(plan.errors)
    provinces, districts = read_boundaries(settings, step)
    geoms = {d["gso_code"]: d["geom"] for d in districts}
    units_2025 = admin2025.compute(settings, geoms, step)  # files and geometry before the transaction opens
    with Session(engine) as session, session.begin():
        step("boundaries")
        _replace_boundaries(session, provinces, districts, plan)
        admin2025.write(session, units_2025)
        step("plan")
        kept = _edited_through_api(session)
        _replace_plan(session, plan, geoms, kept)
        progress.refresh_states(session)
        session.merge(m.Dataset(key="data_version", value=data_version(settings.data_dir)))
        session.merge(m.Dataset(key="loaded_at", value=dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
        progress.after_write(session)  # every load is a write: caches and validators move on
    return plan.counts() | {"districts": len(districts), "provinces": len(provinces), "kept_api_edits": len(kept)}


def _edited_through_api(session: Session) -> set[str]:
    """Ids of features edited through OGC API Part 4: for those the database, not data/, is the master."""
    return set(session.scalars(select(AuditEntry.entity_id).where(AuditEntry.entity == "feature").distinct()))


def _wkb(geom):
    return from_shape(geom, srid=m.SRID)


def _replace_boundaries(session: Session, provinces: list[dict], districts: list[dict], plan: PlanData) -> None:
    raw = {r.gso: r.source for _, r in plan.raw_material}
    for p in provinces:
        session.merge(m.Province(**{**p, "geom": _wkb(p["geom"])}))
    for d in districts:
        session.merge(m.District(**{**d, "geom": _wkb(d["geom"]), "raw_material": d["gso_code"] in raw,
                                    "raw_material_source": raw.get(d["gso_code"])}))
    session.flush()


def _replace_plan(session: Session, plan: PlanData, geoms: dict, kept: set[str]) -> None:
    # Link tables are rebuilt whole; rows with ids are merged so that reports keep pointing at their task.
    for table in (m.TaskLead, m.TaskPartner, m.TaskFeature, m.TaskDistrict):
        session.execute(delete(table))
    session.execute(delete(m.FeatureDistrict).where(m.FeatureDistrict.feature_id.not_in(kept)))
    for _, d in plan.documents:
        session.merge(m.Document(**d.model_dump()))
    for _, a in plan.agencies:
        session.merge(m.Agency(**a.model_dump(exclude={"district"}), gso_code=a.district))
    for _, t in plan.targets:
        session.merge(m.Target(**t.model_dump()))
    session.flush()
    feature_ids = set(kept)
    for layer, _, f in plan.all_features():
        feature_ids.add(f.id)
        if f.id in kept:
            continue
        row = f.model_dump(exclude={"districts", "geometry"})
        shape = normalised(build_geometry(f.geometry, geoms))
        session.merge(m.Feature(**row, layer=layer, search_text=fold(f"{f.name} {f.name_en or ''}"),
                                geom=_wkb(shape), geom_kind=geometry_kind(shape), anchor=_wkb(anchor_point(shape))))
    session.flush()
    task_ids = set()
    for _, t in plan.tasks:
        task_ids.add(t.id)
        row = t.model_dump(mode="json", exclude={"leads", "partners", "features", "districts", "former_ids"})
        session.merge(m.Task(**row | {"deadline": t.deadline, "deadlines": row["deadlines"] or None},
                             lead_id=t.leads[0], search_text=fold(f"{t.id} {t.text} {t.summary_en or ''}")))
    session.flush()
    _repoint_reports(session, plan)
    _drop_removed(session, feature_ids, task_ids)
    for layer, _, f in plan.all_features():
        if f.id not in kept:
            session.add_all(m.FeatureDistrict(feature_id=f.id, gso_code=c) for c in dict.fromkeys(f.districts))
    existing = set(session.scalars(select(m.Feature.id)))  # an admin may have deleted a feature of data/
    for _, t in plan.tasks:
        leads = list(dict.fromkeys(t.leads))
        session.add_all(m.TaskLead(task_id=t.id, agency_id=a, position=i) for i, a in enumerate(leads))
        session.add_all(m.TaskPartner(task_id=t.id, agency_id=a) for a in dict.fromkeys(t.partners) if a not in leads)
        session.add_all(m.TaskFeature(task_id=t.id, feature_id=f) for f in dict.fromkeys(t.features) if f in existing)
        session.add_all(m.TaskDistrict(task_id=t.id, gso_code=c) for c in dict.fromkeys(t.districts))


def _repoint_reports(session: Session, plan: PlanData) -> None:
    """Reports filed on a task's former ids (one record per lead, before tasks were one per document item)
    now belong to the task; each keeps its agency, so it stands for that lead's share."""
    for _, t in plan.tasks:
        if t.former_ids:
            session.execute(update(m.ProgressReport).where(m.ProgressReport.task_id.in_(t.former_ids))
                            .values(task_id=t.id).execution_options(synchronize_session=False))
    session.flush()


def _drop_removed(session: Session, feature_ids: set[str], task_ids: set[str]) -> None:
    """Rows whose record left ``data/`` go too, unless progress was reported on them."""
    session.execute(delete(m.Feature).where(m.Feature.id.not_in(feature_ids)))
    reported = set(session.scalars(select(m.ProgressReport.task_id).distinct()))
    kept = reported - task_ids
    if kept:
        raise DataError([f"data/plan: tasks {sorted(kept)} were removed but have progress reports; keep them"])
    session.execute(delete(m.Task).where(m.Task.id.not_in(task_ids)))

