"""Expected values read from the reference material itself (plan documents, facts sheet), never typed in.

Tests compare the service with what the documents say, so a dropped task or a wrong area is caught.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

from layers.settings import REPO_ROOT
from layers.text import fold

SHARED = REPO_ROOT.parent / "shared"
PLAN_2024 = SHARED / "seeds" / "000_611cdcc4601a164a.txt"
PLAN_2022 = SHARED / "seeds" / "001_d4ae23cc4717a86d.txt"
FACTS = SHARED / "facts" / "kiengiang-facts.md"
QUARTER_END = {"I": (3, 31), "II": (6, 30), "III": (9, 30), "IV": (12, 31)}


@lru_cache
def official_areas_km2() -> dict[str, list[float]]:
    """Facts sheet §7: folded unit name (without TP prefix) -> the official areas it gives, in km²."""
    text = FACTS.read_text(encoding="utf-8")
    section = text.split("## 7.", 1)[1].split("## 8.", 1)[0]
    areas = {}
    for row in section.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) < 2 or not re.match(r"^[\d,.]+", cells[1]):
            continue
        name = re.sub(r"^TP\s*", "", cells[0].replace("*", "")).strip()
        numbers = [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", cells[1])]
        areas[fold(name)] = [n for n in numbers if not (1990 <= n <= 2030 and n.is_integer())]
    return areas


def _items_2022() -> list[tuple[str, str, str]]:
    """(section "II.N", item letter, item text) for every item of part II of the 2022 plan."""
    text = PLAN_2022.read_text(encoding="utf-8")
    part2 = text.split("**II. NỘI DUNG THỰC HIỆN**", 1)[1].split("III. TỔ CHỨC THỰC HIỆN", 1)[0]
    items, section = [], None
    for line in part2.splitlines():
        head = re.match(r"^[#\s]*\**\s*(\d)\.\s", line)
        if head:
            section = f"II.{head.group(1)}"
            continue
        item = re.match(r"^([a-zđ])\)\s+(.*)", line.strip())
        if item and section:
            items.append((section, item.group(1), item.group(2)))
    return items


@lru_cache
def deadlines_2022() -> dict[tuple[str, str], list[dt.date]]:
    """(section, item) -> every deadline the 2022 plan gives for that item, in order (may be empty)."""
    out = {}
    for section, letter, body in _items_2022():
        dates = []
        for kind, num in re.findall(r"(quý|tháng)\s+([IV]+|\d+)/2022", body):
            if kind == "quý":
                dates.append(dt.date(2022, *QUARTER_END[num]))
            else:
                month = int(num)
                dates.append(dt.date(2022, month + 1, 1) - dt.timedelta(days=1))
        out[(section, letter)] = dates
    return out


@lru_cache
def footnote(doc: Path, number: int) -> str:
    """The text of footnote ``number`` (``<sup>N</sup> text`` at the start of a line)."""
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"<sup>{number}</sup>"):
            return line.split("</sup>", 1)[1].strip()
    raise KeyError(number)


def park_names() -> list[str]:
    """The five industrial parks of footnote 1 of the 2024 plan."""
    return [n.strip().removeprefix("KCN ").rstrip(".") for n in re.split(r",| và ", footnote(PLAN_2024, 1))]


def raw_material_names() -> list[str]:
    """The districts/cities of footnote 2 of the 2024 plan."""
    body = footnote(PLAN_2024, 2).removeprefix("Tại các huyện:").strip().rstrip(".")
    return [n.strip().removeprefix("thành phố ").strip() for n in re.split(r",| và ", body) if n.strip()]


def growth_pole_names() -> list[str]:
    """The three growth poles named in 2024 plan §III.3.a."""
    match = re.search(r"03 cực tăng trưởng \(([^)]*)\)", PLAN_2024.read_text(encoding="utf-8"))
    return [n.strip() for n in re.split(r",| và ", match.group(1))]


@lru_cache
def blocks_2024() -> list[tuple[str, str, str]]:
    """(section "III.N", block letter, lead clause) for each lettered block of 2024 plan §III.1–III.10."""
    text = PLAN_2024.read_text(encoding="utf-8")
    part3 = text.split("III. NHIỆM VỤ, GIẢI PHÁP THỰC HIỆN", 1)[1].split("III. TỔ CHỨC THỰC HIỆN", 1)[0]
    blocks, section = [], None
    for line in part3.splitlines():
        head = re.match(r"^[#\s]*\**\s*(\d{1,2})\.\s", line)
        if head:
            section = f"III.{head.group(1)}"
            continue
        block = re.match(r"^\*([a-zđ])\)\s+(.*?)\*?$", line.strip())
        if block and section:
            blocks.append((section, block.group(1), block.group(2)))
    return blocks
