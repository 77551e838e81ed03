"""What a sheet shows, read through the providers once per data version and projected to EPSG:9207 (metres,
the sheet's CRS). A district's tasks are its ``tasks_linked`` (``layers.progress``), a 2025 unit's those of
``layers.stats_2025.commune_tasks``: the sheet's table and its summary count the same tasks as the statistics
API, the OGC item and the map panel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from geoalchemy2.shape import to_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.print.target import Target
from geo.crs import STORAGE_SRID, VN2000_TM3
from geo.transform import reproject
from layers import progress, stats
from layers.models import Dataset, Document, Province, Task
from layers.plan import FEATURE_LAYERS
from layers.store import version
from layers.store.catalog import plan_layer, provider
from layers.store.version import VersionedCache

if TYPE_CHECKING:
    from api.print.landuse import LandUseTable
    from api.print.units import Unit


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
    lead_names: str  # every lead agency, '; '-separated
    lead_names_en: str
    deadline: dt.date | None
    deadline_text: str | None
    deadline_text_en: str | None
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
    target: Target
    tasks: list[TaskRow] = field(default_factory=list)
    feature_states: dict[str, str] = field(default_factory=dict)  # feature id -> progress state (symbology)
    summary: dict = field(default_factory=dict)  # layers.stats district/province summary, or a 2025 unit's row
    unit: Unit | None = None  # commune sheets: the 2025 unit, its neighbours and the plan features on it
    landuse: list[LandUseTable] = field(default_factory=list)  # one per imported land-use layer

    @property
    def gso(self) -> int | None:
        """The former district of a district sheet (None on the province and commune sheets)."""
        return self.target.code if self.target.kind == "district" else None  # type: ignore[return-value]

    @property
    def subject(self) -> Area | None:
        if self.unit is not None:
            return self.unit.area
        return self.base.districts[self.gso] if self.gso is not None else None

    @property
    def subject_geom(self) -> BaseGeometry:
        return self.subject.geom if self.subject else self.base.province


_BASES = VersionedCache("print_base")


def district_exists(session: Session, gso: int) -> bool:
    return gso in base_data(session).districts


def _m(geom) -> BaseGeometry:
    return reproject(geom, STORAGE_SRID, VN2000_TM3)


def _read_base(session: Session) -> Base:
    districts = {
        code: Area(code, p["name"], p["short_name"], p["type"], _m(geom), p["area_ha"], bool(p["raw_material"]),
                   p["raw_material_source"], p["source"])
        for code, p, geom in provider("districts").records(session)
    }
    provinces = list(session.scalars(select(Province).order_by(Province.code)))
    neighbours = [Area(p.code, p.name, p.name, "", _m(to_shape(p.geom)), source=p.source)
                  for p in provinces if p.role == "neighbour"]
    subject = next(p for p in provinces if p.role == "subject")
    features = [
        PlanFeature(fid, layer, p["name"], p["name_en"], p["kind"], _m(geom), p["geometry_precision"],
                    p["planned_area_ha"], p["occupancy_pct"], p["status"],
                    tuple(int(c) for c in p["district_codes"].split(",") if c))
        for layer in FEATURE_LAYERS for fid, p, geom in plan_layer(layer).records(session)
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
    return Base(str(version.current(session)), loaded.value if loaded else "", districts, neighbours,
                _m(to_shape(subject.geom)), features, documents)


def base_data(session: Session) -> Base:
    """The projected boundaries, features and documents of this database's current data version."""
    return _BASES.get(session, _read_base)


def task_rows(session: Session, wanted: set[str] | None, today: dt.date | None = None) -> list[TaskRow]:
    """The tasks ``wanted`` (every task for None), the 2022 plan's first."""
    rows = []
    records = provider("tasks").records(session, today=today)
    for tid, p, _ in sorted(records, key=lambda r: (-int(r[1]["plan"]), r[0])):  # the 2022 plan (001) first
        if wanted is not None and tid not in wanted:
            continue
        rows.append(TaskRow(tid, p["text"], p["summary_en"], p["lead_names"], p["lead_names_en"],
                            dt.date.fromisoformat(p["deadline"]) if p["deadline"] else None, p["deadline_text"],
                            p["deadline_text_en"], p["status"], p["percent"], p["overdue"]))
    return rows


def linked_tasks(session: Session, gso: int | None, today: dt.date | None = None) -> list[TaskRow]:
    """A district's linked tasks (direct or through its features); every task for the province."""
    wanted = set(progress.district_tasks(session, gso, today).linked) if gso is not None else None
    return task_rows(session, wanted, today)


def sheet_data(session: Session, target: Target, today: dt.date | None = None) -> SheetData:
    """Everything the sheet of ``target`` prints; KeyError for a district or unit that does not exist."""
    from api.print import landuse, units

    states = {fid: roll.state for fid, roll in progress.feature_progress(session, today).items()}
    base = base_data(session)
    if target.kind == "commune":
        unit = units.unit_data(session, base, str(target.code))
        tasks = task_rows(session, set(units.tasks_of(session, unit.area.code, today)), today)
        data = SheetData(base, target, tasks, states, units.summary_of(session, unit.area.code, today), unit)
    elif target.kind == "district":
        gso = int(target.code)  # type: ignore[arg-type]
        if gso not in base.districts:
            raise KeyError(gso)
        data = SheetData(base, target, linked_tasks(session, gso, today), states,
                         stats.district_summary(session, gso, today))
    else:
        data = SheetData(base, target, linked_tasks(session, None, today), states, stats.province_summary(session))
    data.landuse = landuse.tables(session, data)
    return data
