"""Reading the upstream files of the 2025 units (``data/manifest.yaml``, roles below) into plain records.

Nothing here computes: areas, notes and the crosswalk are in ``layers.admin2025.build``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import MultiPolygon, shape

from geo.geometry import as_multipolygon, invalid_reason, repaired
from layers.settings import Settings
from layers.text import nfc
from layers.upstream import UpstreamError, UpstreamFile, fetch, read_manifest

ROLE_COMMUNE = "commune_2025"  # one 2025 unit's polygon, as published
ROLE_SNAPSHOT = "commune_2025_snapshot"  # an earlier portal copy used instead of a defective published polygon
ROLE_MERGES = "merges_2025"  # new unit -> former communes (dvhcvn/20250701 mapping/merges.json)
ROLE_UNITS = "units_2025_03"  # names and codes of the former units (daohoangson/dvhcvn data/dvhcvn.json)
ROLES = frozenset({ROLE_COMMUNE, ROLE_SNAPSHOT, ROLE_MERGES, ROLE_UNITS})

NEW_AN_GIANG = "91"  # GSO code of An Giang from 1 July 2025 (letter 915/CTK-CSCL)
FORMER_KIEN_GIANG = "91"  # GSO code of Kiên Giang before 1 July 2025
FORMER_PROVINCES = ("89", "91")  # former An Giang and former Kiên Giang, which became the new An Giang

# The snapshot files carry no GSO code, so which unit each one stands in for is stated here. Thổ Châu: the
# polygon published by the repository lies ~3.2 km east of the island; the portal's 11 Mar 2026 copy and the
# pre-2025 boundary (dvhcvn) agree with each other (../shared/mirror/README.md, verification).
SNAPSHOT_OF = {
    "dataset-generation-scripts/resources/gis/geojson_11Mar2026/32_tinh_an_giang/wards/78_tho_chau_đac_khu.geojson":
        "31105",
}


@dataclass(frozen=True)
class Polygon2025:
    """One polygon file: the unit's code, the name the file gives, its geometry (EPSG:4326) and provenance."""

    code: str
    file_name: str | None  # fullName in the published files; snapshots have none
    geom: MultiPolygon
    source: str
    area_km2_attribute: float | None  # the portal's areaKm2 attribute: NOT the polygon's area, never used as one


@dataclass(frozen=True)
class FormerUnit:
    """A commune before 1 July 2025 with its district and province."""

    code: str
    full_name: str  # "Xã Thạnh Lộc"
    type: str  # "Xã" | "Phường" | "Thị trấn"
    district_code: int
    district_name: str  # "Huyện Châu Thành"
    province_code: str


@dataclass(frozen=True)
class Merge:
    """A 2025 unit of An Giang as the resolution formed it: its code, full name and former communes."""

    code: str
    full_name: str  # "Xã Định Hòa"
    parents: tuple[tuple[str, str, str], ...]  # (old code, old full name, "full" | "partial")


@dataclass(frozen=True)
class Sources:
    published: dict[str, Polygon2025]  # by code
    snapshots: dict[str, Polygon2025]  # by the code of the unit they stand in for
    merges: dict[str, Merge]  # every 2025 unit of An Giang, by code
    former: dict[str, FormerUnit]  # every commune of former An Giang and Kiên Giang, by code
    merges_source: str
    units_source: str


def describe(entry: UpstreamFile) -> str:
    """Provenance as one line: repository, short commit, path and licence."""
    return f"{entry.repository} {entry.commit[:7]} {entry.path} ({entry.licence.split(' (')[0].split(';')[0]})"


def read_polygon(path: Path, entry: UpstreamFile, code: str | None = None) -> Polygon2025:
    """The one feature of a ward GeoJSON file; ``code`` for files that carry none (snapshots)."""
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        (feature,) = features
        props = feature.get("properties") or {}
        geom = shape(feature["geometry"])
    except (ValueError, KeyError, TypeError) as exc:
        raise UpstreamError(f"{entry.path}: not a GeoJSON file with exactly one feature ({exc})") from exc
    if invalid_reason(geom):
        geom = repaired(geom)
    reason = invalid_reason(geom)
    if reason or geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise UpstreamError(f"{entry.path}: unusable geometry ({reason or geom.geom_type})")
    code = code or str(props.get("code") or "")
    if not code.isdigit():
        raise UpstreamError(f"{entry.path}: no GSO code in the feature's properties")
    area = props.get("areaKm2")
    return Polygon2025(code, nfc(props["fullName"]) if props.get("fullName") else None, as_multipolygon(geom),
                       describe(entry), float(area) if area is not None else None)


def read_merges(path: Path, entry: UpstreamFile) -> dict[str, Merge]:
    """The 2025 units of the new An Giang and their former communes."""
    data = json.loads(path.read_text(encoding="utf-8"))
    province = next((p for p in data["data"] if p["level1_id"] == NEW_AN_GIANG), None)
    if province is None:
        raise UpstreamError(f"{entry.path}: no province {NEW_AN_GIANG} (An Giang)")
    return {
        c["level2_id"]: Merge(c["level2_id"], nfc(c["name"]),
                              tuple((m["old_id"], nfc(m["name"]), m["type"]) for m in c["merges"]))
        for c in province["level2s"]
    }


def read_former_units(path: Path) -> dict[str, FormerUnit]:
    """Every commune of former An Giang (89) and Kiên Giang (91) with its district, from dvhcvn.json."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, FormerUnit] = {}
    for province in data["data"]:
        if province["level1_id"] not in FORMER_PROVINCES:
            continue
        for district in province["level2s"]:
            for commune in district["level3s"]:
                out[commune["level3_id"]] = FormerUnit(
                    commune["level3_id"], nfc(commune["name"]), nfc(commune["type"]),
                    int(district["level2_id"]), nfc(district["name"]), province["level1_id"])
    return out


def _entries(settings: Settings) -> dict[str, list[UpstreamFile]]:
    by_role: dict[str, list[UpstreamFile]] = {role: [] for role in ROLES}
    for entry in read_manifest(settings.data_dir / "manifest.yaml"):
        if entry.role in by_role:
            by_role[entry.role].append(entry)
    for role in (ROLE_MERGES, ROLE_UNITS):
        if len(by_role[role]) != 1:
            raise UpstreamError(f"data/manifest.yaml: needs exactly one entry with role {role}, "
                                f"has {len(by_role[role])}")
    return by_role


def read_sources(settings: Settings, step=lambda _: None) -> Sources:
    """Fetch (cache, mirror, pinned URL; sha256-checked) and read every file of the roles above."""
    entries = _entries(settings)

    def get(entry: UpstreamFile) -> Path:
        step(f"communes 2025 {Path(entry.path).name}")
        return fetch(entry, settings.cache_dir, settings.mirror, settings.upstream_url)

    published = {}
    for entry in entries[ROLE_COMMUNE]:
        polygon = read_polygon(get(entry), entry)
        published[polygon.code] = polygon
    snapshots = {}
    for entry in entries[ROLE_SNAPSHOT]:
        if entry.path not in SNAPSHOT_OF:
            raise UpstreamError(f"{entry.path}: a snapshot the code does not know (add it to SNAPSHOT_OF)")
        snapshots[SNAPSHOT_OF[entry.path]] = read_polygon(get(entry), entry, SNAPSHOT_OF[entry.path])
    (merges_entry,), (units_entry,) = entries[ROLE_MERGES], entries[ROLE_UNITS]
    return Sources(published, snapshots, read_merges(get(merges_entry), merges_entry),
                   read_former_units(get(units_entry)), describe(merges_entry), describe(units_entry))
