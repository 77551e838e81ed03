"""``where``: an old address or a point -> former district, former commune and 2025 unit. Pure functions.

>>> where_address(index, "xã Vĩnh Hòa Hưng Bắc, huyện Gò Quao").matches[0].commune_2025.full_name  # doctest: +SKIP
'Xã Vĩnh Hòa Hưng'
>>> [m.commune_2025.name for m in where_address(index, "xa Thanh Loc").matches]                     # doctest: +SKIP
['Thạnh Lộc', 'Thạnh Hưng']
>>> where_point(index, 105.27, 9.73).former_district.short_name                                     # doctest: +SKIP
'Gò Quao'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shapely.geometry import Point

from layers.admin2025.index import AdminIndex, FormerEntry, to_tm3
from layers.admin2025.lookup import communes_of_district
from layers.admin2025.results import AddressAnswer, AddressMatch, PointAnswer
from layers.text import fold

# Folded prefixes and their abbreviations ("H. Gò Quao", "TT. Tân Hiệp"); district ones are tried first, so
# "thị xã" is never read as "xã". Former Kiên Giang had no quận.
DISTRICT_PREFIXES = ("thanh pho", "thi xa", "huyen", "tp", "tx", "h")
COMMUNE_PREFIXES = {"thi tran": "Thị trấn", "phuong": "Phường", "xa": "Xã", "tt": "Thị trấn", "p": "Phường",
                    "x": "Xã"}
_DISTRICT_INSIDE = re.compile(rf"\s(?=(?:{'|'.join(DISTRICT_PREFIXES)})\s)")
PROVINCE_NAMES = ("kien giang", "an giang")
MAX_ADDRESS = 200


@dataclass(frozen=True)
class Part:
    """One part of an address: its level if a prefix says it, the commune type it names, its folded name."""

    level: str | None  # "commune" | "district" | None
    type: str | None  # "Xã" | "Phường" | "Thị trấn" for a commune prefix
    name: str


def _part(text: str) -> Part:
    words = text.split()
    for prefix in DISTRICT_PREFIXES:
        n = len(prefix.split())
        if words[:n] == prefix.split() and len(words) > n:
            return Part("district", None, " ".join(words[n:]))
    for prefix, kind in COMMUNE_PREFIXES.items():
        n = len(prefix.split())
        if words[:n] == prefix.split() and len(words) > n:
            return Part("commune", kind, " ".join(words[n:]))
    return Part(None, None, " ".join(words))


def parse_address(text: str) -> list[Part]:
    """The commune and district parts of an address, folded; the province part is dropped.

    >>> parse_address("Xã Vĩnh Hòa Hưng Bắc, H. Gò Quao, tỉnh Kiên Giang")
    [Part(level='commune', type='Xã', name='vinh hoa hung bac'), Part(level='district', type=None, name='go quao')]
    >>> parse_address("xa vinh hoa hung bac huyen go quao")
    [Part(level='commune', type='Xã', name='vinh hoa hung bac'), Part(level='district', type=None, name='go quao')]
    """
    folded = fold(text.replace(".", " "))
    pieces = []
    for piece in (p.strip() for p in folded.split(",") if p.strip()):
        match = _DISTRICT_INSIDE.search(piece)  # no comma before the district: split there
        pieces += [piece[: match.start()], piece[match.end():]] if match else [piece]
    parts = [_part(p) for p in pieces]
    return [p for p in parts if not (p.name.removeprefix("tinh ") in PROVINCE_NAMES and p.level is None)]


def _assign(parts: list[Part]) -> tuple[Part | None, Part | None]:
    """(commune part, district part): prefixes decide; otherwise the first part is the commune, as written."""
    commune = next((p for p in parts if p.level == "commune"), None)
    district = next((p for p in parts if p.level == "district"), None)
    rest = [p for p in parts if p.level is None]
    if commune is None and rest and (district is not None or len(rest) > 1):
        commune = rest.pop(0)
    if district is None and rest:
        district = rest.pop(0)
    return commune, district


def _districts_named(index: AdminIndex, name: str) -> list[int]:
    return [code for code, d in index.districts.items() if fold(d.short_name) == name]


def _former_named(index: AdminIndex, part: Part) -> list[FormerEntry]:
    found = [f for f in index.former if f.folded_name == part.name]
    typed = [f for f in found if f.ref.type == part.type]
    return typed or found  # "xã Gò Quao" finds thị trấn Gò Quao rather than nothing


def _match(index: AdminIndex, entry: FormerEntry) -> AddressMatch:
    return AddressMatch(former_commune=entry.ref, former_district=index.districts[entry.district],
                        commune_2025=index.communes[entry.commune])


def where_address(index: AdminIndex, text: str) -> AddressAnswer:
    """An old address -> the former commune(s) it names and the 2025 unit each went into.

    Accepts "xã Vĩnh Hòa Hưng Bắc, huyện Gò Quao", without prefixes or diacritics, or a district alone (then the
    answer lists the district's units with shares). A commune name several districts had, given without a
    district, yields every candidate (``ambiguous``). No match: empty ``matches`` and a ``note`` saying why.
    ValueError for text that is empty or longer than ``MAX_ADDRESS`` characters.
    """
    if not text.strip() or len(text) > MAX_ADDRESS:
        raise ValueError(f"an address is 1 to {MAX_ADDRESS} characters, e.g. \"xã Vĩnh Hòa Hưng Bắc, huyện Gò Quao\"")
    commune, district = _assign(parse_address(text))
    district_codes = _districts_named(index, district.name) if district else None
    if commune is None and district is not None and not district_codes:
        commune, district, district_codes = district, None, None  # a lone name that is no district: a commune?
    if commune is None:
        if not district_codes:
            return _none(text, "names no former district or commune of Kiên Giang")
        return AddressAnswer(query=text, matches=[], ambiguous=False,
                             district=communes_of_district(index, district_codes[0]))
    found = _former_named(index, commune)
    if district is not None:
        if not district_codes:
            return _none(text, f"no former district of Kiên Giang is called {district.name!r}")
        found_there = [f for f in found if f.district in district_codes]
        if not found_there:
            elsewhere = ", ".join(f"{f.ref.full_name} ({index.districts[f.district].name})" for f in found)
            return _none(text, f"no former commune {commune.name!r} in {index.districts[district_codes[0]].name}"
                         + (f"; there are: {elsewhere}" if elsewhere else ""))
        found = found_there
    if not found:
        now = [c.full_name for c in index.communes.values() if fold(c.name) == commune.name]
        return _none(text, f"no former commune of Kiên Giang is called {commune.name!r}"
                     + (f"; it is the name of a 2025 unit ({', '.join(now)})" if now else ""))
    note = None
    if len(found) > 1:
        note = (f"{len(found)} former communes had this name; give the former district to choose one")
    return AddressAnswer(query=text, matches=[_match(index, f) for f in found], ambiguous=len(found) > 1,
                         district=None, note=note)


def _none(text: str, why: str) -> AddressAnswer:
    return AddressAnswer(query=text, matches=[], ambiguous=False, district=None, note=why)


def where_point(index: AdminIndex, lon: float, lat: float) -> PointAnswer:
    """A point (EPSG:4326, lon/lat) -> its former district and its 2025 unit, either None where there is none;
    with the former communes it may have been in (those of that district that went into that unit)."""
    point = to_tm3(Point(lon, lat))
    districts, communes = index.districts_hit(point), index.communes_hit(point)
    district = index.districts[districts[0]] if districts else None
    commune = index.communes[communes[0]] if communes else None
    former = [f.ref for f in index.former
              if district and commune and f.district == district.code and f.commune == commune.code]
    note = None
    if district and not commune:
        note = "inside the former district, in a part that no 2025 polygon covers (the boundary data differ)"
    elif commune and not district:
        note = "inside a 2025 unit but outside the former Kiên Giang district outlines (the boundary data differ)"
    elif commune and not commune.formed_from_kien_giang:
        note = "a border sliver of a former-An Giang unit (the boundary data differ)"
    elif not district:
        note = "outside former Kiên Giang"
    return PointAnswer(lon=lon, lat=lat, former_district=district, commune_2025=commune, former_communes=former,
                       note=note)
