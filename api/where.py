"""``GET /api/where``: an old address (``?address=``) or a point (``?lon=&lat=``) -> former district, former
commune and the 2025 unit of An Giang. The answers come from ``layers.admin2025.where`` only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import Db
from api.errors import ApiError
from api.ogc.params import known_params
from layers.admin2025.index import admin_index
from layers.admin2025.results import AddressAnswer, PointAnswer
from layers.admin2025.where import MAX_ADDRESS, where_address, where_point

router = APIRouter(prefix="/api", tags=["where"])

ERROR = {"content": {"application/json": {"example": {"code": "NotFound", "description": "…"}}}}


@router.get(
    "/where", summary="Old address or point -> 2025 commune", response_model=AddressAnswer | PointAnswer,
    dependencies=[Depends(known_params({"address", "lon", "lat"}))],
    responses={400: {"description": "No address and no point, both, or values out of range"} | ERROR,
               404: {"description": "Nothing of former Kiên Giang matches"} | ERROR},
)
def where(
    session: Db,
    address: Annotated[str | None, Query(max_length=MAX_ADDRESS, description="former commune and/or district, e.g. "
                                         "\"xã Vĩnh Hòa Hưng Bắc, huyện Gò Quao\"; diacritics optional")] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180, description="longitude, WGS 84")] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90, description="latitude, WGS 84")] = None,
) -> AddressAnswer | PointAnswer:
    """The 2025 unit (xã, phường, đặc khu) that an address of before 1 July 2025 or a point now lies in."""
    point = lon is not None or lat is not None
    if (address is None) == (not point) or (point and (lon is None or lat is None)):
        raise ApiError(400, "InvalidParameterValue", "give either address, or both lon and lat")
    index = admin_index(session)
    if address is not None:
        try:
            answer = where_address(index, address)
        except ValueError as exc:
            raise ApiError(400, "InvalidParameterValue", f"address: {exc}") from None
        if not answer.matches and answer.district is None:
            raise ApiError(404, "NotFound", f"{address!r}: {answer.note}")
        return answer
    answer = where_point(index, lon, lat)
    if answer.former_district is None and answer.commune_2025 is None:
        raise ApiError(404, "NotFound", f"({lon}, {lat}): {answer.note}")
    return answer
