"""Errors as JSON ``{"code", "description"}``: 400 for bad parameters (OGC API), never a 500 for user input."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    """An error a client caused or may act on, with the HTTP status and a message naming the cause."""

    def __init__(self, status: int, code: str, description: str, headers: dict | None = None):
        super().__init__(description)
        self.status, self.code, self.description, self.headers = status, code, description, headers


def error_body(code: str, description: str) -> dict:
    return {"code": code, "description": description}


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.description), exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body", "header")]
            problems.append(f"{'.'.join(loc) or 'request'}: {err.get('msg')}")
        return JSONResponse(error_body("InvalidParameterValue", "; ".join(problems)), 400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "NotFound", 405: "MethodNotAllowed", 401: "Unauthorized", 403: "Forbidden"}.get(
            exc.status_code, "Error")
        return JSONResponse(error_body(code, str(exc.detail)), exc.status_code, headers=exc.headers)
