"""Web pages for reporting: log in, an agency's reporting page and the coordinator's dashboard.

Plain HTML from Jinja templates in ``web/templates/report`` and a little JS from ``web/static/report``;
every asset is served here (no CDN). Writes go through the JSON API with the session's CSRF token. The words
are the ``report.*`` entries of the one catalogue (``web/i18n``); dates are written as the language writes them.

The agency's page is a list (overdue first, filterable) and one report form, for the task picked; the dashboard
shows the reports with their task, agency, note and date, with filters, and says whether a new report counts at
once or waits for a coordinator (``Settings.review_on_submit``).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import Field

from api import body
from api.auth import LoginBody, MaybeUser, csrf_token, set_session_cookie, sign_in
from api.deps import primary
from api.errors import ApiError
from layers import progress, reporting, reporting_periods
from layers.accounts import Principal
from layers.models import TASK_STATUSES
from layers.models_accounts import User
from web.i18n import catalogue, language

router = APIRouter(tags=["reporting pages"], include_in_schema=False)
WEB = Path(__file__).resolve().parents[1] / "web"
TEMPLATES = WEB / "templates" / "report"
STATIC = {p.name: p for p in (WEB / "static" / "report").glob("*.*")}
LEAFLET = WEB / "static" / "vendor" / "leaflet"
LEAFLET_FILES = {"leaflet.js", "leaflet.css"}
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(value: str | dt.date | None, lang: str) -> str:
    """A date as people write it: 05/03/2026 (vi), 5 Mar 2026 (en).

    >>> day("2026-03-05", "vi"), day("2026-03-05", "en")
    ('05/03/2026', '5 Mar 2026')
    """
    if not value:
        return ""
    d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return f"{d.day:02d}/{d.month:02d}/{d.year}" if lang == "vi" else f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"


@lru_cache(maxsize=2)
def _t(lang: str) -> dict[str, str]:
    """The reporting pages' words (``report.*`` of the one catalogue, ``web/i18n``), without the prefix."""
    return {k.removeprefix("report."): v for k, v in catalogue(language(lang)).items() if k.startswith("report.")}


def _name(thing, lang: str) -> str:
    """An agency's (or task's) name in the language on screen: ``name_en`` in English where there is one."""
    get = thing.get if isinstance(thing, dict) else lambda k: getattr(thing, k, None)
    return (get("name_en") if lang == "en" else None) or get("name") or ""


def lang_of(request: Request) -> str:
    return language(request.query_params.get("lang", "vi"))


def _person(request: Request, who: Principal | None, lang: str) -> dict | None:
    """Who is logged in, in words: name, role and agency."""
    if who is None:
        return None
    with primary(request) as session:
        user = session.get(User, who.user_id)
        agency = next((_name(a, lang) for a in reporting.agencies(session) if a.id == who.agency_id), None)
    return {"name": (user.display_name if user else None) or who.username, "role": who.role, "agency": agency}


def _page(request: Request, name: str, who: Principal | None, status: int = 200, headers: dict | None = None,
          **context) -> HTMLResponse:
    """A page; the security headers (CSP, framing) come from ``api.middleware.SecurityHeaders``."""
    lang = lang_of(request)
    sid = getattr(request.state, "sid", None)
    html = _env.get_template(name).render(t=_t(lang), lang=lang, who=who, person=_person(request, who, lang),
                                          day=lambda v: day(v, lang), name=lambda o: _name(o, lang),
                                          csrf=csrf_token(request, sid) if sid else "", **context)
    return HTMLResponse(html, status, headers={"Cache-Control": "no-store"} | (headers or {}))


def _login_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={request.url.path}", 303)


def _local(path: str | None) -> str:
    """Only a path of this site: never an open redirect."""
    return path if path and path.startswith("/") and not path.startswith("//") else "/report"


class LoginForm(LoginBody):
    next: str | None = Field(None, max_length=2000, description="where to go after logging in")


@router.get("/login")
def login_page(request: Request, who: MaybeUser):
    return _page(request, "login.html", who, next=_local(request.query_params.get("next")))


@router.post("/login")
async def login_form(request: Request):
    """The login page's form: on success a redirect to ``next`` with the session cookie; else the page again
    with the reason, as 401 (wrong password) or 429 with ``Retry-After`` (too many failures)."""
    form = await body.read(request, LoginForm)
    nxt = _local(form.next)
    attempt = await sign_in(request, form.username, form.password)
    if attempt.retry_after:
        return _page(request, "login.html", None, 429, {"Retry-After": str(attempt.retry_after)}, next=nxt,
                     retry_after=attempt.retry_after)
    if attempt.who is None:
        return _page(request, "login.html", None, 401, next=nxt, error=True)
    response = RedirectResponse(nxt, 303)
    set_session_cookie(response, request, attempt)
    return response


@router.get("/report")
def report_home(request: Request, who: MaybeUser):
    """Reporters land on their agency's page, coordinators on the dashboard."""
    if who is None:
        return _login_redirect(request)
    if who.at_least("coordinator"):
        return RedirectResponse("/report/dashboard", 303)
    return RedirectResponse(f"/report/agency/{who.agency_id}", 303)


def _worklist(session, agency_id: str, who: Principal) -> list[dict]:
    """The agency's tasks, overdue first, then by deadline (none last), then in document order; each with its
    state, ETag, the status its form starts at, and whether the reporter names the lead the report is on."""
    states = progress.task_states(session)
    rows = []
    for order, task in enumerate(reporting.find_tasks(session, agency_id)):
        row = reporting.task_dict(task, states[task.id]) | {"etag": progress.task_etag(session, task.id)}
        own_share = who.role == "agency_reporter" and who.agency_id in {a["id"] for a in row["leads"]}
        row |= {"order": order, "choose_lead": len(row["leads"]) > 1 and not own_share,
                "start_status": row["state"]["status"] if row["state"]["status"] in TASK_STATUSES else "not_started"}
        rows.append(row)
    return sorted(rows, key=lambda r: (not r["state"]["overdue"], r["deadline"] is None, r["deadline"] or "",
                                       r["order"]))


@router.get("/report/agency/{agency_id}")
def agency_page(agency_id: str, request: Request, who: MaybeUser):
    if who is None:
        return _login_redirect(request)
    if not (who.at_least("coordinator") or who.agency_id == agency_id):
        raise ApiError(403, "Forbidden", f"{who.username} reports for {who.agency_id}, not {agency_id}")
    with primary(request) as session:
        agency = next((a for a in reporting.agencies(session) if a.id == agency_id), None)
        if agency is None:
            raise ApiError(404, "NotFound", f"no agency {agency_id!r}")
        tasks = _worklist(session, agency_id, who)
    return _page(request, "agency.html", who, agency=agency, tasks=tasks, statuses=TASK_STATUSES,
                 plans=sorted({t["plan"] for t in tasks}))


@router.get("/report/agency/{agency_id}/features.geojson")
def agency_features(agency_id: str, request: Request):
    """The features linked to the agency's tasks, with ``progress_state`` and ``mean_percent`` (public)."""
    with primary(request) as session:
        return JSONResponse(reporting.agency_features(session, agency_id), headers={"Cache-Control": "no-cache"})


@router.get("/report/dashboard")
def dashboard(request: Request, who: MaybeUser):
    if who is None:
        return _login_redirect(request)
    if not who.at_least("coordinator"):
        raise ApiError(403, "Forbidden", "the dashboard is for coordinators")
    with primary(request) as session:
        states = progress.task_states(session)
        tasks = {t.id: t for t in reporting.find_tasks(session)}
        overdue = [reporting.task_dict(t, states[t.id]) for t in tasks.values() if states[t.id].overdue]
        recent = reporting.recent_reports(session, 100)
        for r in recent:
            task = tasks.get(r["task_id"])
            r["task_text"] = (task.summary_en if lang_of(request) == "en" and task.summary_en else task.text) if task else ""
        context = {
            "by_agency": progress.grouped_progress(session, "lead"),
            "by_section": progress.grouped_progress(session, "section"),
            "agencies": {a.id: a for a in reporting.agencies(session)},
            "overdue": overdue,
            "periods": reporting_periods.missing_reports(session),
            "recent": recent,
            "review_on_submit": request.app.state.settings.review_on_submit,
        }
    return _page(request, "dashboard.html", who, **context)


@router.get("/report/static/{name}")
def static_file(name: str):
    if name not in STATIC:
        raise ApiError(404, "NotFound", f"no file {name!r}")
    return FileResponse(STATIC[name], headers={"Cache-Control": "no-cache"})


@router.get("/report/vendor/leaflet/{name}")
def leaflet_file(name: str):
    if name not in LEAFLET_FILES or not (LEAFLET / name).is_file():  # vendored by `make vendor`
        raise ApiError(404, "NotFound", f"no file {name!r} (run `make vendor`)")
    return FileResponse(LEAFLET / name, headers={"Cache-Control": "max-age=86400"})
