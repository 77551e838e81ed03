"""One small FastAPI dependency per OGC query parameter; each bad value is a 400 naming the parameter."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

from fastapi import Path, Query, Request
from starlette.concurrency import run_in_threadpool

from api.deps import Db
from api.errors import ApiError
from geo.crs import CrsInfo, lookup
from geo.transform import bbox_to_storage
from layers import cql
from layers.store.catalog import provider
from layers.store.table import TableProvider

DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000  # larger values are clamped (OGC API - Features /req/core/fc-limit-response-1)
COMMON = {"f"}
ITEMS_PARAMS = COMMON | {"limit", "offset", "token", "bbox", "bbox-crs", "datetime", "crs", "filter",
                         "filter-lang", "filter-crs", "sortby"}


def bad(param: str, message: str) -> ApiError:
    return ApiError(400, "InvalidParameterValue", f"{param}: {message}")


def collection(session: Db, collection_id: Annotated[str, Path(alias="collectionId", max_length=100)]) -> TableProvider:
    """The provider of the collection named in the path; 404 for a collection the service does not publish."""
    try:
        return provider(collection_id, session)
    except KeyError:
        raise ApiError(404, "NotFound", f"no collection {collection_id!r}; see /ogc/collections") from None


def known_params(allowed: set[str]):
    """A dependency refusing query parameters the endpoint does not know (the OGC test suite expects 400)."""
    async def check(request: Request) -> None:
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise bad(unknown[0], f"unknown query parameter; this endpoint takes {', '.join(sorted(allowed))}")
    return check


async def limit(value: Annotated[int, Query(alias="limit", ge=1)] = DEFAULT_LIMIT) -> int:
    return min(value, MAX_LIMIT)


async def offset(value: Annotated[int | None, Query(alias="offset", ge=0, le=10**9)] = None) -> int | None:
    return value


async def token(value: Annotated[str | None, Query(alias="token", max_length=2000)] = None) -> str | None:
    return value


def _crs(param: str, value: str | None) -> CrsInfo:
    try:
        return lookup(value or "CRS84")
    except (KeyError, ValueError):
        raise bad(param, f"unsupported CRS {value!r}; see the collection's 'crs' list") from None


async def crs(value: Annotated[str | None, Query(alias="crs")] = None) -> CrsInfo:
    return _crs("crs", value)


async def bbox_crs(value: Annotated[str | None, Query(alias="bbox-crs")] = None) -> CrsInfo:
    return _crs("bbox-crs", value)


async def filter_crs(value: Annotated[str | None, Query(alias="filter-crs")] = None) -> CrsInfo:
    return _crs("filter-crs", value)


async def bbox(value: Annotated[str | None, Query(alias="bbox")] = None) -> tuple[float, ...] | None:
    """Four (or six, with heights ignored) numbers: lower corner then upper corner, in ``bbox-crs`` axis order."""
    if value is None:
        return None
    try:
        numbers = [float(v) for v in value.split(",")]
    except ValueError:
        raise bad("bbox", f"expected 4 or 6 comma-separated numbers, got {value!r}") from None
    if len(numbers) not in (4, 6) or not all(math.isfinite(n) for n in numbers):
        raise bad("bbox", f"expected 4 or 6 comma-separated finite numbers, got {value!r}")
    x1, y1, x2, y2 = numbers if len(numbers) == 4 else numbers[:2] + numbers[3:5]
    if x1 > x2 or y1 > y2:
        raise bad("bbox", "the lower corner must come first (minimum values, then maximum values)")
    return x1, y1, x2, y2


def storage_bbox(box: tuple[float, ...] | None, crs_info: CrsInfo) -> tuple[float, float, float, float] | None:
    if box is None:
        return None
    try:
        out = bbox_to_storage(box, crs_info)
    except Exception:  # pyproj raises on points outside a projection's domain
        raise bad("bbox", "cannot be transformed from bbox-crs to WGS 84") from None
    if not all(math.isfinite(v) for v in out):
        raise bad("bbox", "lies outside the domain of bbox-crs")
    west, south, east, north = out
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise bad("bbox", "lies outside the earth: latitudes run from -90 to 90, longitudes from -180 to 180 "
                          "degrees (in bbox-crs axis order)")
    return out


def _day(text: str, end: bool) -> dt.date | None:
    if text in ("..", ""):
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date() if "T" in text else (
            dt.date.fromisoformat(text))
    except ValueError:
        raise bad("datetime", f"not an RFC 3339 date or date-time: {text!r}") from None


async def datetime(value: Annotated[str | None, Query(alias="datetime")] = None):
    """A date, a date-time, or an interval ``start/end`` with ``..`` for an open end."""
    if value is None:
        return None
    parts = value.split("/")
    if len(parts) == 1:
        day = _day(parts[0], False)
        if day is None:
            raise bad("datetime", "'..' only makes sense in an interval")
        return day, day
    if len(parts) != 2:
        raise bad("datetime", "expected a date or an interval start/end")
    start, end = _day(parts[0], False), _day(parts[1], True)
    if start and end and start > end:
        raise bad("datetime", "the interval ends before it starts")
    return start, end


async def filter_(
    value: Annotated[str | None, Query(alias="filter", max_length=10_000)] = None,
    lang: Annotated[str | None, Query(alias="filter-lang")] = None,
) -> Any:
    if lang not in (None, "cql2-text", "cql-text"):  # cql-text: the Part 3 draft name older GDAL sends
        raise bad("filter-lang", f"only cql2-text is supported, not {lang!r}")
    if value is None:
        return None
    try:
        return await run_in_threadpool(cql.parse, value)  # a long filter takes a while: not on the event loop
    except cql.CqlError as exc:
        raise bad("filter", str(exc)) from None


async def sortby(value: Annotated[str | None, Query(alias="sortby")] = None) -> list[tuple[str, bool]]:
    """``name,-deadline``: property names, ``-`` for descending (checked against queryables by the route)."""
    if not value:
        return []
    keys = []
    for part in value.split(","):
        part = part.strip()
        desc = part.startswith("-")
        keys.append((part.lstrip("+-").strip(), desc))
    return keys
