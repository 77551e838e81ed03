"""National land-use codes (``data/landuse_codes.yaml``): lookup, the field that holds them, unknown values.

>>> codes()["LUC"].parent
'LUA'
>>> normalize_code(" luc ")
'LUC'
>>> pick_field({"name": ["a", "b"], "mdsd": ["LUC", "ONT"]})
'mdsd'
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from layers.settings import get_settings

CODES_FILE = "landuse_codes.yaml"  # in the data directory (PLANMAP_DATA_DIR), beside the plan
DETECT_SHARE = 0.8  # a field is the land-use field when this share of its non-empty values are known codes


@dataclass(frozen=True)
class LandUseCode:
    code: str
    vi: str
    en: str
    group: str  # NNP | PNN | CSD
    status: str  # current | legacy | aggregate
    parent: str | None
    colour: str | None  # "#rrggbb"
    colour_verified: bool


def codes(path: Path | None = None) -> dict[str, LandUseCode]:
    """Every code of the file (default: the data directory's), by code."""
    return _read_codes(path or get_settings().data_dir / CODES_FILE)


@lru_cache(maxsize=4)
def _read_codes(path: Path) -> dict[str, LandUseCode]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = {}
    for code, row in data["codes"].items():
        if row["group"] not in data["groups"]:
            raise ValueError(f"{path}: code {code}: unknown group {row['group']!r}")
        out[code] = LandUseCode(code, row["vi"], row["en"], row["group"], row["status"], row.get("parent"),
                                row.get("colour"), bool(row.get("colour_verified")))
    return out


def normalize_code(value: object) -> str | None:
    """The code a value names (trimmed, upper case), or None for an empty value."""
    if value is None:
        return None
    text = str(value).strip().upper()
    return text or None


def is_known(value: object) -> bool:
    code = normalize_code(value)
    return code is not None and code in codes()


def pick_field(samples: dict[str, list]) -> str | None:
    """The text field whose non-empty values are mostly (≥ 80 %) known codes, the best such field first."""
    best, best_share = None, 0.0
    for name, values in samples.items():
        present = [v for v in values if normalize_code(v) is not None]
        if not present or not all(isinstance(v, str) for v in present):
            continue
        share = sum(is_known(v) for v in present) / len(present)
        if share >= DETECT_SHARE and share > best_share:
            best, best_share = name, share
    return best


class CodeTally:
    """Counts the values of the land-use field; unknown values are kept (not dropped) and reported."""

    def __init__(self) -> None:
        self.known: Counter[str] = Counter()
        self.unknown: Counter[str] = Counter()
        self.first_row: dict[str, int] = {}

    def add(self, values: list, first_row: int) -> None:
        for offset, value in enumerate(values):
            code = normalize_code(value)
            if code is None:
                continue
            if code in codes():
                self.known[code] += 1
            else:
                self.unknown[code] += 1
                self.first_row.setdefault(code, first_row + offset)

    def unknown_report(self) -> list[str]:
        """``'XYZ' (3 rows, first row 17)`` for each unknown value, most frequent first."""
        return [f"{code!r} ({n} rows, first row {self.first_row[code]})" for code, n in self.unknown.most_common()]
