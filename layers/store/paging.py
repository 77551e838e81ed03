"""Keyset paging: a page token holds the sort values of the last (or first) row shown, never an offset, so a page
deep in a table of a million parcels costs what the first one does — with or without ``sortby``.

Rows are ordered by each sort key with NULLs last, then by the primary key. The token of the next page says
"after these values", the token of the previous page "before these values".

>>> decode(encode({"after": [1, "a"]}))
{'after': [1, 'a']}
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import orjson
from sqlalchemy import and_, case, false, or_, true
from sqlalchemy.sql import ColumnElement

from layers.store.model import QueryError


def encode(data: dict) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")


def decode(token: str) -> dict:
    """The token's content; QueryError (400) for anything this service did not issue."""
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise QueryError("token", "not a token this service issued") from None
    if not isinstance(data, dict) or len(data) != 1 or not isinstance(next(iter(data.values())), list):
        raise QueryError("token", "not a token this service issued")
    if next(iter(data)) not in ("after", "before"):
        raise QueryError("token", "not a token this service issued")
    return data


class Keyset:
    """The ordering of one query: ``keys`` are (SQL expression, descending, type) and the primary key comes last."""

    def __init__(self, keys: list[tuple[ColumnElement, bool, str]], id_col: ColumnElement, id_type: str):
        self.keys = keys
        self.id_col, self.id_type = id_col, id_type

    def _terms(self) -> list[tuple[ColumnElement, bool, str]]:
        """Every ordering term as (expression, descending, type): a NULLs-last flag before each sort key."""
        terms = []
        for expr, desc, kind in self.keys:
            terms.append((case((expr.is_(None), 1), else_=0), False, "integer"))
            terms.append((expr, desc, kind))
        return terms + [(self.id_col, False, self.id_type)]

    def order_by(self, backwards: bool = False) -> list:
        return [(e.asc() if desc == backwards else e.desc()) for e, desc, _ in self._terms()]

    def columns(self) -> list[ColumnElement]:
        return [e.label(f"_k{i}") for i, (e, _, _) in enumerate(self._terms())]

    def values(self, row: Any) -> list:
        return [_plain(row._mapping[f"_k{i}"]) for i in range(len(self._terms()))]

    def beyond(self, values: list, backwards: bool) -> ColumnElement:
        """Rows strictly after ``values`` in this order (before them when ``backwards``)."""
        terms = self._terms()
        if len(values) != len(terms):
            raise QueryError("token", "the token belongs to another ordering; start from the first page")
        typed = [_typed(v, kind) for v, (_, _, kind) in zip(values, terms, strict=True)]
        alternatives, equal_so_far = [], []
        for (expr, desc, _), value in zip(terms, typed, strict=True):
            if value is None:
                step, same = false(), expr.is_(None)
            else:
                step = expr > value if desc == backwards else expr < value
                same = expr == value
            alternatives.append(and_(*equal_so_far, step) if equal_so_far else step)
            equal_so_far.append(same)
        return or_(*alternatives) if alternatives else true()


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _typed(value: Any, kind: str) -> Any:
    """A token value back to the key's type (dates travel as text); QueryError when it does not fit."""
    if value is None:
        return None
    try:
        if kind == "date":
            return dt.date.fromisoformat(value)
        if kind == "integer":
            return int(value) if not isinstance(value, bool) else int(value)
        if kind == "number":
            return float(value)
        if kind == "boolean":
            return bool(value)
        return str(value)
    except (TypeError, ValueError):
        raise QueryError("token", "not a token this service issued") from None
