"""The data model, one for both backends (SpatiaLite and PostGIS). Geometries are EPSG:4326, lon/lat."""

from __future__ import annotations

import datetime as dt
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

SRID = 4326


class Base(DeclarativeBase):
    pass


class Dataset(Base):
    """Key/value facts about the loaded data: version hash, load time, upstream files used."""

    __tablename__ = "dataset"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Document(Base):
    __tablename__ = "documents"
    key: Mapped[str] = mapped_column(String(16), primary_key=True)  # "000", "001"
    file: Mapped[str] = mapped_column(String(128))
    number: Mapped[str | None] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(String(64))
    issuer: Mapped[str | None] = mapped_column(String(256))


class Province(Base):
    """Kiên Giang's outline (role ``subject``) and its neighbours (role ``neighbour``), for context."""

    __tablename__ = "provinces"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)  # GSO level-1 code, e.g. "91"
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True))


class District(Base):
    """A former district-level unit of Kiên Giang (before 1 July 2025)."""

    __tablename__ = "districts"
    gso_code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(128))  # "Huyện Gò Quao"
    short_name: Mapped[str] = mapped_column(String(128))  # "Gò Quao"
    type: Mapped[str] = mapped_column(String(32))  # "Huyện", "Thành phố"
    search_text: Mapped[str] = mapped_column(Text)  # lower-case, without diacritics
    area_ha: Mapped[float] = mapped_column(Float)  # planar, EPSG:9207
    raw_material: Mapped[bool] = mapped_column(Boolean, default=False)
    raw_material_source: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True))


class Feature(Base):
    """A feature of one plan layer (industrial park, cluster, zone, pole, infrastructure project …)."""

    __tablename__ = "features"
    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    layer: Mapped[str] = mapped_column(String(48), index=True)
    name: Mapped[str] = mapped_column(String(256))
    name_en: Mapped[str | None] = mapped_column(String(256))
    search_text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(48))
    planned_area_ha: Mapped[float | None] = mapped_column(Float)
    area_note: Mapped[str | None] = mapped_column(Text)
    occupancy_pct: Mapped[float | None] = mapped_column(Float)
    occupancy_note: Mapped[str | None] = mapped_column(Text)
    phase: Mapped[str | None] = mapped_column(String(128))
    plan_period: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(Text)
    geometry_precision: Mapped[str] = mapped_column(String(16))
    location_note: Mapped[str] = mapped_column(Text)
    location_note_vi: Mapped[str | None] = mapped_column(Text)
    properties: Mapped[dict] = mapped_column(JSON, default=dict)
    # The drawn geometry: a point, a line, or a MultiPolygon (polygons are always stored as MultiPolygon).
    geom: Mapped[Any] = mapped_column(Geometry("GEOMETRY", srid=SRID, spatial_index=True))
    geom_kind: Mapped[str] = mapped_column(String(8), index=True)  # point | line | polygon (of ``geom``)
    # A representative point of ``geom`` (itself for points, mid-line for lines, a point inside a polygon): the
    # geometry of a layer's one-point-per-feature collection, so that GIS clients see one geometry type.
    anchor: Mapped[Any] = mapped_column(Geometry("POINT", srid=SRID, spatial_index=True))
    districts: Mapped[list[District]] = relationship(secondary="feature_districts", lazy="selectin")


class FeatureDistrict(Base):
    __tablename__ = "feature_districts"
    feature_id: Mapped[str] = mapped_column(ForeignKey("features.id", ondelete="CASCADE"), primary_key=True)
    gso_code: Mapped[int] = mapped_column(ForeignKey("districts.gso_code"), primary_key=True)


class Agency(Base):
    __tablename__ = "agencies"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(256))
    name_en: Mapped[str | None] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(32))
    gso_code: Mapped[int | None] = mapped_column(ForeignKey("districts.gso_code"))
    source: Mapped[str] = mapped_column(Text)


class Task(Base):
    """A task: one item of a plan document, led by the agencies the document names for it (one or more)."""

    __tablename__ = "tasks"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    plan: Mapped[str] = mapped_column(ForeignKey("documents.key"), index=True)
    section: Mapped[str] = mapped_column(String(64), index=True)
    item: Mapped[str | None] = mapped_column(String(8))
    bullet: Mapped[int | None] = mapped_column(Integer)
    # The lead the document names first (also the first of ``leads``): a plain column so that a task always has
    # one agency to sort and join on.
    lead_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    deadline: Mapped[dt.date | None] = mapped_column(Date, index=True)
    deadline_text: Mapped[str | None] = mapped_column(Text)
    deadline_text_en: Mapped[str | None] = mapped_column(Text)
    deadlines: Mapped[list | None] = mapped_column(JSON)  # [{"date": "2022-06-30", "text": …}] for items in parts
    reporting: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    lead: Mapped[Agency] = relationship(lazy="joined")
    leads: Mapped[list[Agency]] = relationship(secondary="task_leads", order_by="TaskLead.position",
                                               lazy="selectin", viewonly=True)
    partners: Mapped[list[Agency]] = relationship(secondary="task_partners", lazy="selectin")
    features: Mapped[list[Feature]] = relationship(secondary="task_features", lazy="selectin")
    districts: Mapped[list[District]] = relationship(secondary="task_districts", lazy="selectin")


class TaskLead(Base):
    """An agency a task's document item names as lead ("chủ trì"), in the document's order; each lead reports on
    its own share of the task."""

    __tablename__ = "task_leads"
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)


class TaskState(Base):
    """A task's current state, derived from its leads' latest accepted reports (``layers.progress``) and kept
    up to date in the transaction of every write, so that filters and sorts on it run in the database.
    ``overdue`` is not stored: it depends on the day it is asked."""

    __tablename__ = "task_states"
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # not_reported | not_started | … | cancelled
    percent: Mapped[float | None] = mapped_column(Float)
    reported_on: Mapped[dt.date | None] = mapped_column(Date)


class TaskPartner(Base):
    __tablename__ = "task_partners"
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), primary_key=True)


class TaskFeature(Base):
    __tablename__ = "task_features"
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    feature_id: Mapped[str] = mapped_column(ForeignKey("features.id", ondelete="CASCADE"), primary_key=True)


class TaskDistrict(Base):
    __tablename__ = "task_districts"
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    gso_code: Mapped[int] = mapped_column(ForeignKey("districts.gso_code"), primary_key=True)


class Target(Base):
    """A 2030 target of the 2024 plan."""

    __tablename__ = "targets"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(64))
    comparator: Mapped[str] = mapped_column(String(8))
    value: Mapped[float | None] = mapped_column(Float)
    value_min: Mapped[float | None] = mapped_column(Float)
    value_max: Mapped[float | None] = mapped_column(Float)
    year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)


class ProgressReport(Base):
    """An append-only progress report on a task; the task's state is its latest accepted report.

    ``overdue`` is never stored: it is derived from the deadline, today's date and the state.
    """

    __tablename__ = "progress_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), index=True)
    reported_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # not_started | in_progress | done | cancelled
    percent: Mapped[int] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(Text)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    author: Mapped[str] = mapped_column(String(128))
    review: Mapped[str] = mapped_column(String(16), default="accepted")  # pending | accepted | returned
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


Index("ix_progress_task_created", ProgressReport.task_id, ProgressReport.created_at)

TASK_STATUSES = ("not_started", "in_progress", "done", "cancelled")
PRECISIONS = ("surveyed", "indicative", "schematic")
