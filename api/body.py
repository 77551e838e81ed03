"""Request bodies read by hand: JSON or a form into one pydantic model, and the OpenAPI ``requestBody`` for it.

Size and nesting depth are bounded before any route reads a body (``api.middleware.BodyLimit``); here the
shape is checked: 400 for a body that is not JSON, 415 for another media type, 422 naming each bad field.
JSON is validated strictly (``"5"`` is not a number); form fields are text, so numbers in them are parsed.

Example::

    @router.post("/api/things", openapi_extra=body.document(Thing))
    async def add(request: Request):
        thing = await body.read(request, Thing)
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from api.errors import ApiError

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
Model = TypeVar("Model", bound=BaseModel)
RESPONSES = (400, 415, 422)  # what ``read`` answers, for the OpenAPI of routes that take a body


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def is_json(kind: str) -> bool:
    return kind == JSON or (kind.startswith("application/") and kind.endswith("+json"))


async def _json(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError as exc:  # includes bad UTF-8 and numbers of more than 4300 digits
        raise ApiError(400, "InvalidBody", f"body: not valid JSON ({exc})") from None


async def fields(request: Request, forms: bool = True, max_file: int = 0) -> tuple[Any, dict[str, UploadFile], bool]:
    """(JSON value or form fields, uploaded files, whether it was JSON); 415 for other media types.

    A request without a body is an empty JSON object, so routes whose fields are all optional need none.
    """
    kind = media_type(request)
    if is_json(kind) or (not kind and not await request.body()):
        return await _json(request), {}, True
    if forms and kind in (FORM, MULTIPART):
        form = await request.form(max_part_size=max(max_file, 1024 * 1024))
        files = {k: v for k, v in form.items() if isinstance(v, UploadFile)}
        return {k: v for k, v in form.items() if isinstance(v, str)}, files, False
    accepted = f"{JSON} or a form" if forms else JSON
    raise ApiError(415, "UnsupportedMediaType", f"Content-Type: send {accepted}, not {kind or 'nothing'}")


def validate(model: type[Model], data: Any, strict: bool, code: str = "InvalidBody") -> Model:
    """``data`` as ``model``, or 422 naming every bad field."""
    if not isinstance(data, dict):
        raise ApiError(422, code, "body: a JSON object is expected")
    try:
        return model.model_validate(data, strict=strict)
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()]
        raise ApiError(422, code, "; ".join(problems)) from None


async def read(request: Request, model: type[Model], forms: bool = True, code: str = "InvalidBody") -> Model:
    """The body as ``model``: JSON (strict types) or, when ``forms``, a URL-encoded or multipart form."""
    data, _, was_json = await fields(request, forms)
    return validate(model, data, strict=was_json, code=code)


def schema(model: type[BaseModel]) -> dict:
    doc = model.model_json_schema()
    doc.pop("title", None)
    return doc


def document(model: type[BaseModel], forms: bool = True, required: bool = True, files: dict | None = None) -> dict:
    """``openapi_extra`` describing the body ``read(request, model, forms)`` accepts.

    ``files`` adds binary form fields (``{"attachment": "a PDF, PNG or JPEG"}``) to the multipart variant.
    """
    doc = schema(model)
    content = {JSON: {"schema": doc}}
    if forms:
        content[FORM] = {"schema": _as_form(doc)}
        multipart = _as_form(doc)
        for name, description in (files or {}).items():
            multipart["properties"][name] = {"type": "string", "format": "binary", "description": description}
        content[MULTIPART] = {"schema": multipart}
    return {"requestBody": {"required": required, "content": content}}


def _as_form(doc: dict) -> dict:
    """The schema of the same fields in a form, which has no null: an optional field is left out instead."""
    form = json.loads(json.dumps(doc))
    for name, prop in form.get("properties", {}).items():
        kinds = [k for k in prop.pop("anyOf", []) if k.get("type") != "null"]
        if len(kinds) == 1:
            prop.update(kinds[0])
        elif kinds:
            prop["anyOf"] = kinds
        if prop.get("default", "") is None:
            del prop["default"]
    return form
