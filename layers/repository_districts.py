"""Queries on former districts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from layers.models import District


def district_areas(session: Session) -> list[dict]:
    """GSO code, names and EPSG:9207 area of every former district, by code."""
    rows = session.execute(
        select(District.gso_code, District.name, District.short_name, District.area_ha).order_by(District.gso_code)
    )
    return [
        {"gso_code": r.gso_code, "name": r.name, "short_name": r.short_name, "area_ha": round(r.area_ha, 2)}
        for r in rows
    ]
