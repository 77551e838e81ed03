"""The registry of imported layers: one row per table that ``planmap import`` wrote."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from layers.models import Base


class ImportedLayer(Base):
    """An imported layer: its table is named after ``id`` and has ``fid`` (primary key) and ``geom`` (EPSG:4326).

    ``fields`` lists the table's columns in order: ``[{"name": <name in the file>, "column": <column>,
    "type": "integer" | "bigint" | "double" | "boolean" | "text" | "date" | "timestamp" | "time" | "binary"}]``.
    ``bbox`` is ``[minx, miny, maxx, maxy]`` in lon/lat.
    """

    __tablename__ = "imported_layers"
    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    title: Mapped[str] = mapped_column(String(256))
    source_name: Mapped[str] = mapped_column(String(256))
    geometry_type: Mapped[str] = mapped_column(String(32))  # MultiPolygon | MultiLineString | MultiPoint
    fields: Mapped[list] = mapped_column(JSON)
    row_count: Mapped[int] = mapped_column(Integer)
    bbox: Mapped[list | None] = mapped_column(JSON)
    landuse_field: Mapped[str | None] = mapped_column(String(64))  # column holding land-use codes
    source_crs: Mapped[str] = mapped_column(Text)  # "EPSG:9207"
    text_encoding: Mapped[str | None] = mapped_column(String(32))  # how the file's text was read
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    imported_by: Mapped[str] = mapped_column(String(128))


def imported_layers(session: Session) -> list[ImportedLayer]:
    """Every imported layer, by id."""
    return list(session.scalars(select(ImportedLayer).order_by(ImportedLayer.id)))
