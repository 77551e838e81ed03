"""Provider of the tasks collection: one item per document item, with its lead agencies, deadline and state.

State (``status``, ``percent``, ``reported_on``) comes from the stored task states and ``overdue`` is computed
in SQL for the day asked, so every one of them can be filtered and sorted on in the database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, case, cast, false, func, select, true
from sqlalchemy.orm import Session

from layers import progress
from layers.models import Agency, Task, TaskDistrict, TaskFeature, TaskLead, TaskPartner, TaskState
from layers.store.model import Collection, Field
from layers.store.table import Source, TableProvider
from layers.store.version import VersionedCache

TASK_FIELDS = (
    Field("plan", "string", "document key: 000 (2024 plan) or 001 (2022 plan)"),
    Field("section", "string"), Field("item", "string"),
    Field("lead_ids", "string", "lead agencies, in the document's order, comma-separated"),
    Field("lead_names", "string", "lead agencies' names, '; '-separated", False),
    Field("lead_names_en", "string", queryable=False),
    Field("partner_ids", "string", "partner agencies, comma-separated"),
    Field("deadline", "date", "the date the task is due (the last one where the item has parts)"),
    Field("deadline_text", "string", "the deadline as the document words it"),
    Field("deadline_text_en", "string"),
    Field("status", "string", "not_reported, not_started, in_progress, done or cancelled"),
    Field("percent", "number", "mean of the leads' reported percent"),
    Field("overdue", "boolean", "deadline passed and not done or cancelled (as of today)"),
    Field("reported_on", "date", "date of the latest accepted report"),
    Field("feature_ids", "string", "linked plan features, comma-separated"),
    Field("district_codes", "string", "former districts the item names, comma-separated"),
    Field("text", "string"), Field("summary_en", "string"), Field("source", "string", "document and section"),
)


def _joined(column, table, order):
    """The comma-joined ``column`` of ``table``'s rows for the task, in ``order`` (a correlated subquery)."""
    return (select(func.aggregate_strings(cast(column, String), ",").aggregate_order_by(order))
            .where(table.task_id == Task.id).scalar_subquery())


class TaskProvider(TableProvider):
    def __init__(self, collection: Collection):
        self.collection = collection

    def source(self, session: Session, today: dt.date) -> Source:
        overdue = case((progress.overdue_clause(today), true()), else_=false())
        columns = {
            "plan": Task.plan, "section": Task.section, "item": Task.item,
            "lead_ids": _joined(TaskLead.agency_id, TaskLead, TaskLead.position),
            "partner_ids": _joined(TaskPartner.agency_id, TaskPartner, TaskPartner.agency_id),
            "deadline": Task.deadline, "deadline_text": Task.deadline_text,
            "deadline_text_en": Task.deadline_text_en,
            "status": func.coalesce(TaskState.status, progress.NOT_REPORTED), "percent": TaskState.percent,
            "overdue": overdue, "reported_on": TaskState.reported_on,
            "feature_ids": _joined(TaskFeature.feature_id, TaskFeature, TaskFeature.feature_id),
            "district_codes": _joined(TaskDistrict.gso_code, TaskDistrict, TaskDistrict.gso_code),
            "text": Task.text, "summary_en": Task.summary_en, "source": Task.source,
        }
        joined = Task.__table__.outerjoin(TaskState.__table__, TaskState.task_id == Task.id)
        return Source("tasks", joined, Task.id, "string", None, "", (), columns)

    def finish(self, session: Session, rows: list, today: dt.date) -> list[dict]:
        names = agency_names(session)
        out = []
        for r in rows:
            leads = (r.lead_ids or "").split(",")
            values = dict(r._mapping) | {
                "lead_names": "; ".join(names[a][0] for a in leads if a in names),
                "lead_names_en": "; ".join(names[a][1] or names[a][0] for a in leads if a in names),
                "overdue": bool(r.overdue),
                "deadline": r.deadline.isoformat() if r.deadline else None,
                "reported_on": r.reported_on.isoformat() if r.reported_on else None,
                "partner_ids": r.partner_ids or "", "feature_ids": r.feature_ids or "",
                "district_codes": r.district_codes or ""}
            out.append({f.name: values.get(f.name) for f in self.collection.fields})
        return out


_NAMES = VersionedCache("agency_names")


def agency_names(session: Session) -> dict[str, tuple[str, str | None]]:
    """Agency id -> (Vietnamese name, English name), read once per data version."""
    return _NAMES.get(session, lambda s: {a: (n, e) for a, n, e in s.execute(
        select(Agency.id, Agency.name, Agency.name_en))})
