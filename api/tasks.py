"""Tasks and progress: read tasks (with ETag), report progress (If-Match), review reports, the audit log,
missing reports and the provincial XLSX export. SQL stays in ``layers``; this module speaks HTTP."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api import conditional, report_pages
from api.auth import Coordinator, MaybeUser, Reporter
from api.errors import ApiError
from api.report_xlsx import workbook_bytes
from layers import audit, progress, reporting, reporting_periods, task_edit
from layers.accounts import Principal
from layers.models import Task
from layers.reporting import Attachment, ReportError

router = APIRouter(tags=["tasks"])
router.include_router(report_pages.router)  # the pages ride on this router: app.py lists api.tasks
MAX_BODY = reporting.MAX_ATTACHMENT + 64 * 1024  # the attachment plus the form's fields


def _fail(exc: ReportError) -> ApiError:
    return ApiError(exc.status, exc.code, exc.description)


@router.get("/api/tasks")
def list_tasks(request: Request, agency: str | None = None, plan: str | None = None):
    """Every task with its current state; ``agency`` keeps the tasks it leads or partners."""
    with request.app.state.sessions() as session:
        states = progress.task_states(session)
        tasks = reporting.find_tasks(session, agency, plan)
        return {"tasks": [reporting.task_dict(t, states[t.id]) for t in tasks], "count": len(tasks)}


@router.get("/api/tasks/{task_id}")
def get_task(task_id: str, request: Request, who: MaybeUser):
    """One task, its state and its reports (returned or pending ones only for coordinators)."""
    with request.app.state.sessions() as session:
        task = session.get(Task, task_id)
        if task is None:
            raise ApiError(404, "NotFound", f"no task {task_id!r}")
        etag = progress.task_etag(session, task_id)
        if conditional.not_modified(request, etag):
            return Response(status_code=304, headers={"ETag": etag})
        body = reporting.task_dict(task, progress.task_state(session, task_id))
        everything = who is not None and who.at_least("coordinator")
        body["reports"] = [reporting.report_dict(r) for r in reporting.reports_of(session, task_id)
                           if everything or r.review == "accepted"]
    return JSONResponse(body, headers={"ETag": etag, "Cache-Control": "no-cache"})


@router.patch("/api/tasks/{task_id}")
async def patch_task(task_id: str, request: Request, who: Coordinator):
    """Edit deadline, lead and links (coordinators); If-Match is required: 428 without, 412 when stale."""
    if "if-match" not in request.headers:
        raise ApiError(428, "PreconditionRequired", "send If-Match with the task's ETag (GET it first)")
    try:
        changes = await request.json()
    except ValueError as exc:
        raise ApiError(422, "InvalidTask", "body: not valid JSON") from exc
    if not isinstance(changes, dict):
        raise ApiError(422, "InvalidTask", "body: a JSON object is expected")
    return await run_in_threadpool(_save_task, request, task_id, who, changes)


def _save_task(request: Request, task_id: str, who: Principal, changes: dict) -> JSONResponse:
    with request.app.state.sessions() as session:
        try:
            with session.begin():
                if not reporting.lock_task(session, task_id):
                    raise ReportError(404, "NotFound", f"no task {task_id!r}")
                conditional.require_match(request, progress.task_etag(session, task_id))
                task_edit.edit_task(session, who, task_id, changes)
                progress.after_write(session, [task_id])
        except ReportError as exc:
            raise _fail(exc) from exc
        session.expire_all()
        task = session.get(Task, task_id)
        body = reporting.task_dict(task, progress.task_state(session, task_id))
        etag = progress.task_etag(session, task_id)
    return JSONResponse(body, headers={"ETag": etag})


async def _report_input(request: Request) -> tuple[dict, Attachment | None]:
    """Fields from JSON or a (multipart) form; 413 for an oversized body, 422 for a bad one."""
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        raise ApiError(413, "TooLarge", f"attachment: at most {reporting.MAX_ATTACHMENT} bytes")
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        try:
            body = await request.json()
        except ValueError as exc:
            raise ApiError(422, "InvalidReport", "body: not valid JSON") from exc
        if not isinstance(body, dict):
            raise ApiError(422, "InvalidReport", "body: a JSON object is expected")
        return body, None
    if kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form(max_part_size=MAX_BODY)
        upload = form.get("attachment")
        attachment = None
        if upload is not None and not isinstance(upload, str) and upload.filename:
            # at most one byte over the limit: enough to refuse it, whatever Content-Length said
            attachment = Attachment(upload.filename, await upload.read(reporting.MAX_ATTACHMENT + 1))
        return {k: v for k, v in form.items() if isinstance(v, str)}, attachment
    raise ApiError(415, "UnsupportedMediaType", "send application/json or a form")


@router.post("/api/tasks/{task_id}/reports", status_code=201)
async def post_report(task_id: str, request: Request, who: Reporter):
    """Append a progress report (201 with the report and the task's new ETag)."""
    fields, attachment = await _report_input(request)
    return await run_in_threadpool(_save_report, request, task_id, who, fields, attachment)


def _locked_write(request: Request, find_task, write, missing: str):
    """One transaction: lock the task, check ``If-Match`` against it, write; returns (body, new ETag, state).

    In a worker thread: the database work must not stall the event loop for other requests.
    """
    with request.app.state.sessions() as session:
        try:
            with session.begin():
                task_id = find_task(session)
                if task_id is None or not reporting.lock_task(session, task_id):
                    raise ReportError(404, "NotFound", missing)
                conditional.require_match(request, progress.task_etag(session, task_id))
                body = reporting.report_dict(write(session, task_id))
                progress.after_write(session, [task_id])
        except ReportError as exc:
            raise _fail(exc) from exc
        return body, progress.task_etag(session, task_id), progress.task_state(session, task_id)


def _save_report(request: Request, task_id: str, who: Principal, fields: dict, attachment) -> JSONResponse:
    body, etag, state = _locked_write(request, lambda _s: task_id,
                                      lambda session, tid: reporting.submit(session, who, tid, fields, attachment),
                                      f"no task {task_id!r}")
    body["task_state"] = {"status": state.status, "percent": state.percent, "overdue": state.overdue}
    return JSONResponse(body, 201, headers={"ETag": etag, "Location": f"/api/tasks/{task_id}"})


async def _review(report_id: int, move: str, request: Request, who: Principal) -> JSONResponse:
    body = {}
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json() or {}
        except ValueError as exc:
            raise ApiError(422, "InvalidReview", "body: not valid JSON") from exc
    note = body.get("note") if isinstance(body, dict) else None
    return await run_in_threadpool(_save_review, request, report_id, move, who,
                                   note if isinstance(note, str) else None)


def _save_review(request: Request, report_id: int, move: str, who: Principal, note: str | None) -> JSONResponse:
    body, etag, _ = _locked_write(request, lambda session: reporting.task_of_report(session, report_id),
                                  lambda session, _tid: reporting.review(session, who, report_id, move, note),
                                  f"no report {report_id}")
    return JSONResponse(body, headers={"ETag": etag})


@router.post("/api/reports/{report_id}/accept")
async def accept_report(report_id: int, request: Request, who: Coordinator):
    return await _review(report_id, "accept", request, who)


@router.post("/api/reports/{report_id}/return")
async def return_report(report_id: int, request: Request, who: Coordinator):
    return await _review(report_id, "return", request, who)


@router.get("/api/reports/{report_id}/attachment")
def get_attachment(report_id: int, request: Request):
    with request.app.state.sessions() as session:
        att = reporting.attachment_of(session, report_id)
        if att is None or reporting.review_of(session, report_id) != "accepted":
            raise ApiError(404, "NotFound", f"report {report_id} has no attachment")
        return Response(att.data, media_type=att.content_type, headers={
            "Content-Disposition": f'attachment; filename="report-{report_id}"', "X-Content-Type-Options": "nosniff"})


@router.get("/api/audit")
@router.get("/api/audit.csv")
def get_audit(request: Request, who: Coordinator, entity: str | None = None, entity_id: str | None = None,
              after: int = 0, limit: int = 1000):
    """The audit log, oldest first (``after`` = last id seen); ``/api/audit.csv`` or ``?f=csv`` as CSV."""
    limit = max(1, min(limit, 10000))
    with request.app.state.sessions() as session:
        rows = audit.entries(session, entity, entity_id, after, limit)
    if request.url.path.endswith(".csv") or request.query_params.get("f") == "csv":
        return Response(audit.to_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
    return {"entries": [audit.as_dict(e) for e in rows]}


@router.get("/api/reporting/missing")
def get_missing(request: Request, who: Coordinator):
    """For each plan's current period, the lead agencies that have not reported on some of their tasks."""
    with request.app.state.sessions() as session:
        return {"today": dt.date.today().isoformat(), "periods": reporting_periods.missing_reports(session)}


@router.get("/api/reporting/export.xlsx")
def get_export(request: Request, who: Coordinator):
    with request.app.state.sessions() as session:
        groups = reporting_periods.export_rows(session)
    return Response(workbook_bytes(groups), headers={"Content-Disposition": 'attachment; filename="tien-do.xlsx"'},
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@router.get("/api/progress")
def get_progress(request: Request):
    """Progress by feature, district, lead agency and section, for the map, dashboard and statistics."""
    with request.app.state.sessions() as session:
        return {
            "features": {k: v.as_dict() for k, v in progress.feature_progress(session).items()},
            "districts": {str(code): progress.district_tasks(session, code).progress.as_dict()
                          for code in progress.districts_with_tasks(session)},
            "agencies": {k: v.as_dict() for k, v in progress.grouped_progress(session, "lead").items()},
            "sections": {k: v.as_dict() for k, v in progress.grouped_progress(session, "section").items()},
        }
