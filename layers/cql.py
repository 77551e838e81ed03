"""CQL2 text (OGC API - Features Part 3) to SQLAlchemy expressions, for SpatiaLite and PostGIS alike.

pygeofilter parses; this small evaluator turns its AST into bound SQLAlchemy expressions over the columns a
collection exposes as queryables. Literals are checked against the queryable's JSON type, so a bad filter is a
400 naming the cause, never a database error.

>>> from sqlalchemy import column, Float
>>> str(to_sql(parse("area > 5"), {"area": (column("area", Float), {"type": "number"})}, None))
'area > :area_1'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pathlib import Path

from lark import Lark
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_text import parser as _cql2_text
from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import and_, func, not_, or_
from sqlalchemy.sql import ColumnElement

Columns = dict[str, tuple[Any, dict]]  # queryable name -> (SQL expression, JSON schema)
Spatial = Callable[[str, BaseGeometry], ColumnElement]  # (operation, geometry in filter CRS) -> predicate

GEOMETRY_NAMES = ("geometry", "geom", "the_geom")
_SPATIAL_OPS = {
    ast.GeometryIntersects: "intersects", ast.GeometryDisjoint: "disjoint", ast.GeometryContains: "contains",
    ast.GeometryWithin: "within", ast.GeometryTouches: "touches", ast.GeometryCrosses: "crosses",
    ast.GeometryOverlaps: "overlaps", ast.GeometryEquals: "equals",
}
_COMPARE = {
    ast.Equal: lambda c, v: c == v, ast.NotEqual: lambda c, v: c != v, ast.LessThan: lambda c, v: c < v,
    ast.LessEqual: lambda c, v: c <= v, ast.GreaterThan: lambda c, v: c > v,
    ast.GreaterEqual: lambda c, v: c >= v,
}


MAX_DEPTH = 30  # nesting of AND/OR/NOT; deeper filters are refused, not evaluated recursively

# pygeofilter 0.4.0's grammar departs from the CQL2 BNF (OGC 21-065) in two rules, corrected here:
# NOT applies to any parenthesised expression (booleanFactor = ["NOT"] booleanPrimary), so NOT (NOT (a = 1))
# and NOT (a = 1 AND b = 2) parse; and AND binds tighter than OR (booleanExpression = booleanTerm {OR ...}).
_GRAMMAR_FIXES = (
    ('?condition: condition_1\n'
     '          | condition "AND"i condition_1                                 -> and_\n'
     '          | condition "OR"i condition_1                                   -> or_',
     '?condition: condition_and\n'
     '          | condition "OR"i condition_and -> or_\n\n'
     '?condition_and: condition_1\n'
     '          | condition_and "AND"i condition_1 -> and_'),
    ('"NOT"i "(" predicate ")"', '"NOT"i "(" condition ")"'),
)


def _parser() -> Lark:
    source = Path(_cql2_text.__file__).with_name("grammar.lark").read_text()
    for old, new in _GRAMMAR_FIXES:
        if old not in source:
            raise RuntimeError("pygeofilter's CQL2 grammar changed: review layers/cql.py _GRAMMAR_FIXES")
        source = source.replace(old, new)
    return Lark(source, parser="lalr", maybe_placeholders=False, transformer=_cql2_text.CQLTransformer(),
                import_paths=[str(Path(_cql2_text.__file__).parents[1])])


_PARSER = _parser()


class CqlError(ValueError):
    """A filter the service cannot evaluate; the message says why."""


def parse(text: str) -> ast.Node:
    """Parse CQL2 text; raise CqlError with the parser's first line on a syntax error.

    >>> type(parse("NOT (NOT (name = 'a'))").sub_node).__name__
    'Not'
    """
    try:
        node = _PARSER.parse(text)
    except Exception as exc:  # lark raises several unrelated classes
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CqlError(f"invalid CQL2 text: {first}") from None
    if _depth(node) > MAX_DEPTH:
        raise CqlError(f"invalid CQL2 text: more than {MAX_DEPTH} nested AND, OR and NOT")
    return node


def _depth(node: Any) -> int:
    """Depth of the logical operators, without recursion (the tree may be deep: that is what is checked).

    A chain of one operator (``a OR b OR c``) is one level: ``to_sql`` evaluates it flat."""
    deepest, todo = 0, [(node, 1)]
    while todo:
        current, level = todo.pop()
        deepest = max(deepest, level)
        if isinstance(current, (ast.And, ast.Or)):
            todo += [(operand, level + 1) for operand in _chain(current)]
        elif isinstance(current, ast.Not):
            todo.append((current.sub_node, level + 1))
    return deepest


def _chain(node: ast.And | ast.Or) -> list[Any]:
    """The operands of ``a AND b AND c`` (however it is nested), in order."""
    operands, todo = [], [node]
    while todo:
        current = todo.pop()
        if type(current) is type(node):
            todo += [current.rhs, current.lhs]
        else:
            operands.append(current)
    return operands


def to_sql(node: Any, columns: Columns, spatial: Spatial | None) -> ColumnElement:
    """The SQL predicate of ``node``; raise CqlError for unknown properties, operators or literal types."""
    if isinstance(node, (ast.And, ast.Or)):
        combine = and_ if isinstance(node, ast.And) else or_
        return combine(*(to_sql(operand, columns, spatial) for operand in _chain(node)))
    if isinstance(node, ast.Not):
        return not_(to_sql(node.sub_node, columns, spatial))
    if isinstance(node, bool):
        return and_(True) if node else and_(False)
    if type(node) in _COMPARE:
        return _comparison(node, columns)
    if isinstance(node, ast.Like):
        col, schema = _column(node.lhs, columns)
        if schema.get("type") != "string":
            raise CqlError(f"LIKE needs a text property, {node.lhs.name!r} is {schema.get('type')}")
        expr = col.like(str(node.pattern))
        return not_(expr) if node.not_ else expr
    if isinstance(node, ast.In):
        col, schema = _column(node.lhs, columns)
        expr = col.in_([_literal(v, schema, node.lhs.name) for v in node.sub_nodes])
        return not_(expr) if node.not_ else expr
    if isinstance(node, ast.IsNull):
        col, _ = _column(node.lhs, columns)
        return col.is_not(None) if node.not_ else col.is_(None)
    if isinstance(node, ast.Between):
        col, schema = _column(node.lhs, columns)
        expr = col.between(_literal(node.low, schema, node.lhs.name), _literal(node.high, schema, node.lhs.name))
        return not_(expr) if node.not_ else expr
    if type(node) in _SPATIAL_OPS:
        return _spatial(node, spatial)
    raise CqlError(f"unsupported CQL2 expression: {type(node).__name__}")


def _comparison(node: ast.Comparison, columns: Columns) -> ColumnElement:
    lhs, rhs = node.lhs, node.rhs
    if not isinstance(lhs, (ast.Attribute, ast.Function)) and isinstance(rhs, (ast.Attribute, ast.Function)):
        if type(node) not in (ast.Equal, ast.NotEqual):
            raise CqlError("put the property on the left of <, <=, > and >=")
        lhs, rhs = rhs, lhs  # symmetric operators only
    col, schema = _column(lhs, columns)
    if isinstance(rhs, ast.Function):
        if rhs.name.lower() not in ("lower", "casei") or len(rhs.arguments) != 1:
            raise CqlError(f"unsupported function {rhs.name!r}")
        return _COMPARE[type(node)](col, str(_literal(rhs.arguments[0], schema, "CASEI")).lower())
    return _COMPARE[type(node)](col, _literal(rhs, schema, getattr(lhs, "name", "?")))


def _column(node: Any, columns: Columns) -> tuple[Any, dict]:
    if isinstance(node, ast.Function) and node.name.lower() in ("lower", "casei") and len(node.arguments) == 1:
        col, schema = _column(node.arguments[0], columns)
        return func.lower(col), schema
    if not isinstance(node, ast.Attribute):
        raise CqlError(f"expected a property name, got {node!r}")
    if node.name not in columns:
        raise CqlError(f"unknown property {node.name!r}; queryables: {', '.join(sorted(columns))}")
    return columns[node.name]


def _literal(value: Any, schema: dict, name: str) -> Any:
    """``value`` as the Python type of the queryable, or CqlError."""
    kind = schema.get("type")
    if kind == "string" and schema.get("format") == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise CqlError(f"{name}: expected a date, got {value!r}") from None
    if kind == "string" and isinstance(value, str):
        return value
    if kind in ("number", "integer") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if kind == "boolean" and isinstance(value, bool):
        return value
    raise CqlError(f"{name}: expected a {kind}, got {value!r}")


def _spatial(node: ast.SpatialComparisonPredicate, spatial: Spatial | None) -> ColumnElement:
    lhs, rhs = node.lhs, node.rhs
    if isinstance(rhs, ast.Attribute):
        lhs, rhs = rhs, lhs
    if spatial is None:
        raise CqlError("this collection has no geometry")
    if not isinstance(lhs, ast.Attribute) or lhs.name not in GEOMETRY_NAMES:
        raise CqlError(f"spatial predicates compare the property 'geometry', got {lhs!r}")
    return spatial(_SPATIAL_OPS[type(node)], _geometry(rhs))


def _geometry(value: Any) -> BaseGeometry:
    try:
        if isinstance(value, values.Geometry):
            return shape(value.geometry)
        if isinstance(value, values.Envelope):
            return box(value.x1, value.y1, value.x2, value.y2)
        if isinstance(value, ast.Function) and value.name.lower() == "bbox" and len(value.arguments) == 4:
            x1, y1, x2, y2 = (float(a) for a in value.arguments)
            return box(x1, y1, x2, y2)
    except (TypeError, ValueError, AttributeError) as exc:
        raise CqlError(f"invalid geometry literal: {exc}") from None
    raise CqlError(f"expected a geometry literal, got {value!r}")
