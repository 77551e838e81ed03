"""Search places, agencies, tasks, imported layers and land-use codes by words, in any order, with or without
diacritics ("cai tu" finds "Cái Tư", "lua" finds LUA, đất trồng lúa, in the land-use layer that has it).

Each table keeps a ``search_text`` column (``layers.text.fold`` of its names); the query is folded the same way
and split into words, and a row matches when it holds every word (LIKE on bound parameters, the same on both
backends); imported layers (by title) and the land-use codes present in each land-use layer (by code or name,
Vietnamese or English) are few and folded here. Matches are ranked: the words as one phrase, then near each other in the query's order ("xúc tiến đầu
tư" finds "xúc tiến kêu gọi đầu tư"), then anywhere; among equals, places before agencies before tasks, names
that start with the query, then shorter names.

>>> like_pattern("50%_off")
'%50\\\\%\\\\_off%'
>>> match_class("xuc tien keu goi dau tu", ["xuc", "tien", "dau", "tu"])
1
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from layers.admin2025.models import Commune2025, FormerCommune
from layers.imports.landuse import codes
from layers.maplayers import imported_overlays
from layers.models import Agency, District, Feature, Task
from layers.text import fold

MAX_QUERY = 100
MAX_WORDS = 8
NEAR_SLACK = 3  # words another phrase may put between the query's words and still be "near"
PUNCTUATION = ",;:()[]\"'“”!?"
TYPE_ORDER = ("commune", "former_commune", "district", "feature", "layer", "landuse_code", "agency", "task")


def like_pattern(query: str) -> str:
    """A LIKE pattern matching ``query`` anywhere, its own % and _ taken literally."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def query_words(query: str) -> list[str]:
    """The folded words of a query, without surrounding punctuation."""
    words = (w.strip(PUNCTUATION) for w in fold(query[: MAX_QUERY * 2])[:MAX_QUERY].split())
    return [w for w in words if w][:MAX_WORDS]


def match_class(text: str, words: list[str]) -> int:
    """How well folded ``text`` holds ``words``: 0 as one phrase, 1 near each other in order, 2 as words
    anywhere, 3 only inside other words."""
    if " ".join(words) in text:
        return 0
    tokens = [t.strip(PUNCTUATION) for t in text.split()]
    starts = [[i for i, t in enumerate(tokens) if t.startswith(w)] for w in words]
    if not all(starts):
        return 3
    return 1 if _near(starts, len(words)) else 2


def _near(starts: list[list[int]], count: int) -> bool:
    """Whether one occurrence of each word follows the previous within the slack (greedy from each start)."""
    for first in starts[0]:
        at, ok = first, True
        for positions in starts[1:]:
            following = [p for p in positions if p > at]
            if not following:
                ok = False
                break
            at = following[0]
        if ok and at - first + 1 <= count + NEAR_SLACK:
            return True
    return False


@dataclass
class _Hit:
    rank: tuple
    body: dict


def _rank(kind: str, text: str, name: str, words: list[str]) -> tuple:
    folded_name = fold(name)
    starts = folded_name.startswith(words[0]) or f" {' '.join(words)}" in folded_name
    return (match_class(text, words), TYPE_ORDER.index(kind), 0 if starts else 1, len(name))


def _all_words(column, words: list[str]):
    return and_(*(column.like(like_pattern(w), escape="\\") for w in words))


def search(session: Session, query: str, limit: int = 20) -> list[dict]:
    """Hits as ``{"type", "id", "name", ...}``, best first; at most ``limit`` of each type."""
    words = query_words(query)
    if not words or len(" ".join(words)) < 2:
        return []
    hits: list[_Hit] = []
    for finder in (_communes, _former_communes, _districts, _features, _layers, _landuse_codes, _agencies, _tasks):
        found = sorted(finder(session, words), key=lambda h: h.rank)
        hits += found[:limit]
    return [h.body for h in sorted(hits, key=lambda h: h.rank)][: limit * 2]


def _districts(session: Session, words: list[str]) -> list[_Hit]:
    rows = session.scalars(select(District).where(_all_words(District.search_text, words)))
    return [_Hit(_rank("district", d.search_text, d.name, words),
                 {"type": "district", "id": str(d.gso_code), "name": d.name, "name_en": None,
                  "short_name": d.short_name, "type_name": d.type}) for d in rows]


def _features(session: Session, words: list[str]) -> list[_Hit]:
    rows = session.scalars(select(Feature).where(_all_words(Feature.search_text, words)))
    return [_Hit(_rank("feature", f.search_text, f.name, words),
                 {"type": "feature", "id": f.id, "name": f.name, "name_en": f.name_en, "layer": f.layer,
                  "districts": [d.short_name for d in f.districts]}) for f in rows]


def _communes(session: Session, words: list[str]) -> list[_Hit]:
    rows = session.scalars(select(Commune2025).where(_all_words(Commune2025.search_text, words)))
    return [_Hit(_rank("commune", c.search_text, c.full_name, words),
                 {"type": "commune", "id": c.code, "name": c.full_name, "name_en": None,
                  "unit": {"code": c.code, "name": c.name, "type": c.type, "full_name": c.full_name},
                  "former_districts": [d["name"] for d in c.former_districts or []]}) for c in rows]


def _former_communes(session: Session, words: list[str]) -> list[_Hit]:
    """Former communes (before 1 July 2025) by their old name, each with the unit it became."""
    rows = session.execute(select(FormerCommune, Commune2025, District)
                           .join(Commune2025, Commune2025.code == FormerCommune.commune_code)
                           .join(District, District.gso_code == FormerCommune.district_code)
                           .where(_all_words(FormerCommune.search_text, words)))
    return [_Hit(_rank("former_commune", old.search_text, old.name, words),
                 {"type": "former_commune", "id": old.code, "name": f"{old.type} {old.name}", "name_en": None,
                  "district": {"gso_code": d.gso_code, "name": d.name, "short_name": d.short_name, "type": d.type},
                  "became": {"code": new.code, "name": new.name, "type": new.type, "full_name": new.full_name}})
            for old, new, d in rows]


def _agencies(session: Session, words: list[str]) -> list[_Hit]:
    hits = []
    for a in session.scalars(select(Agency)):  # a few dozen rows: folded here, no column needed
        text = fold(f"{a.name} {a.code} {a.name_en or ''}")
        if all(w in text for w in words):
            hits.append(_Hit(_rank("agency", text, a.name, words),
                             {"type": "agency", "id": a.id, "name": a.name, "name_en": a.name_en,
                              "code": a.code}))
    return hits


def _layers(session: Session, words: list[str]) -> list[_Hit]:
    """Imported layers by their title (or id)."""
    hits = []
    for layer in imported_overlays(session):
        text = fold(f"{layer['title']} {layer['id']}")
        if all(w in text for w in words):
            hits.append(_Hit(_rank("layer", text, layer["title"], words),
                             {"type": "layer", "id": layer["id"], "name": layer["title"], "name_en": None,
                              "landuse": layer["landuse_field"] is not None}))
    return hits


def _landuse_codes(session: Session, words: list[str]) -> list[_Hit]:
    """The national codes present in each land-use layer, by code or name; a hit points at the layer."""
    known = codes()
    hits = []
    for layer in imported_overlays(session):
        for code in (c for c in layer["codes"] if c in known):
            row = known[code]
            text = fold(f"{code} {row.vi} {row.en}")
            if all(w in text for w in words):
                hits.append(_Hit(_rank("landuse_code", text, code, words),
                                 {"type": "landuse_code", "id": f"{layer['id']}:{code}", "code": code,
                                  "name": row.vi, "name_en": row.en, "layer": layer["id"],
                                  "layer_title": layer["title"]}))
    return hits


def _tasks(session: Session, words: list[str]) -> list[_Hit]:
    rows = session.scalars(select(Task).where(_all_words(Task.search_text, words)))
    return [_Hit(_rank("task", t.search_text, t.id, words),
                 {"type": "task", "id": t.id, "name": _excerpt(t.text, words), "name_en": t.summary_en,
                  "leads": [a.code for a in t.leads], "features": [f.id for f in t.features],
                  "districts": [d.gso_code for d in t.districts]}) for t in rows]


def _excerpt(text: str, words: list[str], width: int = 120) -> str:
    """The part of a long task text around the first matched word (fold keeps length for Vietnamese, NFC)."""
    plain = " ".join(text.split())
    folded = fold(plain)
    at = folded.find(words[0])
    if at < 0 or len(plain) <= width or len(folded) != len(plain):
        return plain[:width] + ("…" if len(plain) > width else "")
    start = max(0, at - width // 3)
    return ("…" if start else "") + plain[start : start + width] + ("…" if start + width < len(plain) else "")
