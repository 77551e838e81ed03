"""The one way a route reaches the database.

- ``Db``: a session for reading, as a FastAPI dependency. With ``PLANMAP_DATABASE_READ_URL`` set it is on that
  database (a read replica of the primary); otherwise on the primary.
- ``primary(request)``: a session on the primary (``PLANMAP_DATABASE_URL``), opened where a route writes or must
  see the latest write: logins and accounts, reports and their review, edits, imports and the reporting pages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session


async def read_session(request: Request) -> AsyncIterator[Session]:
    """Opened and closed on the event loop (no I/O: the connection is taken at the first query, in the route's
    thread, and returned without a round trip), so a request makes no extra hop to the thread pool for it."""
    with request.app.state.read_sessions() as session:
        yield session


Db = Annotated[Session, Depends(read_session)]


def primary(request: Request) -> Session:
    """A new session on the primary; use it in a ``with`` block."""
    return request.app.state.sessions()
