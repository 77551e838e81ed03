"""Reporting periods of the plans, who has not reported in the current one, and the provincial report rows.

- 2024 plan (document ``000``): every year before 15 December, through the Department of Planning and
  Investment; a period runs from 16 December to the next 15 December.
- 2022 plan (document ``001``): once, before 1 November 2022, through the Department of Industry and Trade.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from layers.models import Agency, Document, ProgressReport, Task, TaskLead
from layers.progress import task_states


@dataclass(frozen=True)
class Period:
    plan: str
    start: dt.date
    due: dt.date
    through: str  # agency id the reports go through
    rule: str

    def as_dict(self) -> dict:
        return {"plan": self.plan, "start": self.start.isoformat(), "due": self.due.isoformat(),
                "through": self.through, "rule": self.rule}


def current_periods(today: dt.date) -> list[Period]:
    """The period each plan is in on ``today`` (the 2022 plan's only period stays its current one)."""
    due = dt.date(today.year, 12, 15)
    if today > due:
        due = dt.date(today.year + 1, 12, 15)
    annual = Period("000", dt.date(due.year - 1, 12, 16), due, "so-ke-hoach-va-dau-tu", "annual, before 15/12")
    once = Period("001", dt.date(2022, 1, 1), dt.date(2022, 11, 1), "so-cong-thuong", "once, before 01/11/2022")
    return [annual, once]


def _reported_on(session: Session, period: Period) -> dict[tuple[str, str], dt.date]:
    """Each (task, lead agency) of the period's plan with a report since the period began: its earliest date."""
    rows = session.execute(
        select(ProgressReport.task_id, ProgressReport.agency_id, func.min(ProgressReport.reported_on))
        .join(Task, Task.id == ProgressReport.task_id)
        .where(Task.plan == period.plan, ProgressReport.review != "returned",
               ProgressReport.reported_on >= period.start)
        .group_by(ProgressReport.task_id, ProgressReport.agency_id))
    return {(task_id, agency_id): first for task_id, agency_id, first in rows}


def missing_reports(session: Session, today: dt.date | None = None) -> list[dict]:
    """For each plan's current period, the lead agencies with tasks they have not reported on (``missing``) or
    reported on only after the due date (``late``; a period that is over keeps counting late reports). A task
    with several leads is each lead's to report on. Returned reports do not count."""
    today = today or dt.date.today()
    plans = set(session.scalars(select(Document.key)))
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    out = []
    for period in current_periods(today):
        if period.plan not in plans:
            continue
        first = _reported_on(session, period)
        by_agency: dict[str, dict] = {}
        assignments = select(TaskLead.task_id, TaskLead.agency_id).join(Task, Task.id == TaskLead.task_id).where(
            Task.plan == period.plan).order_by(TaskLead.agency_id, TaskLead.task_id)
        for task_id, lead_id in session.execute(assignments):
            a = agencies[lead_id]
            entry = by_agency.setdefault(lead_id, {"agency_id": lead_id, "code": a.code, "name": a.name,
                                                   "tasks": 0, "missing": [], "late": []})
            entry["tasks"] += 1
            if (task_id, lead_id) not in first:
                entry["missing"].append(task_id)
            elif first[(task_id, lead_id)] > period.due:
                entry["late"].append(task_id)
        missing = [e for e in by_agency.values() if e["missing"]]
        out.append(period.as_dict() | {"agencies_total": len(by_agency), "agencies_missing": missing,
                                       "agencies_late": [e for e in by_agency.values() if e["late"]]})
    return out


EXPORT_COLUMNS = ("Mục", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn", "Tình trạng", "Tỷ lệ (%)", "Ghi chú")


def export_rows(session: Session, today: dt.date | None = None) -> list[tuple[str, list[list]]]:
    """Rows for the provincial report, grouped by plan: section, task, lead agency, deadline, status,
    percent, note (the latest accepted report's text; "quá hạn" when overdue)."""
    states = task_states(session, today)
    notes = {}
    for r in session.scalars(select(ProgressReport).where(ProgressReport.review == "accepted")
                             .order_by(ProgressReport.created_at, ProgressReport.id)):
        notes[r.task_id] = r.text or ""
    groups = []
    for doc in session.scalars(select(Document).order_by(Document.key)):
        rows = []
        tasks = session.scalars(select(Task).where(Task.plan == doc.key)
                                .order_by(Task.section, Task.item, Task.bullet, Task.id))
        for t in tasks:
            s = states[t.id]
            note = ("quá hạn. " if s.overdue else "") + notes.get(t.id, "")
            rows.append([t.section + (f".{t.item}" if t.item else ""), f"{t.id}: {t.text}",
                         "; ".join(a.name for a in t.leads),
                         t.deadline_text or (t.deadline.isoformat() if t.deadline else ""), s.status,
                         s.percent, note.strip()])
        groups.append((f"{doc.key} {doc.title}"[:200], rows))
    return groups
