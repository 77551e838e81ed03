"""The one version stamp of the data: an integer in ``dataset``, bumped in the transaction of every write.

Every cache and every HTTP validator is keyed on it (with the day, for what depends on the date: overdue tasks),
so a load, a Part 4 edit, a progress report or a review is seen by the next request of every worker.

>>> bump(session); current(session)        # doctest: +SKIP
731865204
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from layers.models import Dataset

KEY = "version"
# The bump in plain SQL, for writers on a raw connection (imports stream with COPY); bump() runs the same.
_READ_SQL = f"SELECT value FROM dataset WHERE key = '{KEY}'"
BUMP_SQL = "UPDATE dataset SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'version'"
T = TypeVar("T")


def current(session: Session) -> int:
    """The data version this session's transaction sees (0 on an empty database); read once per transaction,
    however many caches ask."""
    if KEY not in session.info:  # asked on every request: plain SQL, no ORM statement to build
        value = session.connection().exec_driver_sql(_READ_SQL).scalar()
        session.info[KEY] = int(value) if value else 0
    return session.info[KEY]


def first_value() -> int:
    """Where a database's count starts: at random (below 2**30, an INTEGER in both databases), so a database made
    again at the same address, or restored, does not repeat a version that caches on disk (printed sheets,
    land-use statistics) were keyed on for other data."""
    return secrets.randbelow(2**30) + 1


def restart(conn) -> None:
    """Give a database whose content was replaced wholesale (a restore) a version no cache has seen."""
    conn.execute(text(f"DELETE FROM dataset WHERE key = '{KEY}'"))
    conn.execute(text(f"INSERT INTO dataset (key, value) VALUES ('{KEY}', :value)"), {"value": str(first_value())})


def bump(session: Session) -> int:
    """Count one more write; call inside the write's transaction. Concurrent writers queue on the row lock."""
    done = session.execute(text(BUMP_SQL))
    if done.rowcount == 0:
        session.add(Dataset(key=KEY, value=str(first_value())))
        session.flush()
    session.info.pop(KEY, None)
    return current(session)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    """A new transaction may see a newer version."""
    if transaction.parent is None:
        session.info.pop(KEY, None)


def stamp(session: Session, today: dt.date | None = None) -> str:
    """The version and the day, e.g. ``"17@2026-11-30"``: what a cached answer about progress depends on."""
    return f"{current(session)}@{(today or dt.date.today()).isoformat()}"


class VersionedCache:
    """Values computed from the database, kept while the data version (and day) they were computed at holds.

    One per kind of value; keyed on the database URL so that tests with several databases do not mix.
    """

    def __init__(self, name: str, per_day: bool = False):
        self.name, self.per_day = name, per_day
        self._values: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()
        self._computing = threading.RLock()

    def get(self, session: Session, compute: Callable[[Session], T], today: dt.date | None = None) -> T:
        key = (str(session.get_bind().url), stamp(session, today) if self.per_day else str(current(session)))
        with self._lock:
            if key in self._values:
                return self._values[key]  # type: ignore[return-value]
        with self._computing:  # requests arriving together after a write wait for one computation, not run many
            with self._lock:
                if key in self._values:
                    return self._values[key]  # type: ignore[return-value]
            value = compute(session)
        with self._lock:
            stale = [k for k in self._values if k[0] == key[0]]
            for k in stale:  # one version per database is current: keep memory flat
                del self._values[k]
            self._values[key] = value
        return value
