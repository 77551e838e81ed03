"""Search (``/api/search``) and the web map's JSON (``/api/map/...``), on both backends, over HTTP."""

from __future__ import annotations

import pytest


def _names(client, q: str, kind: str | None = None) -> list[str]:
    response = client.get("/api/search", params={"q": q})
    assert response.status_code == 200
    return [h["name"] for h in response.json() if kind is None or h["type"] == kind]


@pytest.mark.parametrize("query", ["cai tu", "Cái Tư", "CÁI TƯ", "  cai   tu "])
def test_search_finds_cai_tu_with_or_without_diacritics(client, query):
    assert any("Cái Tư" in n for n in _names(client, query, "feature"))


def test_search_thanh_loc_finds_the_park_first(client):
    features = _names(client, "thanh loc", "feature")
    assert features and "Thạnh Lộc" in features[0]


def test_search_finds_former_districts_and_tasks(client):
    assert "Thành phố Phú Quốc" in _names(client, "phu quoc", "district")
    hits = client.get("/api/search", params={"q": "cum cong nghiep"}).json()
    assert any(h["type"] == "task" for h in hits)


@pytest.mark.parametrize("query", ["%", "_", "zzqxj", "' OR 1=1 --"])
def test_search_treats_user_text_literally(client, query):
    response = client.get("/api/search", params={"q": query})
    assert response.status_code == 200
    assert response.json() == []


def test_search_without_query_is_a_400(client):
    response = client.get("/api/search")
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidParameterValue"


def _cai_tu_id(client) -> str:
    hits = client.get("/api/search", params={"q": "cai tu"}).json()
    return next(h["id"] for h in hits if h["type"] == "feature" and "Cái Tư" in h["name"])


def test_popup_details_of_cai_tu(client, settings):
    from layers.plan import read_plan

    fid = _cai_tu_id(client)
    detail = client.get(f"/api/map/features/{fid}").json()
    assert detail["planned_area_ha"] == 70
    assert [d["short_name"] for d in detail["districts"]] == ["Gò Quao"]
    plan = read_plan(settings.data_dir)
    linked = {t.id: t for _, t in plan.tasks if fid in t.features}
    assert linked and {t["id"] for t in detail["tasks"]} == set(linked)
    names = {a.id: a.name for _, a in plan.agencies}
    for task in detail["tasks"]:
        assert [a["name"] for a in task["leads"]] == [names[a] for a in linked[task["id"]].leads]
        assert {"deadline", "deadline_text_en", "percent", "overdue", "status"} <= set(task)


def test_district_panel_lists_the_features_the_plan_places_there(client, settings):
    from layers.plan import read_plan

    panel = client.get("/api/map/districts/907").json()
    assert panel["short_name"] == "Gò Quao"
    in_plan = {f.id: f.planned_area_ha for _, _, f in read_plan(settings.data_dir).all_features() if 907 in f.districts}
    assert {f["id"]: f["planned_area_ha"] for f in panel["features"]} == in_plan
    assert in_plan["ccn-cai-tu"] == 70  # the counts of its tasks: test_numbers.py, for all 15 districts


def test_unknown_feature_and_district_are_404_json(client):
    assert client.get("/api/map/features/nope").json()["code"] == "NotFound"
    assert client.get("/api/map/districts/1").status_code == 404


def test_offline_base_has_districts_and_neighbours(client):
    base = client.get("/api/map/base").json()
    kinds = [f["properties"]["kind"] for f in base["features"]]
    assert kinds.count("district") == 15
    roles = {f["properties"]["role"] for f in base["features"] if f["properties"]["kind"] == "province"}
    assert roles == {"subject", "neighbour"}


def test_map_stats_sum_planned_hectares_and_count_each_agencys_tasks(client, settings):
    from collections import Counter

    from layers.plan import read_plan

    plan = read_plan(settings.data_dir)
    stats = client.get("/api/map/stats").json()
    for layer in ("industrial_parks", "industrial_clusters", "economic_zones"):
        planned = sum(f.planned_area_ha or 0 for lay, _, f in plan.all_features() if lay == layer)
        assert stats["hectares_by_layer"][layer] == pytest.approx(planned, abs=0.1), layer
    led = Counter(a for _, t in plan.tasks for a in t.leads)  # a task with six leads counts for each of them
    assert {a["id"]: a["tasks"] for a in stats["agencies"]} == dict(led)


def test_basemap_offline_answers_at_once_with_an_empty_tile(client, monkeypatch):
    from web import basemap

    monkeypatch.setattr(basemap, "UPSTREAM", "http://127.0.0.1:9/{z}/{x}/{y}.png")  # nothing listens there
    monkeypatch.setattr(basemap, "_failed_at", None)
    assert client.get("/api/map/basemap/status").json() == {"online": False}
    tile = client.get("/api/map/basemap/9/402/241.png")
    assert tile.status_code == 200 and tile.headers["content-type"] == "image/png"
    assert client.get("/api/map/basemap/2/9/0.png").status_code == 404


# ---- words in any order, near phrases, ranking, places of before and after 1 July 2025, agencies, task ids ----

def _hits(client, q: str) -> list[dict]:
    response = client.get("/api/search", params={"q": q})
    assert response.status_code == 200
    return response.json()


def test_search_takes_words_in_any_order(client):
    assert any("Cái Tư" in h["name"] for h in _hits(client, "tu cai") if h["type"] == "feature")
    assert "Thành phố Phú Quốc" in [h["name"] for h in _hits(client, "quoc phu") if h["type"] == "district"]


def test_search_finds_a_near_phrase_after_the_exact_ones(client, settings):
    """"xúc tiến đầu tư" (issue 11) finds the tasks that say "xúc tiến kêu gọi đầu tư", ranked after the hits
    that hold the exact phrase."""
    from layers.plan import read_plan
    from layers.text import fold

    near = {t.id for _, t in read_plan(settings.data_dir).tasks if "xuc tien keu goi dau tu" in fold(t.text)}
    assert near, "the plan has such tasks (reference: data/plan)"
    hits = _hits(client, "xúc tiến đầu tư")
    ids = [h["id"] for h in hits if h["type"] == "task"]
    assert near <= set(ids)
    exact = [i for i, h in enumerate(hits) if "xuc tien dau tu" in fold(h["name"])]
    only_near = [i for i, h in enumerate(hits) if h["type"] == "task" and h["id"] in near
                 and "xuc tien dau tu" not in fold(h["name"])]
    assert exact and only_near and max(exact) < min(only_near)


def test_search_finds_a_task_by_its_id_first(client):
    hits = _hits(client, "2022-II.4.a")
    assert hits[0]["type"] == "task" and hits[0]["id"] == "2022-II.4.a"


def test_search_finds_an_agency_by_name(client):
    hits = [h for h in _hits(client, "so cong thuong") if h["type"] == "agency"]
    assert hits[0]["id"] == "so-cong-thuong" and hits[0]["name"] == "Sở Công Thương"


def test_search_finds_a_2025_commune_by_its_new_name(client):
    unit = client.get("/ogc/collections/communes_2025/items",
                      params={"filter": "name = 'Định Hòa'", "f": "json"}).json()["features"]
    assert len(unit) == 1
    hits = [h for h in _hits(client, "dinh hoa") if h["type"] == "commune"]
    assert hits[0]["id"] == unit[0]["id"] and hits[0]["name"] == "Xã Định Hòa"


def test_an_old_commune_name_says_what_it_became(client):
    """Vĩnh Hòa Hưng Bắc (huyện Gò Quao) went into a 2025 unit: the one whose former communes list it."""
    units = client.get("/ogc/collections/communes_2025/items", params={"limit": 200, "f": "json"}).json()["features"]
    became = [u for u in units if "Vĩnh Hòa Hưng Bắc" in u["properties"]["former_communes"]]
    assert len(became) == 1
    hit = next(h for h in _hits(client, "Vĩnh Hòa Hưng Bắc") if h["type"] == "former_commune")
    assert hit["became"]["code"] == became[0]["id"]
    assert hit["district"]["short_name"] == "Gò Quao"
