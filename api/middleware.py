"""ASGI middleware every request passes: bounded request bodies and the security headers of every answer.

``BodyLimit`` reads the body of a write before any route does: 413 past the size limit, 400 for JSON nested
deeper than ``MAX_DEPTH`` (Python's parser would recurse until a RecursionError). ``SecurityHeaders`` adds
``Content-Security-Policy``, ``X-Content-Type-Options``, ``X-Frame-Options`` and ``Referrer-Policy``; pages get
a policy that allows their own inline scripts by hash, so the map's folium script runs and no injected one does.
"""

from __future__ import annotations

import base64
import hashlib
import re
from itertools import accumulate

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from layers.reporting import MAX_ATTACHMENT

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
RESPONSES = (400, 413)  # what BodyLimit answers, for the OpenAPI of routes that take a body
MAX_BODY = 1024 * 1024
MAX_DEPTH = 32
# Routes that take more than MAX_BODY: a report with its attachment, and a feature with a detailed geometry.
LARGER_BODIES = (
    (re.compile(r"^/api/tasks/[^/]+/reports$"), MAX_ATTACHMENT + 64 * 1024),
    (re.compile(r"^/ogc/collections/[^/]+/items(/[^/]+)?$"), 16 * 1024 * 1024),
)
# Uploads of whole layers: counted as they stream to the form parser (which spools files to disk), never buffered;
# their limit is the setting ``import_max_mb``.
STREAMED = re.compile(r"^/api/imports$")
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"{}[]")
_DEPTH_STEP = {ord("{"): 1, ord("["): 1, ord("}"): -1, ord("]"): -1}


def body_limit(path: str) -> int:
    return next((size for pattern, size in LARGER_BODIES if pattern.match(path)), MAX_BODY)


def json_depth(body: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (0 when it is not an array or object)."""
    if body.lstrip()[:1] not in (b"{", b"["):
        return 0
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    return max(accumulate(_DEPTH_STEP[b] for b in brackets), default=0)


class BodyLimit:
    """Buffer the body of every write (at most its route's limit), check it, then hand it to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITES:
            return await self.app(scope, receive, send)
        streamed = STREAMED.match(scope["path"]) is not None
        limit = scope["app"].state.settings.import_max_mb * 1024 * 1024 if streamed else body_limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit():
            return await error_response(400, "InvalidBody", "Content-Length: not a number")(scope, receive, send)
        if int(declared) > limit:
            return await _too_large(limit)(scope, receive, send)
        if streamed:
            return await _counted(self.app, scope, receive, send, limit)
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                return await _too_large(limit)(scope, receive, send)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if json_depth(body) > MAX_DEPTH:
            return await error_response(400, "InvalidBody", f"body: JSON nested deeper than {MAX_DEPTH} levels")(
                scope, receive, send)
        await self.app(scope, _replay(body, receive), send)


def _too_large(limit: int):
    return error_response(413, "TooLarge", f"body: at most {limit} bytes on this route")


async def _counted(app: ASGIApp, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    """Pass the body through as it comes; past ``limit`` bytes answer 413 and tell the route the client left."""
    size, answered = 0, False

    async def counting() -> Message:
        nonlocal size, answered
        if answered:
            return {"type": "http.disconnect"}
        message = await receive()
        size += len(message.get("body", b""))
        if size > limit:
            answered = True
            await _too_large(limit)(scope, receive, send)
            return {"type": "http.disconnect"}
        return message

    async def sending(message: Message) -> None:
        if not answered:
            await send(message)

    try:
        await app(scope, counting, sending)
    except Exception:
        if not answered:  # the route's own failure; a disconnect after our 413 is expected
            raise


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # only a disconnect is left

    return replay


# -- security headers ----------------------------------------------------------------------------------------

COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}
# Not a page: nothing may load in its name, and nobody may frame it. PDFs open in the browser's viewer, which
# a 'none' default would block, so they only refuse framing.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"
PDF_POLICY = "frame-ancestors 'none'"
PAGE_POLICY = ("default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
               "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.S | re.I)


def page_policy(html: bytes) -> str:
    """The policy of a page: its own inline scripts are allowed by their sha256, nothing else inline."""
    hashes = sorted({base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode()
                     for m in _INLINE_SCRIPT.finditer(html)})
    return PAGE_POLICY.format(hashes="".join(f" 'sha256-{h}'" for h in hashes))


class SecurityHeaders:
    """Add the headers to every answer; HTML is held until complete, since its policy hashes its scripts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start: Message | None = None
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON_HEADERS.items():
                    headers[name] = value
                kind = headers.get("content-type", "")
                if not kind.startswith("text/html"):
                    headers["Content-Security-Policy"] = PDF_POLICY if kind.startswith("application/pdf") \
                        else DATA_POLICY
                    return await send(message)
                start = message
                return None
            if start is None or message["type"] != "http.response.body":
                return await send(message)
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return None
            MutableHeaders(scope=start)["Content-Security-Policy"] = page_policy(b"".join(chunks))
            await send(start)
            await send({"type": "http.response.body", "body": b"".join(chunks), "more_body": False})

        await self.app(scope, receive, wrapped)
