"""Errors as JSON ``{"code", "description"}``: 400 for bad parameters (OGC API), never a 500 for user input.

``responses(401, 403)`` documents a route's error answers in the OpenAPI with the same ``Error`` body the
handlers send; ``install`` registers the handlers and rewrites FastAPI's default 422 (which this service never
sends: validation errors are 400) in the generated document.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

JSON = "application/json"
MEANING = {
    400: "Bad request: an unknown or invalid parameter, or a malformed body",
    401: "Not logged in, or the API token is unknown, expired or revoked",
    403: "Not allowed for this role, or the CSRF token is missing",
    404: "Not found",
    406: "None of the media types in Accept can be produced",
    409: "Conflict with the current state",
    412: "If-Match does not match: the resource changed since it was read",
    413: "The body is too large",
    415: "Unsupported Content-Type",
    422: "The body is well-formed but its values are invalid",
    428: "If-Match is required",
    429: "Too many attempts: wait for Retry-After seconds",
}


class Error(BaseModel):
    """Every error answer of the service."""

    code: str
    description: str


class ApiError(Exception):
    """An error a client caused or may act on, with the HTTP status and a message naming the cause."""

    def __init__(self, status: int, code: str, description: str, headers: dict | None = None):
        super().__init__(description)
        self.status, self.code, self.description, self.headers = status, code, description, headers


def error_body(code: str, description: str) -> dict:
    return {"code": code, "description": description}


def error_response(status: int, code: str, description: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, description), status, headers=headers)


def _doc(status: int) -> dict:
    doc: dict = {"description": MEANING[status], "model": Error}
    if status == 429:
        doc["headers"] = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
    return doc


def responses(*statuses: int) -> dict[int | str, dict]:
    """OpenAPI ``responses`` for a route's error statuses, each with the ``Error`` body."""
    return {status: _doc(status) for status in statuses}


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.description, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body", "header")]
            problems.append(f"{'.'.join(loc) or 'request'}: {err.get('msg')}")
        return error_response(400, "InvalidParameterValue", "; ".join(problems))

    @app.exception_handler(DBAPIError)
    async def _database(_: Request, exc: DBAPIError) -> JSONResponse:
        if not exc.connection_invalidated:  # a bug, not the database going away: the usual 500
            raise exc
        return error_response(503, "DatabaseUnavailable", "the database connection was lost (a restart or a "
                              "failover); the connection is replaced, try again", {"Retry-After": "1"})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {400: "BadRequest", 404: "NotFound", 405: "MethodNotAllowed", 401: "Unauthorized",
                403: "Forbidden"}.get(exc.status_code, "Error")
        return error_response(exc.status_code, code, str(exc.detail), exc.headers)


def document(app: FastAPI, common: Callable[[str, str, dict], list[int]]) -> None:
    """Make ``app.openapi()`` tell the statuses the service really sends.

    FastAPI adds a 422 "Validation Error" to every route with parameters; this service answers 400 instead.
    ``common(path, method, operation)`` names the statuses that app-wide machinery adds to an operation
    (unknown parameters, ``Accept``, body limits), so they are documented where they are produced.
    """
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = build()
        error_ref = {"$ref": "#/components/schemas/Error"}
        for path, operations in doc.get("paths", {}).items():
            for method, op in operations.items():
                answers = op.setdefault("responses", {})
                default_422 = answers.get("422", {}).get("content", {}).get(JSON, {}).get("schema", {})
                if default_422.get("$ref", "").endswith("/HTTPValidationError"):
                    del answers["422"]
                for status in common(path, method, op):
                    answers.setdefault(str(status), {"description": MEANING[status],
                                                     "content": {JSON: {"schema": error_ref}}})
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault("Error", Error.model_json_schema())
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = doc
        return doc

    app.openapi = openapi
