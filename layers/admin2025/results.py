"""What the lookups answer: typed, JSON-ready models (the HTTP API uses them as its response models)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class CommuneRef(_Frozen):
    """A 2025 unit of An Giang."""

    code: str = Field(description="GSO code", examples=["30958"])
    name: str = Field(examples=["Định Hòa"])
    type: str = Field(description="xã, phường or đặc khu", examples=["xã"])
    full_name: str = Field(examples=["Xã Định Hòa"])
    formed_from_kien_giang: bool = Field(description="false for the border slivers of former-An Giang units")


class DistrictRef(_Frozen):
    """A former district-level unit of Kiên Giang (before 1 July 2025)."""

    code: int = Field(description="GSO code", examples=[907])
    name: str = Field(examples=["Huyện Gò Quao"])
    short_name: str = Field(examples=["Gò Quao"])


class FormerCommuneRef(_Frozen):
    """A commune of Kiên Giang before 1 July 2025."""

    code: str = Field(description="GSO code", examples=["30973"])
    name: str = Field(examples=["Vĩnh Hòa Hưng Bắc"])
    type: str = Field(description="Xã, Phường or Thị trấn", examples=["Xã"])
    full_name: str = Field(examples=["Xã Vĩnh Hòa Hưng Bắc"])


class CommuneShare(_Frozen):
    """A 2025 unit a geometry falls in, and how much of the geometry does."""

    commune: CommuneRef
    share_pct: float | None = Field(description="polygons: % of the geometry's area (EPSG:9207); lines: % of its "
                                    "length; points and candidates: null")
    area_ha: float | None = Field(description="polygons: hectares of the geometry inside the unit")


class FeatureCommunes(_Frozen):
    """The 2025 units of a plan feature."""

    basis: Literal["geometry", "district"] = Field(
        description="geometry: intersected with the 2025 polygons; district: the feature's location is not known "
        "(drawn at its former district), so the units formed from that district are listed")
    candidates: bool = Field(description="true: the feature lies in one (or some) of these units, which is not known")
    communes: list[CommuneShare]
    outside_pct: float | None = Field(description="% of the area or length in no 2025 unit of former Kiên Giang")
    districts: list[int] = Field(description="basis district: the former districts whose units are listed")


class DistrictShare(_Frozen):
    """One row of the crosswalk: a 2025 unit's part of a former district."""

    commune: CommuneRef
    area_ha: float
    share_of_district_pct: float
    share_of_commune_pct: float


class UncoveredPart(_Frozen):
    """The part of a former district that no 2025 polygon covers."""

    area_ha: float
    share_of_district_pct: float
    reason: str


class DistrictCommunes(_Frozen):
    """A former district and the 2025 units over it; all shares together make 100 % of the district."""

    district: DistrictRef
    communes: list[DistrictShare] = Field(description="units formed from the district's communes (Resolution "
                                          "1654/NQ-UBTVQH15), largest share first")
    other_overlaps: list[DistrictShare] = Field(description="units that overlap the district only because the pre-2025 "
                                                "and 2025 boundary data differ")
    uncovered: UncoveredPart | None


class AddressMatch(_Frozen):
    """A former commune that an old address names, and what it became."""

    former_commune: FormerCommuneRef
    former_district: DistrictRef
    commune_2025: CommuneRef


class AddressAnswer(_Frozen):
    """An old address (former commune and/or former district) resolved to 2025 units."""

    kind: Literal["address"] = "address"
    query: str
    matches: list[AddressMatch] = Field(description="more than one: the name is ambiguous, these are the candidates")
    ambiguous: bool
    district: DistrictCommunes | None = Field(description="when the address names a former district only")
    note: str | None = None


class PointAnswer(_Frozen):
    """A point and the units it lies in, before and after 1 July 2025."""

    kind: Literal["point"] = "point"
    lon: float
    lat: float
    former_district: DistrictRef | None
    commune_2025: CommuneRef | None
    former_communes: list[FormerCommuneRef] = Field(
        description="the former communes of that district that went into the 2025 unit: the point lies in one of "
        "them (no open pre-2025 commune polygons exist to say which)")
    note: str | None = None
