"""Printable map sheets over HTTP: ``/print/district/{gso_code}.pdf`` and ``/print/province.pdf`` (PNG too).

The web map's district panel links to ``/print/district/{gso}.pdf?size=A3&lang=vi``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from api.deps import get_session
from api.errors import responses
from api.params import DistrictCode
from api.print.cache import cached_sheet

router = APIRouter(prefix="/print", tags=["printing"])

Size = Annotated[Literal["A4", "A3"], Query(description="paper size; orientation is chosen to fit")]
Lang = Annotated[Literal["vi", "en"], Query(description="language of the sheet")]
Db = Annotated[Session, Depends(get_session)]
MEDIA = {"pdf": "application/pdf", "png": "image/png"}


def _send(request: Request, session: Session, gso: int | None, size: str, lang: str, fmt: str) -> Response:
    sheet = cached_sheet(session, request.app.state.settings.cache_dir, gso, size, lang, fmt)
    etag = f'"{sheet.key}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "no-cache",
        "X-Sheet-Cache": "hit" if sheet.hit else "miss",
        "Content-Disposition": f'inline; filename="planmap-{gso or "province"}-{size}-{lang}.{fmt}"',
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(sheet.content, media_type=MEDIA[fmt], headers=headers)


@router.get(
    "/district/{gso_code}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **responses(404)},
)
def district_pdf(
    request: Request, gso_code: DistrictCode, session: Db, size: Size = "A3", lang: Lang = "vi"
) -> Response:
    """A vector PDF map sheet of one former district, true to scale, with its statistics and tasks."""
    return _send(request, session, gso_code, size, lang, "pdf")


@router.get(
    "/district/{gso_code}.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, **responses(404)},
)
def district_png(
    request: Request, gso_code: DistrictCode, session: Db, size: Size = "A3", lang: Lang = "vi"
) -> Response:
    """The map page of a district sheet as a PNG image (150 dpi)."""
    return _send(request, session, gso_code, size, lang, "png")


@router.get("/province.pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
def province_pdf(request: Request, session: Db, size: Size = "A3", lang: Lang = "vi") -> Response:
    """The province sheet: every former district, with all tasks."""
    return _send(request, session, None, size, lang, "pdf")


@router.get("/province.png", response_class=Response, responses={200: {"content": {"image/png": {}}}})
def province_png(request: Request, session: Db, size: Size = "A3", lang: Lang = "vi") -> Response:
    return _send(request, session, None, size, lang, "png")
