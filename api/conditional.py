"""Conditional requests, in one place: entity tags, ``If-None-Match`` (304) and ``If-Match`` (412/428), and the
validator of gzip-compressed answers (RFC 9110 §8.8.3, §13.1).

``If-None-Match`` compares weakly (``W/"x"`` matches ``"x"``), ``If-Match`` strongly (a weak tag never matches);
``*`` matches any current representation. A compressed answer is another representation: its tag gets the
suffix ``-gzip``, and a client that sends that tag back is understood.

>>> strong_tag("a", 1)
'"2c9c5f8b0f2bbd8e23a5b6fbf7c2f8a1"'                                            # doctest: +SKIP
>>> matches('W/"x", "y"', '"x"', weak=True), matches('W/"x"', '"x"', weak=False)
(True, False)
"""

from __future__ import annotations

import hashlib

from fastapi import Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError

GZIP_SUFFIX = "-gzip"


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def strong_tag(*parts: object) -> str:
    """A strong entity tag of a representation identified by ``parts`` (bytes hash or stable parts)."""
    return f'"{_digest(*parts)}"'


def weak_tag(*parts: object) -> str:
    """A weak tag: the same meaning, not the same bytes (pages carry a time stamp)."""
    return f'W/"{_digest(*parts)}"'


def body_tag(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def _tags(header: str) -> list[str]:
    return [t.strip() for t in header.split(",") if t.strip()]


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/")


def matches(header: str, current: str, weak: bool) -> bool:
    """Does a list of tags (an ``If-None-Match``/``If-Match`` value) match ``current``?"""
    for tag in _tags(header):
        if tag == "*":
            return True
        if weak and _opaque(tag) == _opaque(current):
            return True
        if not weak and not tag.startswith("W/") and not current.startswith("W/") and tag == current:
            return True
    return False


def not_modified(request: Request, current: str) -> bool:
    """True when the client's ``If-None-Match`` says it already holds ``current``."""
    header = request.headers.get("if-none-match")
    return header is not None and matches(header, current, weak=True)


def respond(request: Request, body: bytes, media_type: str, tag: str, headers: dict | None = None) -> Response:
    """``body`` with its validator, or 304 when the client holds it."""
    head = {"ETag": tag, **(headers or {})}
    if not_modified(request, tag):
        return Response(status_code=304, headers=head)
    return Response(body, media_type=media_type, headers=head)


def require_match(request: Request, current: str | None, required: bool = False) -> None:
    """``If-Match`` before a write: 412 when the client's copy is stale (or the resource is gone), 428 when
    ``required`` and the header is missing. Call it inside the write's transaction, after locking the row."""
    header = request.headers.get("if-match")
    if header is None:
        if required:
            raise ApiError(428, "PreconditionRequired", "send If-Match with the ETag you read")
        return
    if current is None or not matches(header, current, weak=False):
        raise ApiError(412, "PreconditionFailed", "the resource changed since you read it: reload it",
                       {"ETag": current} if current else None)


class GzipValidators:
    """Around the gzip middleware: a compressed answer's ETag gets ``-gzip``; a tag sent back loses it."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent_gzip_tag = False
        headers = []
        for name, value in scope["headers"]:
            if name in (b"if-none-match", b"if-match") and GZIP_SUFFIX.encode() in value:
                sent_gzip_tag = True
                value = value.replace(GZIP_SUFFIX.encode() + b'"', b'"')
            headers.append((name, value))
        scope = dict(scope, headers=headers)

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                names = {n.lower() for n, _ in raw}
                gzip = (b"content-encoding", b"gzip") in [(n.lower(), v) for n, v in raw]
                if gzip or (message["status"] == 304 and sent_gzip_tag):
                    raw = [(n, _mark(v) if n.lower() == b"etag" else v) for n, v in raw]
                if b"etag" in names:
                    message = dict(message, headers=raw)
            await send(message)

        await self.app(scope, receive, send_marked)


def _mark(tag: bytes) -> bytes:
    return tag[:-1] + GZIP_SUFFIX.encode() + b'"' if tag.endswith(b'"') else tag
