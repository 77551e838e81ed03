"""Progress reporting: submit, accept and return reports under the scoping rules; who has not reported.

Every function here writes in the caller's transaction together with its audit entry, so a change and its
record are committed or rolled back as one. Reports are never edited: only their review moves.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlparse

from sqlalchemy import select, update
from sqlalchemy.orm import Session, defer

from layers import audit
from layers.accounts import Principal, may_report
from layers.models import TASK_STATUSES, Agency, ProgressReport, Task, TaskLead, TaskPartner
from layers.models_accounts import ReportAttachment

MAX_TEXT = 4000
EARLIEST = dt.date(2022, 1, 1)  # the older plan's year: no report can predate it
MAX_URL = 2000
MAX_ATTACHMENT = 5 * 1024 * 1024
ATTACHMENT_URL = "/api/attachments/{token}"  # a random token: attachment URLs cannot be guessed or counted
# Evidence types by their first bytes: the declared content type is not trusted.
MAGIC = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
# What a new report's review is: the province chooses (``Settings.review_on_submit``). "accepted": it counts at
# once so the map follows, and a coordinator returns a wrong one, which then drops out; "pending": it counts once a
# coordinator accepts it.
REVIEW_ON_SUBMIT = ("accepted", "pending")
REVIEW_MOVES = {"accept": ({"pending", "returned"}, "accepted"), "return": ({"pending", "accepted"}, "returned")}


class ReportError(Exception):
    """A problem the caller can act on: ``status`` is the HTTP status it maps to."""

    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes


def _percent(value) -> tuple[int | None, str | None]:
    if isinstance(value, bool) or value is None or value == "":
        return None, "percent: required, a whole number from 0 to 100"
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}", value):  # a form's text, plain digits only
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        return None, f"percent: {value!r} is not a whole number"
    if not 0 <= number <= 100:
        return None, f"percent: must be between 0 and 100, got {number}"
    return number, None


def _date(value, today: dt.date) -> tuple[dt.date | None, str | None]:
    if value in (None, ""):
        return today, None
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return None, f"reported_on: {value!r} is not a date (YYYY-MM-DD)"
    if day > today:
        return None, f"reported_on: {day} is in the future (today is {today})"
    if day < EARLIEST:
        return None, f"reported_on: {day} is before the plans ({EARLIEST})"
    return day, None


def attachment_type(att: Attachment) -> str:
    """The attachment's content type from its bytes; raises ReportError when too big or not PDF/PNG/JPEG."""
    if len(att.data) > MAX_ATTACHMENT:
        raise ReportError(422, "InvalidReport",
                          f"attachment: larger than the limit of {MAX_ATTACHMENT} bytes")
    for magic, kind in MAGIC.items():
        if att.data.startswith(magic):
            return kind
    raise ReportError(422, "InvalidReport", "attachment: must be a PDF, PNG or JPEG file")


def validate(fields: dict, today: dt.date) -> dict:
    """Clean report fields or raise ReportError(422) naming every bad field."""
    problems: list[str] = []
    status = fields.get("status")
    if status not in TASK_STATUSES:
        problems.append(f"status: {status!r} is not one of {', '.join(TASK_STATUSES)}")
    percent, err = _percent(fields.get("percent"))
    problems += [err] if err else []
    reported_on, err = _date(fields.get("reported_on"), today)
    problems += [err] if err else []
    text = fields.get("text") or None
    if text is not None and (not isinstance(text, str) or len(text) > MAX_TEXT):
        problems.append(f"text: at most {MAX_TEXT} characters")
    url = fields.get("evidence_url") or None
    if url is not None and (not isinstance(url, str) or len(url) > MAX_URL
                            or urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc):
        problems.append("evidence_url: must be an http(s) link of at most 2000 characters")
    if status == "done" and percent is not None and percent != 100:
        problems.append("percent: a done task is 100 percent")
    if problems:
        raise ReportError(422, "InvalidReport", "; ".join(problems))
    return {"status": status, "percent": percent, "reported_on": reported_on, "text": text,
            "evidence_url": url}


def report_dict(r: ProgressReport, attachment: ReportAttachment | None = None) -> dict:
    return {"id": r.id, "task_id": r.task_id, "reported_on": r.reported_on.isoformat(), "status": r.status,
            "percent": r.percent, "text": r.text, "evidence_url": r.evidence_url, "agency_id": r.agency_id,
            "author": r.author, "review": r.review,
            "created_at": _utc(r.created_at).isoformat(timespec="seconds"),
            "attachment": attachment_dict(attachment) if attachment else None}


def attachment_dict(att: ReportAttachment) -> dict:
    return {"href": ATTACHMENT_URL.format(token=att.token), "filename": att.filename,
            "content_type": att.content_type, "size": att.size}


def report_dicts(session: Session, reports: list[ProgressReport]) -> list[dict]:
    """``report_dict`` of each report with its attachment (one query for all of them, without the bytes)."""
    ids = [r.id for r in reports]
    found = session.scalars(select(ReportAttachment).options(defer(ReportAttachment.data))
                            .where(ReportAttachment.report_id.in_(ids))) if ids else []
    by_report = {a.report_id: a for a in found}
    return [report_dict(r, by_report.get(r.id)) for r in reports]


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite drops the zone


def lock_task(session: Session, task_id: str) -> bool:
    """Take the task's write lock before reading its ETag; False when there is no such task.

    A no-op UPDATE locks the row on PostgreSQL and starts the write transaction on SQLite (whose driver
    would otherwise read outside any transaction), so a check-then-append cannot interleave with another.
    """
    done = session.execute(update(Task).where(Task.id == task_id).values(deadline=Task.deadline)
                           .execution_options(synchronize_session=False))
    return done.rowcount == 1


def _locked_task(session: Session, task_id: str) -> Task:
    if not lock_task(session, task_id):
        raise ReportError(404, "NotFound", f"no task {task_id!r}")
    return session.get(Task, task_id)


def submit(session: Session, who: Principal, task_id: str, fields: dict, attachment: Attachment | None = None,
           today: dt.date | None = None, review: str = "accepted") -> ProgressReport:
    """Append a report on ``task_id`` as ``who``: 404 unknown task, 403 out of scope, 422 bad fields.
    ``review`` is the new report's review, one of ``REVIEW_ON_SUBMIT`` (the province's setting)."""
    if review not in REVIEW_ON_SUBMIT:
        raise ValueError(f"review on submit: {review!r} is not one of {REVIEW_ON_SUBMIT}")
    task = _locked_task(session, task_id)
    if not may_report(session, who, task):
        raise ReportError(403, "Forbidden",
                          f"{who.username} may not report on task {task_id}: their agency neither leads nor partners it")
    clean = validate(fields, today or dt.date.today())
    kind = attachment_type(attachment) if attachment else None
    report = ProgressReport(task_id=task.id, agency_id=_assignment(task, who, fields), author=who.username,
                            review=review, created_at=dt.datetime.now(dt.UTC), **clean)
    session.add(report)
    session.flush()
    after = report_dict(report)
    if attachment:
        name = (attachment.filename or "evidence").rsplit("/", 1)[-1][:255]
        session.add(ReportAttachment(report_id=report.id, token=secrets.token_urlsafe(32), filename=name,
                                     content_type=kind, size=len(attachment.data), data=attachment.data))
        after["attachment"] = {"filename": name, "content_type": kind, "size": len(attachment.data)}
    audit.record(session, who.username, "report.submit", "progress_report", str(report.id), None, after)
    return report


def _assignment(task: Task, who: Principal, fields: dict) -> str:
    """The lead agency a report is on: a lead's reporter reports on its own agency's share; a coordinator or a
    partner names the lead it reports for (``lead``), by default the first."""
    leads = [a.id for a in task.leads] or [task.lead_id]
    named = fields.get("lead")
    if named is not None and named not in leads:
        raise ReportError(422, "InvalidReport", f"lead: {named!r} does not lead task {task.id}; leads: "
                          f"{', '.join(leads)}")
    if who.role == "agency_reporter" and who.agency_id in leads:
        if named is not None and named != who.agency_id:
            raise ReportError(403, "Forbidden", f"{who.username} reports on {who.agency_id}'s share, not {named}'s")
        return who.agency_id
    return named or leads[0]


def review(session: Session, who: Principal, report_id: int, move: str, note: str | None = None) -> ProgressReport:
    """Accept or return a report (coordinators and admins); the decision and its note go to the audit log."""
    if not who.at_least("coordinator"):
        raise ReportError(403, "Forbidden", "only a coordinator accepts or returns reports")
    report = session.get(ProgressReport, report_id)
    if report is None:
        raise ReportError(404, "NotFound", f"no report {report_id}")
    _locked_task(session, report.task_id)
    allowed, target = REVIEW_MOVES[move]
    if report.review not in allowed:
        raise ReportError(409, "Conflict", f"report {report_id} is {report.review}; cannot {move} it")
    if note is not None and len(note) > MAX_TEXT:
        raise ReportError(422, "InvalidReview", f"note: at most {MAX_TEXT} characters")
    before = {"review": report.review}
    report.review = target
    audit.record(session, who.username, f"report.{move}", "progress_report", str(report.id), before,
                 {"review": target, "note": note})
    return report


def reports_of(session: Session, task_id: str) -> list[ProgressReport]:
    return list(session.scalars(select(ProgressReport).where(ProgressReport.task_id == task_id)
                                .order_by(ProgressReport.created_at, ProgressReport.id)))


def may_read(who: Principal | None, report: ProgressReport) -> bool:
    """Who reads a report's evidence: logged-in users, and only coordinators while it is not accepted."""
    if who is None:
        return False
    return report.review == "accepted" or who.at_least("coordinator")


def readable_attachment(session: Session, who: Principal | None, token: str) -> ReportAttachment | None:
    """The attachment named by ``token`` if ``who`` may read it; None otherwise (unknown and forbidden look
    the same, so a token cannot be probed)."""
    att = session.scalar(select(ReportAttachment).where(ReportAttachment.token == token))
    if att is None or not may_read(who, session.get(ProgressReport, att.report_id)):
        return None
    return att


def find_tasks(session: Session, agency: str | None = None, plan: str | None = None) -> list[Task]:
    """Tasks in document order; ``agency`` keeps those it leads or partners."""
    query = select(Task)
    if agency:
        partnered = select(TaskPartner.task_id).where(TaskPartner.agency_id == agency)
        led = select(TaskLead.task_id).where(TaskLead.agency_id == agency)
        query = query.where(Task.id.in_(led) | Task.id.in_(partnered))
    if plan:
        query = query.where(Task.plan == plan)
    return list(session.scalars(query.order_by(Task.plan, Task.section, Task.item, Task.bullet, Task.id)))


def task_dict(task: Task, state) -> dict:
    return {"id": task.id, "plan": task.plan, "section": task.section, "item": task.item,
            "leads": [{"id": a.id, "code": a.code, "name": a.name, "name_en": a.name_en} for a in task.leads],
            "partners": [a.id for a in task.partners],
            "deadline": task.deadline.isoformat() if task.deadline else None,
            "deadline_text": task.deadline_text, "deadline_text_en": task.deadline_text_en,
            "reporting": task.reporting, "text": task.text,
            "summary_en": task.summary_en, "features": [f.id for f in task.features],
            "districts": [d.gso_code for d in task.districts],
            "state": {"status": state.status, "percent": state.percent,
                      "reported_on": state.reported_on.isoformat() if state.reported_on else None,
                      "overdue": state.overdue}}


def agencies(session: Session) -> list[Agency]:
    return list(session.scalars(select(Agency).order_by(Agency.code)))


def task_of_report(session: Session, report_id: int) -> str | None:
    return session.scalar(select(ProgressReport.task_id).where(ProgressReport.id == report_id))


def recent_reports(session: Session, limit: int = 50) -> list[dict]:
    """The newest reports (any review), for the coordinator's review list."""
    rows = session.scalars(select(ProgressReport).order_by(ProgressReport.id.desc()).limit(limit))
    return report_dicts(session, list(rows))


def agency_features(session: Session, agency_id: str) -> dict:
    """GeoJSON of the features linked to tasks the agency leads or partners, with their progress."""
    from geoalchemy2.shape import to_shape
    from shapely.geometry import mapping

    from layers.models import Feature, TaskFeature
    from layers.progress import feature_progress

    task_ids = [t.id for t in find_tasks(session, agency_id)]
    if not task_ids:
        return {"type": "FeatureCollection", "features": []}
    feature_ids = select(TaskFeature.feature_id).where(TaskFeature.task_id.in_(task_ids))
    rolls = feature_progress(session)
    out = []  # the features' drawn geometry (footprint, route or point), as the agency's own map shows them
    for f in session.scalars(select(Feature).where(Feature.id.in_(feature_ids)).order_by(Feature.id)):
        roll = rolls.get(f.id)
        out.append({"type": "Feature", "id": f.id, "geometry": mapping(to_shape(f.geom)), "properties": {
            "id": f.id, "name": f.name, "layer": f.layer,
            "progress_state": roll.state if roll else "no_tasks",
            "mean_percent": roll.mean_percent if roll else None}})
    return {"type": "FeatureCollection", "features": out}
