"""Expected values read from the reference material itself (plan documents, facts sheet), never typed in.

Tests compare the service with what the documents say, so a dropped task or a wrong area is caught.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import takewhile
from pathlib import Path

from layers.settings import REPO_ROOT
from layers.text import fold

SHARED = REPO_ROOT.parent / "shared"
PLAN_2024 = SHARED / "seeds" / "000_611cdcc4601a164a.txt"
PLAN_2022 = SHARED / "seeds" / "001_d4ae23cc4717a86d.txt"
FACTS = SHARED / "facts" / "kiengiang-facts.md"
QUARTER_END = {"I": (3, 31), "II": (6, 30), "III": (9, 30), "IV": (12, 31)}
CLOSING_2024 = "III. TỔ CHỨC THỰC HIỆN"


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


@dataclass
class DocItem:
    """One item of a plan document that gives an agency work: one task each (data/README.md)."""

    section: str            # "III.2", "II.1"; the 2024 closing part: "III. TỔ CHỨC THỰC HIỆN"
    item: str | None        # letter ("đ" as written), or the paragraph number of the 2024 closing part
    bullet: int | None      # position of the bullet (2024) or of the paragraph (2022 §III.1.b) in its item
    text: str               # its words: page-break pieces joined, footnote markers and bold removed
    clause: str = ""        # 2024 part III: the heading of its lettered block ("X chủ trì, phối hợp với …")

    @property
    def key(self) -> tuple[str, str | None, int | None]:
        return self.section, self.item, self.bullet


def _lines(part: str):
    """Non-empty lines without heading marks, footnotes (``<sup>N</sup> …``), footnote markers or bold."""
    for raw in part.splitlines():
        line = raw.strip()
        if line and not re.match(r"^<sup>\d+</sup>", line) and line.strip("#* "):
            yield re.sub(r"<sup>\d+</sup>", "", line).replace("**", "").lstrip("# ").strip()


def _add(items: list[DocItem], own: list[DocItem], new: DocItem) -> None:
    """A paragraph of an item: a second one makes both numbered paragraphs (2022 §III.1.b)."""
    if own and own[-1].bullet is None and new.bullet is None:
        own[-1].bullet, new.bullet = 1, 2
    own.append(new)
    items.append(new)


def _continues(line: str) -> bool:
    """A page break cut the paragraph before: this piece starts in lower case or with a digit."""
    return line[0].islower() or line[0].isdigit()


@lru_cache
def items_2024() -> tuple[DocItem, ...]:
    """Every item of the 2024 plan: bullets, blocks without bullets, lead-ins, paragraphs of the closing part."""
    text = PLAN_2024.read_text(encoding="utf-8")
    part3, closing = text.split("III. NHIỆM VỤ, GIẢI PHÁP THỰC HIỆN", 1)[1].split(CLOSING_2024, 1)
    items: list[DocItem] = []
    section, clause, letter, own = None, "", None, []
    for line in _lines(part3):
        head = re.match(r"^(\d{1,2})\.\s", line)
        block = re.match(r"^\*([a-zđ])\)\s+(.*?):?\*$", line)
        if head:
            section = f"III.{head.group(1)}"
        elif block:
            letter, clause, own = block.group(1), block.group(2), []
        elif line.startswith("- "):
            bullets = sum(1 for i in own if i.bullet)
            _add(items, own, DocItem(section, letter, bullets + 1, line[2:].strip(), clause))
        elif _continues(line):
            own[-1].text += " " + line
        else:  # a block's own paragraph, or the lead-in before its bullets
            _add(items, own, DocItem(section, letter, None, line, clause))
    closing = closing.split("Trên đây là Kế hoạch", 1)[0]
    for line in _lines(closing):
        number = re.match(r"^(\d)\.\s*(.*)", line)
        items.append(DocItem(CLOSING_2024, number.group(1), None, number.group(2)))
    return tuple(items)


@lru_cache
def items_2022() -> tuple[DocItem, ...]:
    """Every item of the 2022 plan: the lettered items of part II, the paragraphs of part III naming an agency."""
    text = PLAN_2022.read_text(encoding="utf-8")
    part2, part3 = text.split("II. NỘI DUNG THỰC HIỆN", 1)[1].split("III. TỔ CHỨC THỰC HIỆN", 1)
    items: list[DocItem] = []
    for prefix, part in (("II", part2), ("III", part3.split("Trên đây là Kế hoạch", 1)[0])):
        section, own = None, []
        for line in _lines(part):
            head = re.match(r"^(\d)\.\s", line)
            lettered = re.match(r"^([a-zđ])\)\s+(.*)", line)
            if head:
                section, own = f"{prefix}.{head.group(1)}", []
            elif lettered:
                own = []
                _add(items, own, DocItem(section, lettered.group(1), None, lettered.group(2)))
            else:
                letter = own[-1].item if own else None
                _add(items, own, DocItem(section, letter, None, line))
    # Part III also says where the money comes from (III.2.a): no agency is given work there.
    return tuple(i for i in items if i.section.startswith("II.") or re.search(r"\bSở\b", i.text))


def deadline_dates_2022(item: DocItem) -> list[dt.date]:
    """Every date an item of the 2022 plan sets, in the document's order: quarters, months, "trước ngày …"."""
    dates = []
    for quarter, month, day in re.findall(r"quý ([IV]+)/2022|tháng (\d+)/2022|trước ngày (\d+/\d+)/2022", item.text):
        if quarter:
            dates.append(dt.date(2022, *QUARTER_END[quarter]))
        elif month:
            dates.append(dt.date(2022, int(month) + 1, 1) - dt.timedelta(days=1))
        else:
            d, m = (int(n) for n in day.split("/"))
            dates.append(dt.date(2022, m, d))
    return dates


def deadline_years_2024(item: DocItem) -> list[int]:
    """Years by which an item of the 2024 plan says to finish ("hoàn thành … đến năm N") or to reach a target."""
    finish = re.findall(r"hoàn thành[^.;]*? đến năm (\d{4})", item.text)
    target = re.findall(r"Ph[âấ]n đ[ầấ]u đến năm (\d{4})", item.text)  # "Phân đầu" is the document's typo
    return [int(y) for y in finish + target]


def lead_clause_2024(item: DocItem) -> str:
    """Who leads a block of 2024 part III, as the heading says: the words before "chủ trì", or the whole list."""
    return item.clause.split(" chủ trì", 1)[0]


def partner_clause(text: str) -> str:
    """The words after "phối hợp (với)" in an assignment, up to its end ("…; hoàn thành …", "… thực hiện.")."""
    match = re.search(r"chủ trì,? phối hợp(?: với)? (.*?)(?:;|\.$|$)", text)
    return match.group(1) if match else ""


def targets_2030_numbers() -> set[float]:
    """The numbers of the 2030 targets in 2024 plan §II.2: percentages, USD, counts of parks and clusters."""
    text = PLAN_2024.read_text(encoding="utf-8")
    part = text.split("2. Các chỉ tiêu cụ thể đến năm 2030", 1)[1].split("3. Tầm nhìn", 1)[0]
    part = re.sub(r"<sup>\d+</sup>", "", part)
    numbers = set()
    for low, high in re.findall(r"(\d+(?:[.,]\d+)?)(?:\s*-\s*(\d+))?\s*(?:%|USD|khu|cụm)", part):
        for n in (low, high):
            if n:  # Vietnamese: "4.985" is 4985, "77,5" is 77.5
                numbers.add(float(n.replace(".", "").replace(",", ".")))
    return numbers


def district_committees_named() -> set[str]:
    """People's Committees of one named district or city in either plan, as "UBND huyện Châu Thành"."""
    found = set()
    for doc in (PLAN_2022, PLAN_2024):
        text = doc.read_text(encoding="utf-8")
        for level, rest in re.findall(r"(?:UBND|Ủy ban nhân dân) (huyện|thành phố|thị xã) ([^,;.:()]+)", text):
            name = list(takewhile(lambda word: word[0].isupper(), rest.split()))
            if name:
                found.add(f"UBND {level} {' '.join(name)}")
    return found


@lru_cache
def epsg_6960_transformer(code: int):
    """pyproj's transformation from WGS 84 lon/lat to EPSG ``code`` through EPSG:6960 (VN-2000 to WGS 84 (2)),
    picked by its EPSG operation code; plain PROJ for CRSs without VN-2000 (3857)."""
    from pyproj import Transformer
    from pyproj.transformer import TransformerGroup

    if code == 3857:
        return Transformer.from_crs(4326, 3857, always_xy=True)
    for t in TransformerGroup(4326, code, always_xy=True).transformers:
        if '"code":6960}' in t.to_json().replace(" ", ""):
            return t
    raise LookupError(f"PROJ offers no EPSG:6960 path to EPSG:{code}")
