"""Printable map sheets: real PDFs from the real database, read back with pypdf and rasterised with pdftoppm.

The 16 sheets (15 former districts and the province) are printed once, on SpatiaLite, through the CLI batch
command (``sheet_dir`` in tests/print_sheets.py); the HTTP routes run on both backends.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import pymupdf
import pyogrio
import pytest
from fastapi.testclient import TestClient
from geoalchemy2.shape import to_shape
from PIL import Image
from pypdf import PdfReader
from shapely.geometry import box
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.print.cache import cache_key
from api.print.cli import print_command
from api.print.symbology import LAYER_ORDER, layer_title
from api.print.target import Target
from geo.crs import STORAGE_SRID, VN2000_TM3
from geo.transform import reproject
from layers import progress
from layers.admin2025.models import Commune2025
from layers.db import make_engine
from layers.models import District, Feature, FeatureDistrict, ProgressReport, Task, TaskDistrict
from layers.settings import REPO_ROOT
from tests.conftest import make_settings, own_database
from tests.print_sheets import district_sheet, frame_rect, overlapping, spans
from web.symbology import SYMBOLOGY

CODES = (899, 900, 902, 903, 904, 905, 906, 907, 908, 909, 910, 911, 912, 913, 914)
A_POINTS = {"A4": (595, 842), "A3": (842, 1191)}
MM_PT = 72 / 25.4
SPATIALITE = pytest.mark.parametrize("backend", ["spatialite"], indirect=True)


def _sheet_path(sheet_dir: Path, gso: int | None) -> Path:
    return district_sheet(sheet_dir, gso)


def keywords(reader: PdfReader) -> dict[str, str]:
    """The frame's place on paper and ground extent, which the sheet records in the PDF's Keywords."""
    return dict(part.split("=", 1) for part in reader.metadata["/Keywords"].split("; "))


def easting_ticks(page) -> dict[int, float]:
    """Bottom grid labels: easting (m) -> x on the page (pt), read from the text drawn in the PDF."""
    ticks: dict[int, float] = {}

    def visit(text, cm, tm, _font, _size):
        if re.fullmatch(r"\d{3}[.,]\d{3}", text.strip()):
            ticks.setdefault(int(re.sub(r"\D", "", text)), cm[4] + tm[4])

    page.extract_text(visitor_text=visit)
    return ticks


def listed(line: str, title: str) -> bool:
    """A legend entry of layer ``title``: alone, with a shape "(vùng)" or with a kind "Hạ tầng: …"."""
    return line == title or line.startswith((title + " (", title + ": "))


def expected_tasks(session: Session, gso: int | None) -> set[str]:
    if gso is None:
        return set(session.scalars(select(Task.id)))
    return set(session.scalars(select(TaskDistrict.task_id).where(TaskDistrict.gso_code == gso)))


@SPATIALITE
@pytest.mark.parametrize("gso", [*CODES, None])
def test_every_sheet(sheet_dir, engine, gso):
    reader = PdfReader(_sheet_path(sheet_dir, gso))
    first = reader.pages[0]
    size = sorted((round(float(first.mediabox.width)), round(float(first.mediabox.height))))
    assert tuple(size) == A_POINTS["A3"]
    text = first.extract_text()
    rest = "\n".join(p.extract_text() for p in reader.pages[1:])
    lines = set(text.splitlines())
    with Session(engine) as session:
        district = session.get(District, gso) if gso else None
        name = district.short_name if district else "Kiên Giang"
        assert name in reader.metadata["/Title"] and name in text and name in rest
        assert "Chú giải" in text and "EPSG:9207" in text and "01/7/2025" in text
        linked = session.scalars(
            select(Feature.layer).join(FeatureDistrict).where(FeatureDistrict.gso_code == gso)
        )
        drawn_layers = set(linked) if gso else set(session.scalars(select(Feature.layer)))
        for layer in drawn_layers:
            title = layer_title(layer, "vi")
            assert any(listed(line, title) for line in lines), (gso, title)
        missing = [t for t in expected_tasks(session, gso) if t not in rest]
        assert not missing, f"tasks missing from sheet {gso}: {missing}"
        assert "Sử dụng đất trong" not in rest  # no land-use layer imported in this database: no table


@SPATIALITE
@pytest.mark.parametrize("gso", [907, 911, None])
def test_legend_lists_only_what_is_drawn(sheet_dir, engine, gso):
    reader = PdfReader(_sheet_path(sheet_dir, gso))
    lines = set(reader.pages[0].extract_text().splitlines())
    x0, y0, x1, y1 = map(float, keywords(reader)["extent_m"].split(","))
    from geoalchemy2.shape import to_shape
    from shapely.geometry import box

    window = box(x0, y0, x1, y1)
    with Session(engine) as session:
        in_frame = {
            f.layer
            for f in session.scalars(select(Feature))
            if reproject(to_shape(f.geom), STORAGE_SRID, VN2000_TM3).intersects(window)
        }
    for layer in LAYER_ORDER:
        title = layer_title(layer, "vi")
        assert any(listed(line, title) for line in lines) == (layer in in_frame), (gso, layer)


@SPATIALITE
@pytest.mark.parametrize("gso", [907, 911, None])
def test_map_is_true_to_scale(sheet_dir, gso):
    reader = PdfReader(_sheet_path(sheet_dir, gso))
    kw = keywords(reader)
    n = int(kw["scale"].split(":")[1])
    assert re.fullmatch(r"(1|15|2|25|3|5|75)0*", str(n)), f"1:{n} is not a round scale"
    assert f"1:{n:,}".replace(",", ".") in reader.pages[0].extract_text()
    # From the recorded frame: its width on paper (cm) against its ground extent (m).
    _, _, fw, fh = map(float, kw["frame_mm"].split(","))
    ex0, ey0, ex1, ey1 = map(float, kw["extent_m"].split(","))
    assert (ex1 - ex0) / (fw / 10) == pytest.approx(n / 100, rel=0.005)
    assert (ey1 - ey0) / (fh / 10) == pytest.approx(n / 100, rel=0.005)
    # Independently, from where the grid labels were drawn: ground metres per centimetre of paper.
    ticks = easting_ticks(reader.pages[0])
    lo, hi = min(ticks), max(ticks)
    cm_on_paper = (ticks[hi] - ticks[lo]) / 72 * 2.54
    assert (hi - lo) / cm_on_paper == pytest.approx(n / 100, rel=0.005)


def _frame_pixels(pdf: Path, tmp_path: Path, dpi: int = 40) -> tuple[Image.Image, tuple[int, int, int, int]]:
    reader = PdfReader(pdf)
    fx, fy, fw, fh = map(float, keywords(reader)["frame_mm"].split(","))
    subprocess.run(
        [
            "pdftoppm",
            "-f",
            "1",
            "-l",
            "1",
            "-r",
            str(dpi),
            "-png",
            "-singlefile",
            str(pdf),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    image = Image.open(tmp_path / "page.png").convert("RGB")
    px = dpi / 25.4
    height = image.height
    return image, (
        round(fx * px) + 2,
        height - round((fy + fh) * px) + 2,
        round((fx + fw) * px) - 2,
        height - round(fy * px) - 2,
    )


@SPATIALITE
@pytest.mark.parametrize("gso", [*CODES, None])
def test_map_frame_is_not_empty(sheet_dir, tmp_path, gso):
    image, frame = _frame_pixels(_sheet_path(sheet_dir, gso), tmp_path)
    crop = image.crop(frame)
    colours = crop.getcolors(maxcolors=crop.width * crop.height)
    sea, white = (0xE3, 0xEF, 0xF7), (255, 255, 255)
    drawn = sum(n for n, p in colours if max(abs(a - b) for a, b in zip(p, sea)) > 12 and p != white)
    assert drawn / (crop.width * crop.height) > 0.03  # Phú Quốc, islands in the sea, is the emptiest: ~7 %
    assert len(colours) > 20  # boundaries, fills, symbols and text, not a flat colour


@SPATIALITE
def test_readme_image_of_go_quao(sheet_dir, tmp_path):
    target = REPO_ROOT / "test-artifacts" / "sheet-907.png"
    target.parent.mkdir(exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-f",
            "1",
            "-l",
            "1",
            "-r",
            "60",
            "-png",
            "-singlefile",
            str(_sheet_path(sheet_dir, 907)),
            str(target.with_suffix("")),
        ],
        check=True,
    )
    assert Image.open(target).size[0] > 600


def test_district_sheet_over_http(client):
    r = client.get("/print/district/907.pdf", params={"size": "A4", "lang": "en"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(r.content))
    page = reader.pages[0]
    assert (
        tuple(sorted((round(float(page.mediabox.width)), round(float(page.mediabox.height)))))
        == A_POINTS["A4"]
    )
    text = page.extract_text()
    assert "Gò Quao District (former)" in text and "Legend" in text and "Scale 1:" in text
    assert "Industrial clusters" in text
    with pymupdf.open(stream=r.content, filetype="pdf") as doc:
        labels = spans(doc[0], frame_rect(doc))
    assert len(labels) >= 10 and not overlapping(labels)  # English names on A4 paper: still apart
    again = client.get("/print/district/907.pdf", params={"size": "A4", "lang": "en"})
    assert again.headers["x-sheet-cache"] == "hit" and again.content == r.content
    same = client.get(
        "/print/district/907.pdf",
        params={"size": "A4", "lang": "en"},
        headers={"If-None-Match": r.headers["etag"]},
    )
    assert same.status_code == 304


def test_province_sheet_over_http(client):
    r = client.get("/print/province.png", params={"size": "A4"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(r.content)).size[0] > 1000


@pytest.mark.parametrize(
    "url,status,word",
    [
        ("/print/district/999.pdf", 404, "999"),
        ("/print/district/abc.pdf", 400, "gso_code"),
        ("/print/district/907.pdf?size=A5", 400, "size"),
        ("/print/district/907.pdf?lang=fr", 400, "lang"),
    ],
)
def test_bad_requests(client, url, status, word):
    r = client.get(url)
    assert r.status_code == status and word in r.json()["description"]


@SPATIALITE
def test_cache_key_follows_progress(engine):
    today = dt.date(2026, 1, 1)
    with Session(engine) as session:
        go_quao = Target.district(907)
        before = cache_key(session, go_quao, "A3", "vi", "pdf", today)
        assert cache_key(session, go_quao, "A3", "en", "pdf", today) != before
        assert cache_key(session, go_quao, "A3", "vi", "pdf", today + dt.timedelta(days=1)) != before
        assert cache_key(session, Target.commune("30952"), "A3", "vi", "pdf", today) != before
        task = session.scalars(select(Task)).first()
        session.add(
            ProgressReport(
                task_id=task.id,
                reported_on=today,
                status="in_progress",
                percent=10,
                agency_id=task.lead_id,
                author="test",
                review="accepted",
                created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            )
        )
        progress.after_write(session, [task.id])  # as every write does: the data version moves on
        assert cache_key(session, go_quao, "A3", "vi", "pdf", today) != before
        session.rollback()
        assert cache_key(session, go_quao, "A3", "vi", "pdf", today) == before


@SPATIALITE
def test_cli_single_png_and_errors(settings, cache_dir, tmp_path, monkeypatch, capsys):
    import typer

    monkeypatch.setattr(
        "layers.settings.get_settings", lambda: make_settings(settings.database_url, cache_dir)
    )
    out = tmp_path / "go-quao.png"
    print_command(district=907, size="A4", lang="en", png=True, output=out)
    image = Image.open(out).convert("RGB")
    assert sorted(image.size) == pytest.approx([210 / 25.4 * 150, 297 / 25.4 * 150], abs=1)  # A4 at 150 dpi
    sea = tuple(int(SYMBOLOGY["base"]["sea"][i:i + 2], 16) for i in (1, 3, 5))
    colours = dict((c, n) for n, c in image.getcolors(maxcolors=image.width * image.height))
    assert colours.get(sea, 0) > 0.01 * image.width * image.height  # the map frame is drawn, not a blank page
    with pytest.raises(typer.Exit):
        print_command(district=999, output=tmp_path / "x.pdf")
    with pytest.raises(typer.Exit):
        print_command(district=907, all_=True, output=tmp_path)
    assert shutil.which("pdftoppm")


# -- land use inside the parks, clusters and zones (issue 12), on a database of this module's own ----------------

CELL_DEG = 0.001  # about 110 m
# Codes with different weights, so that their hectares inside the park differ: four named, two summed as the rest.
WEIGHTED_CODES = ["LUA"] * 6 + ["CLN"] * 4 + ["NTS"] * 3 + ["ONT"] * 2 + ["LUK", "RSX"]
PARK = "kcn-thanh-loc"


@pytest.fixture(scope="module")
def landuse_site(backend, fresh_database, cache_dir, tmp_path_factory):
    """A database with a land-use layer imported by ``planmap import`` from a GeoPackage written here: a grid of
    parcels over KCN Thạnh Lộc; returns (settings, layer id, the park's former district, its 2025 unit)."""
    own = own_database(backend, fresh_database, cache_dir)
    engine = make_engine(own.database_url)
    with Session(engine) as session:
        park = to_shape(session.get(Feature, PARK).geom)
        (gso,) = session.scalars(select(FeatureDistrict.gso_code).where(FeatureDistrict.feature_id == PARK))
        centre = park.representative_point()
        unit = next(c.code for c in session.scalars(select(Commune2025)) if to_shape(c.geom).contains(centre))
    engine.dispose()
    x0, y0, x1, y1 = park.bounds
    cells = [box(x, y, x + CELL_DEG, y + CELL_DEG)
             for x in (x0 - CELL_DEG + i * CELL_DEG for i in range(int((x1 - x0) / CELL_DEG) + 3))
             for y in (y0 - CELL_DEG + j * CELL_DEG for j in range(int((y1 - y0) / CELL_DEG) + 3))]
    codes = [WEIGHTED_CODES[i % len(WEIGHTED_CODES)] for i in range(len(cells))]
    path = tmp_path_factory.mktemp("landuse") / "hien_trang.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"ma_dat": codes}, geometry=cells, crs=4326), path, driver="GPKG")
    done = CliRunner().invoke(cli, ["import", str(path), "--layer", "hien_trang_thu", "--title", "Hiện trạng thử",
                                    "--database-url", own.database_url])
    assert done.exit_code == 0, done.output
    return own, "hien_trang_thu", gso, unit


def _landuse_row(pdf: bytes, name: str) -> list[str]:
    """The cells of ``name``'s row in the sheet's land-use table, left to right, as a PDF reader reads them."""
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        for page in doc:
            found = spans(page)
            title = next((s for s in found if s.text.startswith("Sử dụng đất trong")), None)
            if title is None:
                continue
            first = next(s for s in found if s.text == name and s.box.y0 > title.box.y0)
            row = [s for s in found if abs(s.box.y0 - first.box.y0) < 1 and s.box.x0 >= first.box.x0]
            return [s.text for s in sorted(row, key=lambda s: s.box.x0)]
    raise AssertionError("no land-use table on the sheet")


def _vi(value: float) -> str:
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def test_land_use_inside_the_park_is_printed_as_the_api_says(landuse_site):
    """The district sheet and the 2025 unit's sheet print, for the park, the hectares of its largest land-use
    codes and the rest summed: the figures of /api/stats/landuse/{layer}/overlay."""
    own, layer, gso, unit = landuse_site
    c = TestClient(create_app(own), base_url="http://testserver")  # no lifespan: sheets drawn in this process
    api = c.get(f"/api/stats/landuse/{layer}/overlay", params={"feature": PARK}).json()
    ranked = sorted(api, key=lambda r: -r["hectares"])
    assert [r["code"] for r in ranked] == ["LUA", "CLN", "NTS", "ONT", "LUK", "RSX"]
    rest = ranked[4:]
    expected = [_vi(sum(r["hectares"] for r in api)), *(f"{r['code']} {_vi(r['hectares'])}" for r in ranked[:4]),
                f"{len(rest)} mã: {_vi(sum(r['hectares'] for r in rest))}"]
    for url in (f"/print/district/{gso}.pdf", f"/print/commune/{unit}.pdf"):
        r = c.get(url)
        assert r.status_code == 200
        assert _landuse_row(r.content, "KCN Thạnh Lộc") == ["KCN Thạnh Lộc", *expected], url
