"""Progress reporting on both backends: reporters report on their agency's tasks, the map's progress follows,
coordinators review, every change is audited; stale, foreign, anonymous and bad writes change nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from layers.models import ProgressReport
from layers.models_accounts import AuditEntry
from layers.progress import is_overdue, task_states
from layers.reporting import MAX_ATTACHMENT
from tests.progress_helpers import SCT, STC, feature_task, led_by, logged_in, partnered_by

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)


@pytest.fixture(scope="module")
def reporter(app, engine):
    return logged_in(app, engine, "sct-reporter", "agency_reporter", SCT)


@pytest.fixture(scope="module")
def coordinator(app, engine):
    return logged_in(app, engine, "coordinator", "coordinator")


@pytest.fixture(scope="module")
def sct_tasks(engine):
    tasks = led_by(engine, SCT)
    assert len(tasks) >= 5, "the plans give Sở Công Thương many tasks"
    return tasks


def counts(engine) -> tuple[int, int]:
    with Session(engine) as s:
        return (s.scalar(select(func.count()).select_from(ProgressReport)),
                s.scalar(select(func.count()).select_from(AuditEntry)))


def report(who, task_id: str, etag: str | None = None, **fields):
    c, csrf = who
    headers = {"X-CSRF-Token": csrf} | ({"If-Match": etag} if etag else {})
    return c.post(f"/api/tasks/{task_id}/reports", json={"status": "in_progress", "percent": 60} | fields,
                  headers=headers)


def test_reporter_reports_60_percent_and_the_feature_follows(client, reporter, coordinator, engine):
    found = feature_task(engine, SCT)
    assert found, "some industrial park is linked to a task of Sở Công Thương"
    feature_id, task_id = found
    before = client.get("/api/progress").json()["features"][feature_id]
    etag = client.get(f"/api/tasks/{task_id}").headers["etag"]
    r = report(reporter, task_id, etag, percent=60, text="Đã hoàn thành 60% hạ tầng")
    assert r.status_code == 201, r.text
    assert r.json()["task_state"]["percent"] == 60 and r.headers["etag"] != etag
    task = client.get(f"/api/tasks/{task_id}").json()
    assert task["state"]["status"] == "in_progress" and task["state"]["percent"] == 60
    after = client.get("/api/progress").json()["features"][feature_id]
    assert after["mean_percent"] is not None and after != before
    if before["state"] == "not_reported":
        assert after["state"] == "in_progress"
    entries = coordinator[0].get("/api/audit", params={"entity": "progress_report",
                                                       "entity_id": str(r.json()["id"])}).json()["entries"]
    assert [e["action"] for e in entries] == ["report.submit"]
    assert entries[0]["actor"] == "sct-reporter" and entries[0]["after"]["percent"] == 60
    assert entries[0]["before"] is None


def test_partner_may_report(reporter, engine):
    partnered = partnered_by(engine, SCT)
    if not partnered:
        pytest.skip("no task lists Sở Công Thương as partner")
    assert report(reporter, partnered[0], percent=10).status_code == 201


def test_foreign_task_is_403_and_writes_nothing(reporter, engine):
    foreign = led_by(engine, STC, exclude_partner=SCT)
    assert foreign, "Sở Tài chính leads tasks without Sở Công Thương"
    before = counts(engine)
    r = report(reporter, foreign[0])
    assert r.status_code == 403 and "may not report" in r.json()["description"]
    assert counts(engine) == before


def test_stale_update_is_412(client, reporter, sct_tasks, engine):
    task_id = sct_tasks[2]
    etag = client.get(f"/api/tasks/{task_id}").headers["etag"]
    assert report(reporter, task_id, etag, percent=20).status_code == 201
    before = counts(engine)
    r = report(reporter, task_id, etag, percent=30)  # still the first copy's ETag
    assert r.status_code == 412 and r.headers["etag"] != etag
    assert counts(engine) == before
    assert client.get(f"/api/tasks/{task_id}").json()["state"]["percent"] == 20


def test_anonymous_writes_are_401(client, sct_tasks, engine):
    before = counts(engine)
    assert client.post(f"/api/tasks/{sct_tasks[0]}/reports", json={"status": "done", "percent": 100}).status_code == 401
    assert client.post("/api/reports/1/accept").status_code == 401
    assert counts(engine) == before


@pytest.mark.parametrize("fields, message", [
    ({"percent": 101}, "percent: must be between 0 and 100"),
    ({"percent": -5}, "percent: must be between 0 and 100"),
    ({"percent": "much"}, "percent: 'much' is not a whole number"),
    ({"status": "almost"}, "status: 'almost' is not one of"),
    ({"reported_on": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "is in the future"),
    ({"reported_on": "15/12/2024"}, "is not a date"),
    ({"reported_on": "2019-12-15"}, "is before the plans"),
    ({"text": "x" * 4001}, "text: at most 4000 characters"),
    ({"evidence_url": "javascript:alert(1)"}, "evidence_url: must be an http(s) link"),
    ({"status": "done", "percent": 60}, "a done task is 100 percent"),
])
def test_bad_reports_are_422_with_the_reason(reporter, sct_tasks, engine, fields, message):
    before = counts(engine)
    r = report(reporter, sct_tasks[1], **fields)
    assert r.status_code == 422 and message in r.json()["description"], r.text
    assert counts(engine) == before


def test_attachments(client, reporter, sct_tasks, engine):
    c, csrf = reporter
    url = f"/api/tasks/{sct_tasks[4]}/reports"
    form = {"status": "in_progress", "percent": "40", "csrf_token": csrf}
    before = counts(engine)
    wrong = c.post(url, data=form, files={"attachment": ("x.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")})
    assert wrong.status_code == 422 and "PDF, PNG or JPEG" in wrong.json()["description"]
    big = c.post(url, data=form, files={"attachment": ("big.pdf", PDF + b"0" * MAX_ATTACHMENT, "application/pdf")})
    assert big.status_code in (413, 422) and "attachment" in big.json()["description"]
    assert counts(engine) == before
    ok = c.post(url, data=form, files={"attachment": ("bien-ban.pdf", PDF, "application/pdf")})
    assert ok.status_code == 201, ok.text
    href = ok.json()["attachment"]["href"]
    got = c.get(href)
    assert got.status_code == 200 and got.content == PDF and got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment")


def test_attachments_are_for_logged_in_users_by_a_random_url(client, reporter, coordinator, sct_tasks):
    c, csrf = reporter
    form = {"status": "in_progress", "percent": "45", "csrf_token": csrf}
    made = [c.post(f"/api/tasks/{sct_tasks[4]}/reports", data=form,
                   files={"attachment": (f"anh-{i}.png", PNG, "image/png")}).json() for i in range(2)]
    hrefs = [m["attachment"]["href"] for m in made]
    tokens = [h.rsplit("/", 1)[1] for h in hrefs]
    # 256 random bits each (43 URL-safe characters), not the sequential report id
    assert all(len(t) >= 43 for t in tokens) and tokens[0] != tokens[1]
    assert c.get(f"/api/attachments/{made[0]['id']}").status_code == 404
    assert client.get(hrefs[0]).status_code == 401  # anonymous
    assert client.get(f"/api/reports/{made[0]['id']}/attachment").status_code == 404  # the old URL by id
    assert c.get(hrefs[0]).content == PNG
    assert c.get(hrefs[0][:-1] + ("A" if hrefs[0][-1] != "A" else "B")).status_code == 404
    # a returned report's evidence is for coordinators only, like the report itself
    coord, coord_csrf = coordinator
    assert coord.post(f"/api/reports/{made[1]['id']}/return", headers={"X-CSRF-Token": coord_csrf}).status_code == 200
    assert c.get(hrefs[1]).status_code == 404
    assert coord.get(hrefs[1]).status_code == 200
    listed = coord.get(f"/api/tasks/{sct_tasks[4]}").json()["reports"]
    assert {r["attachment"]["href"] for r in listed if r["attachment"]} >= set(hrefs)


def test_coordinator_returns_and_accepts(client, reporter, coordinator, sct_tasks):
    task_id = sct_tasks[3]
    first = report(reporter, task_id, percent=30).json()
    second = report(reporter, task_id, percent=90, text="nhầm").json()
    assert client.get(f"/api/tasks/{task_id}").json()["state"]["percent"] == 90
    # a reporter does not review
    assert reporter[0].post(f"/api/reports/{second['id']}/return", headers={"X-CSRF-Token": reporter[1]}).status_code == 403
    c, csrf = coordinator
    r = c.post(f"/api/reports/{second['id']}/return", json={"note": "số liệu chưa đúng"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["review"] == "returned"
    assert client.get(f"/api/tasks/{task_id}").json()["state"]["percent"] == 30  # back to the last accepted
    assert c.post(f"/api/reports/{second['id']}/return", headers={"X-CSRF-Token": csrf}).status_code == 409
    assert c.post(f"/api/reports/{second['id']}/accept", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.get(f"/api/tasks/{task_id}").json()["state"]["percent"] == 90
    entries = c.get("/api/audit", params={"entity_id": str(second["id"])}).json()["entries"]
    moves = [(e["action"], e["before"], e["after"]) for e in entries if e["entity"] == "progress_report"]
    assert moves[1] == ("report.return", {"review": "accepted"}, {"review": "returned", "note": "số liệu chưa đúng"})
    assert moves[2][0] == "report.accept"
    assert first["id"] < second["id"]
    csv = c.get("/api/audit.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == "id,at,actor,action,entity,entity_id,before,after"
    assert "report.return" in csv.text and "số liệu chưa đúng" in csv.text


def test_audit_is_for_coordinators(client, reporter):
    assert client.get("/api/audit").status_code == 401
    assert reporter[0].get("/api/audit").status_code == 403


def test_etag_and_not_modified(client, sct_tasks):
    r = client.get(f"/api/tasks/{sct_tasks[0]}")
    assert r.status_code == 200 and r.headers["etag"].startswith('"')
    assert client.get(f"/api/tasks/{sct_tasks[0]}", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    assert client.get("/api/tasks/no-such-task").status_code == 404


def test_tasks_of_an_agency(client, engine):
    body = client.get("/api/tasks", params={"agency": SCT}).json()
    assert body["count"] == len(body["tasks"]) > 0
    assert all(SCT in [a["id"] for a in t["leads"]] or SCT in t["partners"] for t in body["tasks"])
    assert {t["id"] for t in body["tasks"]} >= set(led_by(engine, SCT)) | set(partnered_by(engine, SCT))


def test_missing_reports_and_export(client, reporter, coordinator, engine, sct_tasks):
    assert report(reporter, sct_tasks[0], percent=60).status_code == 201
    c, _ = coordinator
    assert client.get("/api/reporting/missing").status_code == 401
    periods = c.get("/api/reporting/missing").json()["periods"]
    by_plan = {p["plan"]: p for p in periods}
    assert by_plan["000"]["due"].endswith("-12-15") and by_plan["001"]["due"] == "2022-11-01"
    missing = {t for p in periods for a in p["agencies_missing"] for t in a["missing"]}
    assert sct_tasks[0] not in missing
    stc = led_by(engine, STC)
    assert any(t in missing for t in stc), "Sở Tài chính has not reported"
    x = c.get("/api/reporting/export.xlsx")
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Mục", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn", "Tình trạng", "Tỷ lệ (%)", "Ghi chú")
    mine = [r for r in rows if r[1] and str(r[1]).startswith(sct_tasks[0] + ":")]
    assert mine and mine[0][2] == "Sở Công Thương" and mine[0][5] == 60


def test_overdue_is_derived(engine):
    assert is_overdue(dt.date(2022, 6, 30), "in_progress", dt.date(2022, 7, 1))
    assert not is_overdue(dt.date(2022, 6, 30), "done", dt.date(2023, 1, 1))
    assert not is_overdue(None, "not_reported", dt.date(2030, 1, 1))
    with Session(engine) as s:
        far, near = task_states(s, dt.date(2100, 1, 1)), task_states(s, dt.date(2000, 1, 1))
    assert any(st.overdue for st in far.values()) and not any(st.overdue for st in near.values())


def test_coordinator_edits_task_links(client, reporter, coordinator, engine):
    task_id = led_by(engine, STC, exclude_partner=SCT)[-1]
    c, csrf = coordinator
    url = f"/api/tasks/{task_id}"
    original = client.get(url)
    etag, partners = original.headers["etag"], original.json()["partners"]
    assert c.patch(url, json={"partners": partners + [SCT]}, headers={"X-CSRF-Token": csrf}).status_code == 428
    assert reporter[0].patch(url, json={}, headers={"X-CSRF-Token": reporter[1], "If-Match": etag}).status_code == 403
    bad = c.patch(url, json={"leads": ["so-khong-co"], "deadline": "soon"},
                  headers={"X-CSRF-Token": csrf, "If-Match": etag})
    assert bad.status_code == 422 and "leads: unknown so-khong-co" in bad.json()["description"]
    assert "deadline: 'soon' is not a date" in bad.json()["description"]
    ok = c.patch(url, json={"partners": partners + [SCT]}, headers={"X-CSRF-Token": csrf, "If-Match": etag})
    assert ok.status_code == 200 and SCT in ok.json()["partners"] and ok.headers["etag"] != etag
    stale = c.patch(url, json={"partners": partners}, headers={"X-CSRF-Token": csrf, "If-Match": etag})
    assert stale.status_code == 412
    assert report(reporter, task_id, percent=10).status_code == 201  # now a partner: may report
    entries = c.get("/api/audit", params={"entity": "task", "entity_id": task_id}).json()["entries"]
    assert entries[-1]["action"] == "task.edit" and SCT not in entries[-1]["before"]["partners"]
    assert SCT in entries[-1]["after"]["partners"]
    # put the links back for the other tests of this session
    assert client.get(url).headers["etag"] != ok.headers["etag"]  # the report moved the ETag too
    back = c.patch(url, json={"partners": partners}, headers={"X-CSRF-Token": csrf,
                                                              "If-Match": client.get(url).headers["etag"]})
    assert back.status_code == 200 and SCT not in back.json()["partners"]


def test_pages_are_scoped(app, client, reporter, coordinator, engine):
    from fastapi.testclient import TestClient

    anonymous = TestClient(app, base_url="http://testserver", follow_redirects=False)
    r = anonymous.get("/report/dashboard")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert anonymous.get("/login").status_code == 200
    c, csrf = reporter
    page = c.get(f"/report/agency/{SCT}")
    assert page.status_code == 200 and f'data-csrf="{csrf}"' in page.text
    # the page lists the agency's tasks, one row each, and one report form, for the task picked (issue 11)
    assert page.text.count('<li class="rp-row') == client.get("/api/tasks", params={"agency": SCT}).json()["count"]
    assert page.text.count('class="rp-form"') == 1
    assert c.get(f"/report/agency/{STC}").status_code == 403
    assert c.get("/report/dashboard").status_code == 403
    dash = coordinator[0].get("/report/dashboard")
    assert dash.status_code == 200 and "Sở Tài chính" in dash.text and "/api/reporting/export.xlsx" in dash.text
    for asset in ("/report/static/report.js", "/report/static/report.css", "/report/static/dashboard.js"):
        assert client.get(asset).status_code == 200
    assert "<script src=\"http" not in page.text  # nothing from a CDN


def test_concurrent_reports_with_one_etag_one_wins(live_server, reporter, sct_tasks):
    """Two scripts holding the same ETag report at once: one is written, the other gets 412."""
    import threading

    import httpx

    c, csrf = reporter
    token = c.post("/api/auth/tokens", json={"name": "race"}, headers={"X-CSRF-Token": csrf}).json()["token"]
    task_url = f"{live_server}/api/tasks/{sct_tasks[4]}"
    def post(barrier, codes: list, etag: str, percent: int) -> None:
        barrier.wait()
        codes.append(httpx.post(f"{task_url}/reports", json={"status": "in_progress", "percent": percent},
                                headers={"Authorization": f"Bearer {token}", "If-Match": etag},
                                timeout=60).status_code)

    for _ in range(3):
        etag = httpx.get(task_url).headers["etag"]
        barrier, codes = threading.Barrier(2), []
        threads = [threading.Thread(target=post, args=(barrier, codes, etag, p)) for p in (41, 42)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(codes) == [201, 412]


def test_a_task_with_several_leads_is_done_when_every_lead_is(client, coordinator, engine):
    """2024 §III.5.b names six lead agencies: each reports on its own share; the task is done when all are."""
    c, csrf = coordinator
    task_id = next(t["id"] for t in client.get("/api/tasks").json()["tasks"] if len(t["leads"]) >= 3)
    leads = [a["id"] for a in client.get(f"/api/tasks/{task_id}").json()["leads"]]
    for i, lead in enumerate(leads):
        r = c.post(f"/api/tasks/{task_id}/reports", json={"status": "done", "percent": 100, "lead": lead},
                   headers={"X-CSRF-Token": csrf})
        assert r.status_code == 201, r.text
        state = r.json()["task_state"]
        if i < len(leads) - 1:
            assert state["status"] == "in_progress"
            assert state["percent"] == pytest.approx(100 * (i + 1) / len(leads), abs=0.1)
    assert state == {"status": "done", "percent": 100, "overdue": False}
    outsider = next(a for a in (SCT, STC, "so-noi-vu", "so-xay-dung") if a not in leads)
    wrong = c.post(f"/api/tasks/{task_id}/reports", json={"status": "done", "percent": 100, "lead": outsider},
                   headers={"X-CSRF-Token": csrf})
    assert wrong.status_code == 422 and "does not lead" in wrong.json()["description"]
