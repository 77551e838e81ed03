"""Sheets of the 2025 units (communes, wards and special zones of An Giang from 1 July 2025 over former Kiên
Giang): one per unit from ``planmap print --all-communes``, their numbers equal to ``/api/stats/communes/{code}``,
readable by poppler and PyMuPDF, and true to scale against the unit's polygon projected here with pyproj.

The batch is printed once on SpatiaLite (tests/print_sheets.py); HTTP answers and numbers run on both backends.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pymupdf
import pytest
import shapely
import typer
from geoalchemy2.shape import to_shape
from PIL import Image
from sqlalchemy.orm import Session

from api.print.cli import print_command
from api.print.symbology import layer_title
from layers.admin2025.models import Commune2025
from layers.plan import FEATURE_LAYERS
from tests.conftest import MIRROR, make_settings
from tests.print_sheets import MM_PT, commune_sheet, frame_rect, overlapping, spans
from tests.reference import epsg_6960_transformer
from web.symbology import SYMBOLOGY

SPATIALITE = pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
A3_PT = (842, 1191)
MERGES = (Path(MIRROR) / "dvhcvn+20250701" / "dd94887ce32324380bc5bb0a76fe39867dafc73b" / "mapping"
          / "merges.json")


def vi_number(value: float, digits: int) -> str:
    """Vietnamese grouping, written out here: 14.366,7."""
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def stats_text(doc: pymupdf.Document) -> str:
    return "\n".join(page.get_text() for page in doc[1:])


def assert_numbers_match(text: str, api: dict) -> None:
    """Every figure the sheet prints about the unit equals the statistics API's, at the printed precision."""
    assert f"Diện tích tự nhiên: {vi_number(api['area_ha'], 1)} ha" in text
    counts = re.search(r"Nhiệm vụ: (\d+) giao cho huyện cũ đã hình thành đơn vị, (\d+) qua dự án trên địa bàn; "
                       r"(\d+) liên quan", text)
    assert counts, text[:600]
    t = api["tasks"]
    assert tuple(map(int, counts.groups())) == (t["tasks_via_district"], t["tasks_via_features"], t["tasks_linked"])
    assert f"Nhiệm vụ liên quan ({t['tasks_linked']})" in text
    ids = set(re.findall(r"\b20\d\d-(?:[IVX]+|TCTH)(?:\.[0-9a-z\-]+)+", text))
    assert len(ids) == t["tasks_linked"], sorted(ids)
    p = api["progress"]
    assert (f"Tiến độ {p['tasks']} nhiệm vụ liên quan: {p['done']} hoàn thành, {p['overdue']} quá hạn, "
            f"{p['reported']} đã báo cáo") in text
    for layer in FEATURE_LAYERS:
        ha = api["hectares"][layer]
        row = re.escape(layer_title(layer, "vi")) + r"\n\d+\n" + re.escape(vi_number(ha, 1))
        assert (re.search(row, text) is not None) == (ha > 0), (layer, ha)


@SPATIALITE
def test_one_sheet_per_unit_each_a_whole_pdf(commune_sheet_dir, client):
    units = client.get("/api/stats/communes").json()
    assert len(units) >= 48
    assert sorted(p.name for p in commune_sheet_dir.iterdir()) == sorted(
        commune_sheet(commune_sheet_dir, u["code"]).name for u in units)  # nothing half-written left beside
    for unit in units:
        with pymupdf.open(commune_sheet(commune_sheet_dir, unit["code"])) as doc:
            assert len(doc) >= 2 and tuple(sorted(map(round, doc[0].rect[2:]))) == A3_PT
            title = f"Bản đồ kế hoạch công nghiệp hóa {unit['type']} {unit['name']}"
            assert title in doc[0].get_text(), unit["code"]
            assert doc.metadata["title"] == title


@SPATIALITE
def test_every_sheets_numbers_equal_the_statistics_api(commune_sheet_dir, client):
    for unit in client.get("/api/stats/communes").json():
        with pymupdf.open(commune_sheet(commune_sheet_dir, unit["code"])) as doc:
            assert_numbers_match(stats_text(doc), unit)


def test_sheet_over_http_has_the_apis_numbers(client):
    """Both backends: the sheet the server draws (and caches) prints the numbers its own API answers."""
    for code in ("30958", "30742"):
        r = client.get(f"/print/commune/{code}.pdf")
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        with pymupdf.open(stream=r.content, filetype="pdf") as doc:
            assert_numbers_match(stats_text(doc), client.get(f"/api/stats/communes/{code}").json())


def test_sheet_in_english_png_and_cache(client):
    r = client.get("/print/commune/30958.pdf", params={"size": "A4", "lang": "en"})
    assert r.status_code == 200
    with pymupdf.open(stream=r.content, filetype="pdf") as doc:
        text = doc[0].get_text()
        assert tuple(sorted(map(round, doc[0].rect[2:]))) == (595, 842)
        labels = spans(doc[0], frame_rect(doc))
        assert len(labels) >= 10 and not overlapping(labels)  # English names and A4 paper: still apart
    for words in ("Định Hòa commune", "Legend", "Scale 1:", "Former district boundary", "This unit"):
        assert words in text, words
    again = client.get("/print/commune/30958.pdf", params={"size": "A4", "lang": "en"})
    assert again.headers["x-sheet-cache"] == "hit" and again.content == r.content
    same = client.get("/print/commune/30958.pdf", params={"size": "A4", "lang": "en"},
                      headers={"If-None-Match": r.headers["etag"]})
    assert same.status_code == 304
    png = client.get("/print/commune/31105.png", params={"size": "A4"})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).size[0] > 1000


def _an_giang_units() -> dict[str, dict]:
    """The 102 units of the new An Giang, read here from the resolution's mapping file in the mirror."""
    data = json.loads(MERGES.read_text(encoding="utf-8"))
    return {u["level2_id"]: u for p in data["data"] if p["level1_id"] == "91" for u in p["level2s"]}


def test_codes_without_a_sheet_say_why(client, engine):
    with Session(engine) as session:
        covered = {c.code for c in session.query(Commune2025)}
    units = _an_giang_units()
    outside = next(u for code, u in sorted(units.items())  # a new name, so that the answer names the unit itself
                   if code not in covered and u["name"] not in {m["name"] for m in u["merges"]})
    r = client.get(f"/print/commune/{outside['level2_id']}.pdf")
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    why = r.json()["description"]
    assert outside["name"] in why and "no part of former Kiên Giang" in why
    assert all(m["name"] in why for m in outside["merges"])  # the former An Giang communes it was formed from
    dinh_hoa = units["30958"]
    absorbed = next(m for m in dinh_hoa["merges"] if m["old_id"] != "30958")  # Thới Quản went into Định Hòa
    r = client.get(f"/print/commune/{absorbed['old_id']}.pdf")
    assert r.status_code == 404 and "/print/commune/30958.pdf" in r.json()["description"]
    r = client.get("/print/commune/99999.png")
    assert r.status_code == 404 and "no 2025 unit" in r.json()["description"]
    for url, word in (("/print/commune/abc.pdf", "code"), ("/print/commune/30958.pdf?size=A5", "size")):
        r = client.get(url)
        assert r.status_code == 400 and word in r.json()["description"]


@SPATIALITE
def test_cli_refuses_unknown_codes_and_mixed_choices(settings, cache_dir, monkeypatch, tmp_path):
    monkeypatch.setattr("layers.settings.get_settings", lambda: make_settings(settings.database_url, cache_dir))
    with pytest.raises(typer.Exit):
        print_command(commune="99999", output=tmp_path / "x.pdf")
    with pytest.raises(typer.Exit):
        print_command(commune="30958", all_communes=True, output=tmp_path)
    assert not any(tmp_path.iterdir())


def _unit_bbox_m(engine, code: str) -> tuple[float, float, float, float]:
    """The unit's bounding box in EPSG:9207 metres, projected here with pyproj's EPSG:6960 transformation."""
    to_tm3 = epsg_6960_transformer(9207)
    with Session(engine) as session:
        geom = to_shape(session.get(Commune2025, code).geom)
    return shapely.transform(geom, lambda x, y: to_tm3.transform(x, y), interleaved=False).bounds


def _metres(label: str) -> float:
    if label == "0":
        return 0.0
    value, unit = re.fullmatch(r"([\d.,]+) (km|m)", label).groups()
    return float(value.replace(".", "").replace(",", ".")) * (1000 if unit == "km" else 1)


def _scale_bar(page: pymupdf.Page, frame: pymupdf.Rect) -> tuple[float, list[tuple[float, float]]]:
    """(bar length in points, [(label's distance from the bar's start in points, the metres it says)]), read
    from the drawing and the text under it."""
    cells = [d["rect"] for d in page.get_drawings() if d.get("fill") in ((0, 0, 0), (1, 1, 1))
             and abs(d["rect"].height - 1.4 * MM_PT) < 0.05 and frame.contains(d["rect"])]
    assert len(cells) >= 2, "no scale bar"
    x0, x1, y = min(c.x0 for c in cells), max(c.x1 for c in cells), cells[0].y1
    under = [s for s in spans(page, frame) if 0 <= s.box.y0 - y < 4 * MM_PT and x0 - 20 < s.box.x0 < x1 + 20]
    assert len(under) == 3, [s.text for s in under]
    return x1 - x0, [((s.box.x0 + s.box.x1) / 2 - x0, _metres(s.text)) for s in under]


def _outline(page: pymupdf.Page, frame: pymupdf.Rect) -> pymupdf.Rect:
    """Where the unit's outline (the subject edge colour, 1.8 pt) is drawn on the page."""
    edge = SYMBOLOGY["base"]["subject_edge"]
    rgb = tuple(int(edge[i:i + 2], 16) / 255 for i in (1, 3, 5))
    found = [d["rect"] for d in page.get_drawings() if d.get("color") and abs((d.get("width") or 0) - 1.8) < 0.05
             and all(abs(a - b) < 0.01 for a, b in zip(d["color"], rgb)) and frame.intersects(d["rect"])]
    assert found, "no outline of the unit"
    box = found[0]
    for rect in found[1:]:
        box |= rect
    return box


@SPATIALITE
@pytest.mark.parametrize("code", ["30958", "31105", "30742"])
def test_commune_sheet_opens_in_a_pdf_reader_true_to_scale(commune_sheet_dir, engine, tmp_path, code):
    """Định Hòa (inland), Thổ Châu (islands far out at sea), Rạch Giá (coast): poppler draws a map; the scale
    statement, the scale bar and the drawn outline of the unit agree with its polygon projected here."""
    path = commune_sheet(commune_sheet_dir, code)
    with pymupdf.open(path) as doc:
        page, frame = doc[0], frame_rect(doc)
        n = int(re.search(r"Tỉ lệ 1:([\d.]+)", page.get_text()).group(1).replace(".", ""))
        bar_pt, marks = _scale_bar(page, frame)
        outline = _outline(page, frame)
    ground_per_pt = n * 0.0254 / 72  # metres of ground per PDF point at 1:n
    assert bar_pt * ground_per_pt == pytest.approx(max(m for _, m in marks), rel=0.005)
    for at_pt, metres in marks:  # each distance printed where it is on the bar: 0, the middle, the end
        assert at_pt * ground_per_pt == pytest.approx(metres, abs=0.0002 * n)  # within 0.2 mm on paper
    x0, y0, x1, y1 = _unit_bbox_m(engine, code)
    assert outline.width * ground_per_pt == pytest.approx(x1 - x0, abs=0.3e-3 * n)  # within 0.3 mm on paper
    assert outline.height * ground_per_pt == pytest.approx(y1 - y0, abs=0.3e-3 * n)
    assert frame.contains(outline)  # the frame shows all of the unit, centred on it
    assert abs((outline.x0 + outline.x1) - (frame.x0 + frame.x1)) / 2 < 0.5 * MM_PT
    assert abs((outline.y0 + outline.y1) - (frame.y0 + frame.y1)) / 2 < 0.5 * MM_PT
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "40", "-png", "-singlefile", str(path),
                    str(tmp_path / "page")], check=True)
    image = Image.open(tmp_path / "page.png").convert("RGB")
    px = 40 / 72
    crop = image.crop((round(frame.x0 * px) + 2, round(frame.y0 * px) + 2, round(frame.x1 * px) - 2,
                       round(frame.y1 * px) - 2))
    sea = tuple(int(SYMBOLOGY["base"]["sea"][i:i + 2], 16) for i in (1, 3, 5))
    colours = crop.getcolors(maxcolors=crop.width * crop.height)
    drawn = sum(k for k, c in colours if max(abs(a - b) for a, b in zip(c, sea)) > 12 and c != (255, 255, 255))
    assert drawn / (crop.width * crop.height) > 0.01 and len(colours) > 20  # a map, not a blank frame
