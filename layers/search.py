"""Search across features, former districts and tasks, with or without diacritics ("cai tu" finds "Cái Tư").

Every table keeps a ``search_text`` column (``layers.text.fold`` of its names); the query is folded the same
way and matched with LIKE on a bound parameter, so both backends behave alike.

>>> like_pattern("50%_off")
'%50\\\\%\\\\_off%'
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from layers.models import District, Feature, Task
from layers.text import fold

MAX_QUERY = 100


def like_pattern(query: str) -> str:
    """A LIKE pattern matching ``query`` anywhere, its own % and _ taken literally."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _rank(name: str, q: str) -> tuple[int, int]:
    """Names that start with the query first, then shorter names."""
    folded = fold(name)
    return (0 if folded.startswith(q) or f" {q}" in folded else 1, len(name))


def search(session: Session, query: str, limit: int = 20) -> list[dict]:
    """Hits as ``{"type": "feature"|"district"|"task", "id", "name", ...}``, best first within each type."""
    q = fold(query)[:MAX_QUERY]
    if len(q) < 2:
        return []
    pattern = like_pattern(q)
    hits: list[dict] = []
    districts = session.scalars(select(District).where(District.search_text.like(pattern, escape="\\")))
    for d in sorted(districts, key=lambda d: _rank(d.name, q)):
        hits.append(
            {
                "type": "district",
                "id": str(d.gso_code),
                "name": d.name,
                "name_en": None,
                "detail": d.short_name,
                "bbox": None,
            }
        )
    features = session.scalars(select(Feature).where(Feature.search_text.like(pattern, escape="\\")))
    for f in sorted(features, key=lambda f: _rank(f.name, q)):
        hits.append(
            {
                "type": "feature",
                "id": f.id,
                "name": f.name,
                "name_en": f.name_en,
                "layer": f.layer,
                "detail": ", ".join(d.short_name for d in f.districts),
            }
        )
    tasks = session.scalars(
        select(Task).where(Task.search_text.like(pattern, escape="\\")).order_by(Task.id).limit(limit)
    )
    for t in tasks:
        hits.append(
            {
                "type": "task",
                "id": t.id,
                "name": _excerpt(t.text, q),
                "name_en": t.summary_en,
                "detail": ", ".join(a.code for a in t.leads),
                "features": [f.id for f in t.features],
                "districts": [d.gso_code for d in t.districts],
            }
        )
    return hits[: limit * 3]


def _excerpt(text: str, q: str, width: int = 120) -> str:
    """The part of a long task text around the first match (fold keeps length for Vietnamese, NFC)."""
    folded = fold(text)
    at = folded.find(q)
    if at < 0 or len(text) <= width or len(folded) != len(" ".join(text.split())):
        return text[:width] + ("…" if len(text) > width else "")
    plain = " ".join(text.split())
    start = max(0, at - width // 3)
    return ("…" if start else "") + plain[start : start + width] + ("…" if start + width < len(plain) else "")
