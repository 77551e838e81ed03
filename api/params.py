"""Request rules shared by every route of the JSON API (``/api/…``, ``/print/…``) and the typed district code.

- A query parameter the route does not declare is a 400 naming it (as on the OGC routes), never ignored.
- An ``Accept`` header that none of the route's media types satisfies is a 406 (errors stay JSON).
- ``DistrictCode``: the GSO code of a former district in a path: a three-digit number (400 otherwise) of a
  district that exists (404 otherwise), so no number reaches the database unchecked.

``request_rules`` is an app-wide dependency (``FastAPI(dependencies=…)``); ``RESPONSES`` documents it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute

from api.deps import Db
from api.errors import ApiError
from layers.models import District

API_PREFIXES = ("/api/", "/print/")  # /ogc has its own rules (api.ogc.params.known_params)
GSO_MIN, GSO_MAX = 1, 999  # GSO district codes have three digits; Kiên Giang's are 899-914
RESPONSES = (400, 406)


def _query_names(dependant) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _route_contract(route: APIRoute) -> tuple[frozenset[str], frozenset[str]]:
    """(declared query parameter names, media types of the route's successful answers)."""
    if (known := getattr(route, "_planmap_contract", None)) is not None:  # routes are not hashable: no @cache
        return known
    kinds = set()
    response_class = route.response_class
    if isinstance(response_class, DefaultPlaceholder):
        response_class = response_class.value
    if getattr(response_class, "media_type", None):
        kinds.add(response_class.media_type)
    for status, answer in route.responses.items():
        if str(status).startswith("2"):
            kinds |= set(answer.get("content", {}))
    route._planmap_contract = frozenset(_query_names(route.dependant)), frozenset(kinds)
    return route._planmap_contract


def _accepts(header: str, kinds: frozenset[str]) -> bool:
    """True when a media range of ``Accept`` with q > 0 covers one of ``kinds``."""
    for item in header.split(","):
        media, *options = (part.strip() for part in item.split(";"))
        if any(o.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for o in options):
            continue
        media = media.lower()
        if media in ("*/*", "*") or media in kinds or (
                media.endswith("/*") and any(k.startswith(media[:-1]) for k in kinds)):
            return True
    return False


async def request_rules(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.url.path.startswith(API_PREFIXES):
        return
    declared, kinds = _route_contract(route)
    unknown = sorted(set(request.query_params) - declared)
    if unknown:
        takes = f"this endpoint takes {', '.join(sorted(declared))}" if declared else "this endpoint takes none"
        raise ApiError(400, "InvalidParameterValue", f"{unknown[0]}: unknown query parameter; {takes}")
    accept = request.headers.get("accept")
    if accept and kinds and not _accepts(accept, kinds):
        raise ApiError(406, "NotAcceptable", f"Accept: this endpoint answers {', '.join(sorted(kinds))}")


def district_code(
    session: Db, gso_code: Annotated[int, Path(ge=GSO_MIN, le=GSO_MAX, description="GSO code of a former district, e.g. 907")],
) -> int:
    if session.get(District, gso_code) is None:
        raise ApiError(404, "NotFound", f"no former district with GSO code {gso_code}; "
                                        "see /api/stats/districts for the codes")
    return gso_code


DistrictCode = Annotated[int, Depends(district_code)]
