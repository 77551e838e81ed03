"""The 2025 units (communes, wards and special zones of An Giang from 1 July 2025) that cover former Kiên Giang,
for the commune sheets.

Everything is read from the one place the API reads it: the unit's properties from the ``communes_2025``
provider, its polygon (EPSG:9207) from ``layers.admin2025.index``, the plan features on it from
``layers.admin2025.lookup.plan_feature_communes`` (a feature placed schematically at its former district is a
*candidate* of that district's units, never put in one), its tasks and numbers from ``layers.stats_2025`` (the
figures of ``/api/stats/communes/{code}``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from api.print.sheetdata import Area, Base, PlanFeature
from layers.admin2025.index import admin_index
from layers.admin2025.lookup import plan_feature_communes
from layers.settings import Settings
from layers.stats_2025 import commune_summary, commune_tasks
from layers.store.catalog import provider
from layers.store.version import VersionedCache


@dataclass(frozen=True)
class UnitInfo:
    area: Area  # code (str), full name, name, type ("xã" | "phường" | "đặc khu"), polygon in EPSG:9207
    formed_from_kien_giang: bool  # False: a unit of former An Giang whose polygon only reaches in (a sliver)
    former_communes: str  # "Xã Định Hòa; Xã Vĩnh Phước B; …"
    former_districts: tuple[int, ...]
    note: str | None  # what is known to be wrong with the published polygon (the provider's geometry_note)


@dataclass(frozen=True)
class UnitFeature:
    feature: PlanFeature
    share_pct: float | None  # of the feature's area (polygons) or length (lines) inside the unit
    candidate: bool  # the unit is one of several the feature may be in (schematic point, or on a border)


@dataclass(frozen=True)
class Unit:
    info: UnitInfo
    units: dict[str, UnitInfo]  # every 2025 unit covering former Kiên Giang, the subject too
    features: list[UnitFeature]

    @property
    def area(self) -> Area:
        return self.info.area


_UNITS = VersionedCache("print_units")


def _read_units(session: Session) -> dict[str, UnitInfo]:
    geoms = admin_index(session).commune_geoms
    return {
        code: UnitInfo(
            Area(code, p["full_name"], p["name"], p["type"], geoms[code], p["area_ha"], source=p["source"]),
            bool(p["formed_from_kien_giang"]), p["former_communes"] or "",
            tuple(int(c) for c in (p["former_district_codes"] or "").split(",") if c), p["geometry_note"])
        for code, p, _ in provider("communes_2025").records(session)
    }


def all_units(session: Session) -> dict[str, UnitInfo]:
    """Every 2025 unit covering former Kiên Giang, by code, at the current data version."""
    return _UNITS.get(session, _read_units)


def unit_codes(session: Session) -> list[str]:
    return sorted(admin_index(session).communes)


def unit_exists(session: Session, code: str) -> bool:
    return code in admin_index(session).communes


def unit_data(session: Session, base: Base, code: str) -> Unit:
    """The unit ``code`` with the plan features on it; KeyError when no unit has that code."""
    units = all_units(session)
    info = units[code]
    by_id = {f.id: f for f in base.features}
    features = []
    for fid, found in sorted(plan_feature_communes(session).items()):
        share = next((s for s in found.communes if s.commune.code == code), None)
        if share is not None and fid in by_id:
            features.append(UnitFeature(by_id[fid], share.share_pct, found.candidates))
    return Unit(info, units, features)


def tasks_of(session: Session, code: str, today: dt.date | None = None) -> tuple[str, ...]:
    """The unit's linked tasks, as ``/api/stats/communes/{code}`` counts them."""
    return commune_tasks(session, code, today).linked


def summary_of(session: Session, code: str, today: dt.date | None = None) -> dict:
    """The unit's row of ``/api/stats/communes``: area, hectares by layer, task counts, progress."""
    return next(r for r in commune_summary(session, today) if r["code"] == code)


def why_no_sheet(session: Session, settings: Settings, code: str) -> str:
    """Why there is no sheet for ``code``: a former commune (and the unit it went into), a unit of An Giang
    outside former Kiên Giang, or no unit at all."""
    index = admin_index(session)
    former = next((f for f in index.former if f.ref.code == code), None)
    if former is not None:
        unit = index.communes[former.commune]
        district = index.districts[former.district].name
        return (f"{code} is the former commune {former.ref.full_name} ({district}), which went into "
                f"{unit.full_name} ({unit.code}) on 1 July 2025: see /print/commune/{unit.code}.pdf")
    merged = an_giang_units(settings).get(code)
    if merged is not None:
        name, parents = merged
        return (f"{code} ({name}) is a unit of An Giang from 1 July 2025 formed from former An Giang communes "
                f"({parents}); it covers no part of former Kiên Giang, which the plans are about, so it has no "
                "sheet; the units that do are listed at /api/stats/communes")
    return f"no 2025 unit of An Giang has the GSO code {code}; the units covering former Kiên Giang are listed " \
           "at /api/stats/communes"


def an_giang_units(settings: Settings) -> dict[str, tuple[str, str]]:
    """Every 2025 unit of An Giang (Resolution 1654, ``mapping/merges.json`` of the manifest): code -> (full
    name, its former communes). Read from the download cache or the mirror only (never the network in a
    request); empty when neither holds the file."""
    from layers.admin2025.sources import ROLE_MERGES
    from layers.upstream import fetch, read_manifest

    entry = next(e for e in read_manifest(settings.data_dir / "manifest.yaml") if e.role == ROLE_MERGES)
    cached = settings.cache_dir / entry.project / entry.commit / entry.path
    if not (cached.exists() or (settings.mirror and entry.mirror_path(settings.mirror).exists())):
        return {}
    return _merges(fetch(entry, settings.cache_dir, settings.mirror, settings.upstream_url), entry)


@lru_cache(maxsize=2)
def _merges(path: Path, entry) -> dict[str, tuple[str, str]]:
    from layers.admin2025.sources import read_merges

    return {code: (m.full_name, ", ".join(name for _, name, _ in m.parents))
            for code, m in read_merges(path, entry).items()}
