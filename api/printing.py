"""Printable map sheets over HTTP: ``/print/district/{gso_code}.pdf``, ``/print/commune/{code}.pdf`` (a 2025 unit
covering former Kiên Giang) and ``/print/province.pdf``, PNG of the map page too.

The web map's district panel links to ``/print/district/{gso}.pdf?size=A3&lang=vi``. Sheets are drawn in the
app's process pool (``api.print.pool``, started and stopped by this router's lifespan); when it is full the
answer is 503 with ``Retry-After``. Without the lifespan (a TestClient used outside ``with``) sheets are drawn
in the request's thread, one at a time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api import conditional
from api.deps import Db
from api.errors import ApiError, responses
from api.params import DistrictCode
from api.print.cache import CacheLimits, cached_sheet
from api.print.pool import PoolBusy, RenderPool, cores
from api.print.target import Target
from api.print.units import unit_exists, why_no_sheet


@asynccontextmanager
async def print_pool(app: FastAPI) -> AsyncIterator[dict]:
    """The process pool, for as long as the server runs (lifespan state: each server has its own)."""
    settings = app.state.settings
    pool = RenderPool(settings.database_url, settings.print_workers or cores(), settings.print_queue_limit,
                      settings.cache_dir)
    await run_in_threadpool(pool.warm)  # the first sheet need not wait for processes to start
    try:
        yield {"print_pool": pool}
    finally:
        await run_in_threadpool(pool.shutdown)


router = APIRouter(prefix="/print", tags=["printing"], lifespan=print_pool)
BUSY = {503: {"description": "too many sheets being drawn; retry after the seconds in Retry-After"}}

Size = Annotated[Literal["A4", "A3"], Query(description="paper size; orientation is chosen to fit")]
Lang = Annotated[Literal["vi", "en"], Query(description="language of the sheet")]
MEDIA = {"pdf": "application/pdf", "png": "image/png"}


def commune_code(
    code: Annotated[str, Path(pattern=r"^\d{5}$", description="GSO code of a 2025 unit, e.g. 30958")],
    request: Request,
    session: Db,
) -> str:
    """A 2025 unit that covers former Kiên Giang (404 saying why not otherwise)."""
    if not unit_exists(session, code):
        raise ApiError(404, "NotFound", why_no_sheet(session, request.app.state.settings, code))
    return code


CommuneCode = Annotated[str, Depends(commune_code)]


def _send(request: Request, session: Session, target: Target, size: str, lang: str, fmt: str) -> Response:
    settings, pool = request.app.state.settings, getattr(request.state, "print_pool", None)
    try:
        sheet = cached_sheet(session, settings.cache_dir, target, size, lang, fmt,
                             render_with=pool.render if pool else None, limits=CacheLimits.of(settings))
    except PoolBusy as exc:
        raise ApiError(503, "Busy", str(exc), headers={"Retry-After": str(exc.retry_after)}) from exc
    etag = f'"{sheet.key}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "no-cache",
        "X-Sheet-Cache": "hit" if sheet.hit else "miss",
        "Content-Disposition": f'inline; filename="planmap-{target.name}-{size}-{lang}.{fmt}"',
    }
    return conditional.respond(request, sheet.content, MEDIA[fmt], etag, headers)


@router.get(
    "/district/{gso_code}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **responses(404)} | BUSY,
)
def district_pdf(
    request: Request, session: Db, gso_code: DistrictCode, size: Size = "A3", lang: Lang = "vi"
) -> Response:
    """A vector PDF map sheet of one former district, true to scale, with its statistics and tasks."""
    return _send(request, session, Target.district(gso_code), size, lang, "pdf")


@router.get(
    "/district/{gso_code}.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, **responses(404)} | BUSY,
)
def district_png(
    request: Request, session: Db, gso_code: DistrictCode, size: Size = "A3", lang: Lang = "vi"
) -> Response:
    """The map page of a district sheet as a PNG image (150 dpi)."""
    return _send(request, session, Target.district(gso_code), size, lang, "png")


@router.get("/province.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}} | BUSY)
def province_pdf(request: Request, session: Db, size: Size = "A3", lang: Lang = "vi") -> Response:
    """The province sheet: every former district, with all tasks."""
    return _send(request, session, Target.province(), size, lang, "pdf")


@router.get("/province.png", response_class=Response, responses={200: {"content": {"image/png": {}}}} | BUSY)
def province_png(request: Request, session: Db, size: Size = "A3", lang: Lang = "vi") -> Response:
    return _send(request, session, Target.province(), size, lang, "png")


@router.get(
    "/commune/{code}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **responses(404)} | BUSY,
)
def commune_pdf(request: Request, code: CommuneCode, session: Db, size: Size = "A3", lang: Lang = "vi") -> Response:
    """A vector PDF map sheet of one 2025 unit (commune, ward or special zone of An Giang from 1 July 2025) that
    covers former Kiên Giang: true to scale, the former districts drawn faintly, its statistics (the figures of
    /api/stats/communes/{code}), the plan features on it and its tasks."""
    return _send(request, session, Target.commune(code), size, lang, "pdf")


@router.get(
    "/commune/{code}.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, **responses(404)} | BUSY,
)
def commune_png(request: Request, code: CommuneCode, session: Db, size: Size = "A3", lang: Lang = "vi") -> Response:
    """The map page of a 2025 unit's sheet as a PNG image (150 dpi)."""
    return _send(request, session, Target.commune(code), size, lang, "png")
