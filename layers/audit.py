"""The append-only audit log: every change is recorded in the transaction that makes it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from layers.models_accounts import AuditEntry

CSV_COLUMNS = ("id", "at", "actor", "action", "entity", "entity_id", "before", "after")


def _plain(value: Any) -> Any:
    """JSON-safe copy of a record (dates as ISO text) so before/after survive both backends unchanged."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False)) if value is not None else None


def record(session: Session, actor: str, action: str, entity: str, entity_id: str,
           before: dict | None = None, after: dict | None = None) -> AuditEntry:
    """Add an entry to ``session`` (the caller's transaction commits or rolls it back with the change)."""
    entry = AuditEntry(at=dt.datetime.now(dt.UTC), actor=actor, action=action, entity=entity,
                       entity_id=str(entity_id), before=_plain(before), after=_plain(after))
    session.add(entry)
    return entry


def entries(session: Session, entity: str | None = None, entity_id: str | None = None,
            after_id: int = 0, limit: int = 1000) -> list[AuditEntry]:
    """Entries oldest first; ``after_id`` pages on the key (never OFFSET)."""
    query = select(AuditEntry).where(AuditEntry.id > after_id)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    return list(session.scalars(query.order_by(AuditEntry.id).limit(limit)))


def as_dict(entry: AuditEntry) -> dict:
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=dt.UTC)  # SQLite drops the zone
    return {"id": entry.id, "at": at.isoformat(timespec="seconds"), "actor": entry.actor,
            "action": entry.action, "entity": entry.entity, "entity_id": entry.entity_id,
            "before": entry.before, "after": entry.after}


def to_csv(rows: list[AuditEntry]) -> str:
    """CSV with before/after as JSON text, one change a line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in rows:
        d = as_dict(entry)
        writer.writerow([d["id"], d["at"], d["actor"], d["action"], d["entity"], d["entity_id"],
                         json.dumps(d["before"], ensure_ascii=False) if d["before"] is not None else "",
                         json.dumps(d["after"], ensure_ascii=False) if d["after"] is not None else ""])
    return out.getvalue()
