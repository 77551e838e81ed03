"""Tables of the 2025 units: the communes of An Giang that cover former Kiên Giang, the 143 former communes and
the crosswalk from the former districts. Filled by ``planmap load`` (``layers.admin2025.load``)."""

from __future__ import annotations

from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import JSON, Boolean, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from layers.models import SRID, Base


class Commune2025(Base):
    """A commune-level unit (xã, phường, đặc khu) of An Giang from 1 July 2025 that covers part of former
    Kiên Giang: the 48 formed from its communes, and former-An Giang units whose polygon reaches into it."""

    __tablename__ = "communes_2025"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)  # GSO code, e.g. "30958"
    name: Mapped[str] = mapped_column(String(128))  # "Định Hòa"
    type: Mapped[str] = mapped_column(String(16))  # "xã" | "phường" | "đặc khu"
    full_name: Mapped[str] = mapped_column(String(160))  # "Xã Định Hòa"
    search_text: Mapped[str] = mapped_column(Text)  # fold(full_name), for layers.search: "xa dinh hoa"
    area_ha: Mapped[float] = mapped_column(Float)  # planar, EPSG:9207, of the stored polygon
    former_communes: Mapped[list] = mapped_column(JSON)  # [{"code": "30958", "name": "Xã Định Hòa"}, …]
    former_districts: Mapped[list] = mapped_column(JSON)  # [{"code": 907, "name": "Huyện Gò Quao"}]
    formed_from_kien_giang: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(Text)
    geometry_note: Mapped[str | None] = mapped_column(Text)  # what is known to be wrong with the polygon
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True))


class FormerCommune(Base):
    """A commune of Kiên Giang before 1 July 2025 and the 2025 unit it went into (every one went in whole)."""

    __tablename__ = "former_communes"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)  # GSO code, e.g. "30901"
    name: Mapped[str] = mapped_column(String(128))  # "Thạnh Lộc"
    type: Mapped[str] = mapped_column(String(16))  # "Xã" | "Phường" | "Thị trấn"
    search_text: Mapped[str] = mapped_column(Text)  # fold of type and name, for layers.search: "xa thanh loc"
    district_code: Mapped[int] = mapped_column(ForeignKey("districts.gso_code"), index=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes_2025.code"), index=True)


class DistrictCommune(Base):
    """One former district × one 2025 unit, split by intersection in EPSG:9207; ``commune_code`` NULL for the part
    of the district that no 2025 polygon covers (``reason`` says why). A district's rows sum to its area."""

    __tablename__ = "district_commune_crosswalk"
    id: Mapped[str] = mapped_column(String(24), primary_key=True)  # "907-30958"; "907-none" for the uncovered part
    district_code: Mapped[int] = mapped_column(ForeignKey("districts.gso_code"), index=True)
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes_2025.code"), index=True)
    area_ha: Mapped[float] = mapped_column(Float)
    share_of_district_pct: Mapped[float] = mapped_column(Float)
    share_of_commune_pct: Mapped[float | None] = mapped_column(Float)
    # True when the unit was formed from communes of this district (Resolution 1654, via merges.json); False when
    # the two polygons only overlap because the pre-2025 and 2025 boundary data differ.
    formed_from_district: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True))  # the piece
