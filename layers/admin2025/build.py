"""From the upstream records to table rows: names and types, former communes, areas and the crosswalk (all in
EPSG:9207), and a ``geometry_note`` for every known defect. Pure: no database, no files."""

from __future__ import annotations

import math
from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from geo.area import M2_PER_HA, hectares
from geo.geometry import as_multipolygon
from geo.crs import STORAGE_SRID, VN2000_TM3
from geo.transform import reproject
from layers.admin2025.sources import FORMER_KIEN_GIANG, FormerUnit, Merge, Sources
from layers.stats import SLIVER_HA  # pieces under 100 m² are seams between boundary datasets, not territory
from layers.text import fold
from layers.upstream import UpstreamError

UNIT_TYPES = (("Đặc khu", "đặc khu"), ("Phường", "phường"), ("Thị trấn", "thị trấn"), ("Xã", "xã"))
OUTSIDE_NOTE_PCT = 2.0  # say so when more than this share of a unit lies outside the former district outlines
AREA_ATTRIBUTE_NOTE_PCT = 5.0  # say so when the portal's areaKm2 is this far from the polygon's area


def split_type(full_name: str) -> tuple[str, str]:
    """("xã", "Định Hòa") from "Xã Định Hòa"; the type lower-case, as written inside a sentence.

    >>> split_type("Đặc khu Thổ Châu")
    ('đặc khu', 'Thổ Châu')
    """
    for prefix, kind in UNIT_TYPES:
        if full_name.startswith(prefix + " "):
            return kind, full_name[len(prefix) + 1:]
    raise ValueError(f"no unit type in {full_name!r}")


def tm3(geom: BaseGeometry) -> BaseGeometry:
    return reproject(geom, STORAGE_SRID, VN2000_TM3)


def compass(dx: float, dy: float) -> str:
    """The direction of a (dx, dy) offset in a projected CRS, on 8 points.

    >>> compass(3000, -400)
    'east'
    """
    names = ("east", "north-east", "north", "north-west", "west", "south-west", "south", "south-east")
    return names[round(math.degrees(math.atan2(dy, dx)) / 45) % 8]


def lonlat(geom_tm3: BaseGeometry) -> tuple[float, float]:
    """A point inside a projected piece, as (lon, lat) rounded to 4 decimals (~10 m), for notes."""
    point = reproject(geom_tm3.representative_point(), VN2000_TM3, STORAGE_SRID)
    return round(point.x, 4), round(point.y, 4)


@dataclass(frozen=True)
class Piece:
    """One former district × one 2025 unit (``commune`` None: covered by no 2025 polygon)."""

    district: int
    commune: str | None
    area_ha: float
    geom: BaseGeometry  # EPSG:9207


def intersections(communes: dict[str, BaseGeometry], districts: dict[int, BaseGeometry]) -> list[Piece]:
    """Every district × unit intersection of at least ``SLIVER_HA``, plus each district's uncovered rest.

    Both inputs in EPSG:9207. The 2025 polygons do not overlap each other, so a district's pieces add up to it.
    """
    codes = list(communes)
    tree = shapely.STRtree([communes[c] for c in codes])
    pieces: list[Piece] = []
    for d_code, d_geom in sorted(districts.items()):
        hits = [codes[i] for i in tree.query(d_geom, predicate="intersects")]
        for c_code in sorted(hits):
            part = d_geom.intersection(communes[c_code])
            if part.area / M2_PER_HA >= SLIVER_HA:
                pieces.append(Piece(d_code, c_code, part.area / M2_PER_HA, part))
        rest = d_geom.difference(unary_union([communes[c] for c in hits])) if hits else d_geom
        if rest.area / M2_PER_HA >= SLIVER_HA:
            pieces.append(Piece(d_code, None, rest.area / M2_PER_HA, rest))
    return pieces


def uncovered_reason(piece: Piece) -> str:
    parts = sorted(getattr(piece.geom, "geoms", [piece.geom]), key=lambda g: -g.area)
    lon, lat = lonlat(parts[0])
    return (f"no 2025 polygon of An Giang covers this part of the former district: the pre-2025 outline "
            f"(gis.chinhphu.vn via dvhcvn) and the 2025 one (sapnhap.bando.com.vn) are drawn differently along the "
            f"coast, around islands and at the provincial border; {len(parts)} piece(s), the largest "
            f"{parts[0].area / M2_PER_HA:,.1f} ha near {lon} E {lat} N")


def crosswalk_rows(pieces: list[Piece], district_ha: dict[int, float], commune_ha: dict[str, float],
                   formed_from: dict[str, set[int]]) -> list[dict]:
    """Rows of ``district_commune_crosswalk``: shares of the district and of the unit, in percent."""
    return [
        {"id": f"{p.district}-{p.commune or 'none'}", "geom": _lonlat_polygons(p.geom),
         "district_code": p.district, "commune_code": p.commune, "area_ha": p.area_ha,
         "share_of_district_pct": 100 * p.area_ha / district_ha[p.district],
         "share_of_commune_pct": 100 * p.area_ha / commune_ha[p.commune] if p.commune else None,
         "formed_from_district": p.commune is not None and p.district in formed_from[p.commune],
         "reason": None if p.commune else uncovered_reason(p)}
        for p in pieces
    ]


def _parents(merge: Merge, former: dict[str, FormerUnit]) -> list[FormerUnit]:
    return [former[code] for code, _, _ in merge.parents if code in former]


def _geometry_notes(src: Sources, code: str, geom: MultiPolygon, area_ha: float, inside_ha: float,
                    from_kien_giang: bool, parents: list[FormerUnit]) -> str | None:
    notes = []
    if code in src.snapshots:
        shown, published = tm3(geom).centroid, tm3(src.published[code].geom).centroid
        notes.append(f"polygon from the merger portal's 11 Mar 2026 snapshot, which agrees with the pre-2025 boundary "
                     f"(dvhcvn); the polygon published later lies {shown.distance(published) / 1000:.1f} km "
                     f"{compass(published.x - shown.x, published.y - shown.y)} of it, off the island")
    if not from_kien_giang:
        names = ", ".join(f"{p.full_name} ({p.district_name})" for p in parents)
        notes.append(f"border sliver: a unit of former An Giang (formed from {names}), not of former Kiên Giang; "
                     f"{inside_ha:,.2f} ha ({100 * inside_ha / area_ha:.2f} %) of it lies inside the former Kiên "
                     "Giang district outlines only because the pre-2025 and 2025 boundary data differ there")
    elif 100 * (area_ha - inside_ha) / area_ha > OUTSIDE_NOTE_PCT:
        notes.append(f"{100 * (area_ha - inside_ha) / area_ha:.1f} % of the polygon ({area_ha - inside_ha:,.1f} ha) "
                     "lies outside the former Kiên Giang district outlines: the 2025 data draw the coast, islands "
                     "or the provincial border differently")
    attribute = src.published[code].area_km2_attribute
    if attribute and abs(attribute * 100 - area_ha) > AREA_ATTRIBUTE_NOTE_PCT / 100 * area_ha:
        notes.append(f"the portal's areaKm2 attribute ({attribute:,.2f} km²) is not the polygon's area "
                     f"({area_ha / 100:,.2f} km² in EPSG:9207); the service uses the polygon's")
    return "; ".join(notes) or None


def commune_geometries(src: Sources) -> dict[str, MultiPolygon]:
    """The geometry each unit is stored with: the published polygon unless a snapshot stands in for it."""
    missing = [
        m.code for m in src.merges.values()
        if m.code not in src.published and any(p.province_code == FORMER_KIEN_GIANG for p in _parents(m, src.former))
    ]
    if missing:
        raise UpstreamError(f"data/manifest.yaml: no polygon for the 2025 units {missing} formed from former "
                            "Kiên Giang communes; add their ward files")
    return {code: (src.snapshots.get(code) or p).geom for code, p in src.published.items()}


def commune_rows(src: Sources, geoms: dict[str, MultiPolygon], inside_ha: dict[str, float]) -> list[dict]:
    """Rows of ``communes_2025``; ``inside_ha``: each unit's area inside the former district outlines."""
    rows = []
    for code, geom in sorted(geoms.items()):
        merge = src.merges.get(code)
        if merge is None:
            raise UpstreamError(f"{src.published[code].source}: unit {code} is not in {src.merges_source}")
        name_in_file = src.published[code].file_name
        if name_in_file and fold(name_in_file) != fold(merge.full_name):
            raise UpstreamError(f"{src.published[code].source}: name {name_in_file!r} differs from "
                                f"{merge.full_name!r} in {src.merges_source}")
        kind, name = split_type(merge.full_name)
        parents = _parents(merge, src.former)
        from_kg = any(p.province_code == FORMER_KIEN_GIANG for p in parents)
        area_ha = hectares(geom)
        districts = sorted({(p.district_code, p.district_name) for p in parents})
        source = (f"polygon: {(src.snapshots.get(code) or src.published[code]).source}; name and former units: "
                  f"{src.merges_source}; former districts: {src.units_source}")
        rows.append({
            "code": code, "name": name, "type": kind, "full_name": merge.full_name,
            "search_text": fold(merge.full_name), "area_ha": area_ha, "formed_from_kien_giang": from_kg,
            "source": source, "geom": geom,
            "former_communes": [{"code": c, "name": n} for c, n, _ in merge.parents],
            "former_districts": [{"code": c, "name": n} for c, n in districts],
            "geometry_note": _geometry_notes(src, code, geom, area_ha, inside_ha.get(code, 0.0), from_kg, parents),
        })
    return rows


def former_commune_rows(src: Sources, kept: set[str]) -> list[dict]:
    """Rows of ``former_communes``: every commune of former Kiên Giang and the one 2025 unit it went into."""
    went_into: dict[str, list[tuple[str, str]]] = {}
    for merge in src.merges.values():
        for old, _, how in merge.parents:
            went_into.setdefault(old, []).append((merge.code, how))
    rows = []
    for unit in sorted(src.former.values(), key=lambda u: u.code):
        if unit.province_code != FORMER_KIEN_GIANG:
            continue
        targets = went_into.get(unit.code, [])
        if len(targets) != 1 or targets[0][1] != "full" or targets[0][0] not in kept:
            raise UpstreamError(f"{src.merges_source}: former commune {unit.code} {unit.full_name} should go whole "
                                f"into exactly one loaded 2025 unit, found {targets}")
        kind = unit.type
        name = unit.full_name[len(kind) + 1:] if unit.full_name.startswith(kind + " ") else unit.full_name
        rows.append({"code": unit.code, "name": name, "type": kind, "search_text": fold(unit.full_name),
                     "district_code": unit.district_code, "commune_code": targets[0][0]})
    return rows


def formed_from_districts(rows: list[dict]) -> dict[str, set[int]]:
    return {r["code"]: {d["code"] for d in r["former_districts"]} for r in rows}


def _lonlat_polygons(geom_tm3: BaseGeometry) -> MultiPolygon:
    """A piece back in EPSG:4326, its polygonal parts only (an intersection may also leave lines and points)."""
    parts = [g for g in shapely.get_parts(geom_tm3) if g.geom_type in ("Polygon", "MultiPolygon")]
    return as_multipolygon(reproject(unary_union(parts), VN2000_TM3, STORAGE_SRID))
