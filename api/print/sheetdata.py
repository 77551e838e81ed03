"""What a sheet shows, read from the database once and projected to EPSG:9207 (metres, the sheet's CRS).

Boundaries, features and documents change only with the Dataset ``data_version``, so their projected form is
kept per database and version; tasks and their progress are read on every render.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

from geoalchemy2.shape import to_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from geo.crs import STORAGE_SRID, VN2000_TM3
from geo.transform import reproject
from layers import stats
from layers.models import (
    Dataset,
    District,
    Document,
    Feature,
    FeatureDistrict,
    ProgressReport,
    Province,
    Task,
    TaskDistrict,
    TaskFeature,
)
from layers.progress import feature_progress, task_states


@dataclass(frozen=True)
class Area:
    """A former district or a neighbouring province, geometry in EPSG:9207."""

    code: int | str
    name: str
    short: str
    type: str
    geom: BaseGeometry
    area_ha: float | None = None
    raw_material: bool = False
    raw_source: str | None = None
    source: str = ""


@dataclass(frozen=True)
class PlanFeature:
    id: str
    layer: str
    name: str
    name_en: str | None
    kind: str
    geom: BaseGeometry  # EPSG:9207
    precision: str
    planned_area_ha: float | None
    occupancy_pct: float | None
    status: str
    districts: tuple[int, ...]

    def label(self, lang: str) -> str:
        return (self.name_en or self.name) if lang == "en" else self.name


@dataclass(frozen=True)
class TaskRow:
    id: str
    text: str
    summary_en: str | None
    lead_code: str
    lead_name: str
    lead_name_en: str | None
    deadline: dt.date | None
    deadline_text: str | None
    status: str
    percent: int | None
    overdue: bool


@dataclass(frozen=True)
class Base:
    """Everything that changes only with the data version."""

    data_version: str
    loaded_at: str
    districts: dict[int, Area]
    neighbours: list[Area]
    province: BaseGeometry
    features: list[PlanFeature]
    documents: list[tuple[Document, str]]  # the plans tasks belong to, with the plan year (from task ids)


@dataclass
class SheetData:
    base: Base
    gso: int | None  # None: the province sheet
    tasks: list[TaskRow] = field(default_factory=list)
    feature_states: dict[str, str] = field(default_factory=dict)  # feature id -> progress state (symbology)
    summary: dict = field(default_factory=dict)  # layers.stats district_summary / province_summary

    @property
    def subject(self) -> Area | None:
        return self.base.districts[self.gso] if self.gso is not None else None

    @property
    def subject_geom(self) -> BaseGeometry:
        return self.subject.geom if self.subject else self.base.province


_BASES: dict[tuple[str, str], Base] = {}
_LOCK = threading.Lock()


def version_stamp(session: Session) -> tuple[str, int, int]:
    """(data_version, latest progress report id, accepted reports): a sheet changes only when one does."""
    version = session.get(Dataset, "data_version")
    latest, accepted = session.execute(
        select(
            func.max(ProgressReport.id),
            func.count(ProgressReport.id).filter(ProgressReport.review == "accepted"),
        )
    ).one()
    return (version.value if version else "none", latest or 0, accepted or 0)


def district_exists(session: Session, gso: int) -> bool:
    return session.get(District, gso) is not None


def _m(geom) -> BaseGeometry:
    return reproject(to_shape(geom), STORAGE_SRID, VN2000_TM3)


def _read_base(session: Session, version: str) -> Base:
    districts = {
        d.gso_code: Area(
            d.gso_code,
            d.name,
            d.short_name,
            d.type,
            _m(d.geom),
            d.area_ha,
            d.raw_material,
            d.raw_material_source,
            d.source,
        )
        for d in session.scalars(select(District).order_by(District.gso_code))
    }
    provinces = list(session.scalars(select(Province).order_by(Province.code)))
    neighbours = [
        Area(p.code, p.name, p.name, "", _m(p.geom), source=p.source)
        for p in provinces
        if p.role == "neighbour"
    ]
    subject = next(p for p in provinces if p.role == "subject")
    links: dict[str, list[int]] = {}
    for fid, gso in session.execute(select(FeatureDistrict.feature_id, FeatureDistrict.gso_code)):
        links.setdefault(fid, []).append(gso)
    features = [
        PlanFeature(
            f.id,
            f.layer,
            f.name,
            f.name_en,
            f.kind,
            _m(f.geom),
            f.geometry_precision,
            f.planned_area_ha,
            f.occupancy_pct,
            f.status,
            tuple(sorted(links.get(f.id, []))),
        )
        for f in session.scalars(select(Feature).order_by(Feature.layer, Feature.id))
    ]
    years: dict[str, set[str]] = {}
    for plan, task_id in session.execute(select(Task.plan, Task.id)):
        years.setdefault(plan, set()).add(task_id[:4])
    documents = [
        (d, d.date or "/".join(sorted(y for y in years[d.key] if y.isdigit())))
        for d in session.scalars(select(Document).order_by(Document.key.desc()))
        if d.key in years
    ]
    loaded = session.get(Dataset, "loaded_at")
    return Base(
        version, loaded.value if loaded else "", districts, neighbours, _m(subject.geom), features, documents
    )


def base_data(session: Session) -> Base:
    """The projected boundaries, features and documents of this database's current data version."""
    version = version_stamp(session)[0]
    key = (str(session.get_bind().url), version)
    with _LOCK:
        if key not in _BASES:
            _BASES.clear()  # one version per database is enough; an old version is never asked for again
            _BASES[key] = _read_base(session, version)
        return _BASES[key]


def linked_tasks(session: Session, gso: int | None, today: dt.date | None = None) -> list[TaskRow]:
    """Tasks linked to the district directly or through one of its features; every task for the province."""
    query = select(Task).order_by(Task.plan.desc(), Task.id)
    if gso is not None:
        via_feature = (
            select(TaskFeature.task_id)
            .join(FeatureDistrict, FeatureDistrict.feature_id == TaskFeature.feature_id)
            .where(FeatureDistrict.gso_code == gso)
        )
        direct = select(TaskDistrict.task_id).where(TaskDistrict.gso_code == gso)
        query = query.where(or_(Task.id.in_(direct), Task.id.in_(via_feature)))
    states = task_states(session, today)
    rows = []
    for task in session.scalars(query):
        s = states[task.id]
        rows.append(
            TaskRow(
                task.id,
                task.text,
                task.summary_en,
                task.lead.code,
                task.lead.name,
                task.lead.name_en,
                task.deadline,
                task.deadline_text,
                s.status,
                s.percent,
                s.overdue,
            )
        )
    return rows


def sheet_data(session: Session, gso: int | None, today: dt.date | None = None) -> SheetData:
    states = {fid: roll.state for fid, roll in feature_progress(session, today).items()}
    summary = (
        stats.district_summary(session, gso, today) if gso is not None else stats.province_summary(session)
    )
    return SheetData(base_data(session), gso, linked_tasks(session, gso, today), states, summary)
