"""Providers of the 2025 units: the communes of An Giang that cover former Kiên Giang (``communes_2025``) and the
crosswalk from the former districts (``district_commune_crosswalk``, one piece per district × commune)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from layers.admin2025.models import Commune2025, DistrictCommune
from layers.models import District
from layers.store.model import Field
from layers.store.table import Source, TableProvider

COMMUNE_FIELDS = (
    Field("name", "string", "name without its type: Định Hòa"), Field("type", "string", "xã, phường or đặc khu"),
    Field("full_name", "string"), Field("area_ha", "number", "area of the polygon in EPSG:9207, hectares"),
    Field("formed_from_kien_giang", "boolean", "formed from former Kiên Giang communes (Resolution 1654)"),
    Field("former_communes", "string", "the former communes it was formed from, '; '-separated", False),
    Field("former_commune_codes", "string", "their GSO codes, comma-separated", False),
    Field("former_district_codes", "string", "the former districts of those communes, comma-separated", False),
    Field("geometry_note", "string", "what is known to be wrong with the published polygon"),
    Field("source", "string"),
)
CROSSWALK_FIELDS = (
    Field("district_code", "integer", "GSO code of the former district"),
    Field("district_name", "string", queryable=False),
    Field("commune_code", "string", "GSO code of the 2025 unit; null for the part no 2025 polygon covers"),
    Field("commune_name", "string", queryable=False),
    Field("area_ha", "number", "area of the piece in EPSG:9207, hectares"),
    Field("share_of_district_pct", "number"), Field("share_of_commune_pct", "number"),
    Field("formed_from_district", "boolean",
          "the unit was formed from communes of this district (false: the two outlines merely overlap)"),
    Field("reason", "string", "why a part is covered by no 2025 polygon", False),
)


class CommuneProvider(TableProvider):
    def __init__(self, collection):
        self.collection = collection

    def source(self, session: Session, today: dt.date) -> Source:
        names = ("name", "type", "full_name", "area_ha", "formed_from_kien_giang", "geometry_note", "source")
        return Source("communes_2025", Commune2025.__table__, Commune2025.code, "string", Commune2025.geom, "geom",
                      (), {n: getattr(Commune2025, n) for n in names},
                      (Commune2025.former_communes.label("_former"), Commune2025.former_districts.label("_districts")))

    def finish(self, session: Session, rows: list, today: dt.date) -> list[dict]:
        out = []
        for r in rows:
            former, districts = r._former or [], r._districts or []
            values = dict(r._mapping) | {
                "area_ha": round(r.area_ha, 2), "formed_from_kien_giang": bool(r.formed_from_kien_giang),
                "former_communes": "; ".join(c["name"] for c in former),
                "former_commune_codes": ",".join(str(c["code"]) for c in former),
                "former_district_codes": ",".join(str(d["code"]) for d in districts)}
            out.append({f.name: values.get(f.name) for f in self.collection.fields})
        return out


class CrosswalkProvider(TableProvider):
    def __init__(self, collection):
        self.collection = collection

    def source(self, session: Session, today: dt.date) -> Source:
        joined = (DistrictCommune.__table__
                  .join(District.__table__, District.gso_code == DistrictCommune.district_code)
                  .outerjoin(Commune2025.__table__, Commune2025.code == DistrictCommune.commune_code))
        names = ("district_code", "commune_code", "area_ha", "share_of_district_pct", "share_of_commune_pct",
                 "formed_from_district", "reason")
        columns = {n: getattr(DistrictCommune, n) for n in names} | {"district_name": District.name,
                                                                     "commune_name": Commune2025.full_name}
        return Source("district_commune_crosswalk", joined, DistrictCommune.id, "string", DistrictCommune.geom,
                      "geom", (), columns)

    def finish(self, session: Session, rows: list, today: dt.date) -> list[dict]:
        out = []
        for r in rows:
            values = dict(r._mapping) | {
                "area_ha": round(r.area_ha, 4), "share_of_district_pct": round(r.share_of_district_pct, 4),
                "share_of_commune_pct": None if r.share_of_commune_pct is None else round(r.share_of_commune_pct, 4),
                "formed_from_district": bool(r.formed_from_district)}
            out.append({f.name: values.get(f.name) for f in self.collection.fields})
        return out
