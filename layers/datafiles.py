"""Reading the authored YAML in ``data/`` with line numbers, and checking each record's shape.

Errors come back as ``file:line: message`` so that an author finds the line at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Lon = float
LonLat = tuple[Lon, float]


@dataclass
class Record:
    """One mapping of a YAML list, where it stands, and the line of each of its keys."""

    data: dict[str, Any]
    path: Path
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)

    def where(self, key: str | None = None) -> str:
        return f"{self.path}:{self.key_lines.get(key, self.line) if key else self.line}"


class DataError(Exception):
    """One or more ``file:line: message`` problems in ``data/``."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def read_records(path: Path) -> list[Record]:
    """The list of mappings in a YAML file, each with its line numbers (1-based)."""
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except UnicodeDecodeError as exc:
        raise DataError([f"{path}:1: not UTF-8 ({exc.reason})"]) from exc
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise DataError([f"{path}:{line}: YAML syntax: {exc.problem}"]) from exc
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise DataError([f"{path}:{root.start_mark.line + 1}: expected a list of records"])
    constructor = yaml.SafeLoader(text)
    records = []
    for node in root.value:
        if not isinstance(node, yaml.MappingNode):
            raise DataError([f"{path}:{node.start_mark.line + 1}: expected a mapping (key: value)"])
        data = constructor.construct_document(node)
        key_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
        records.append(Record(data, path, node.start_mark.line + 1, key_lines))
    return records


Precision = Literal["surveyed", "indicative", "schematic"]
Status = Literal["planned", "under_construction", "operating", "proposed", "unknown", "done"]
Kind = Literal[
    "industrial_park", "industrial_cluster", "economic_zone", "growth_pole", "sub_region", "expressway",
    "national_road", "road", "power_grid", "renewable_energy", "sea_dike", "embankment", "airport",
    "research_centre", "tourism_access", "park_infrastructure", "port", "logistics", "urban",
]


class Footprint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    center: LonLat
    area_ha: float = Field(gt=0)


class GeometrySpec(BaseModel):
    """Exactly one of the geometry forms described in data/README.md."""

    model_config = ConfigDict(extra="forbid")
    point: LonLat | None = None
    line: list[LonLat] | None = Field(default=None, min_length=2)
    footprint: Footprint | None = None
    district_point: int | None = None
    districts: list[int] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def exactly_one(self) -> GeometrySpec:
        given = [k for k, v in self.__dict__.items() if v is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of point, line, footprint, district_point, districts (got {given})")
        return self

    @property
    def form(self) -> str:
        return next(k for k, v in self.__dict__.items() if v is not None)


class FeatureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=96)
    name: str = Field(min_length=1)
    name_en: str | None = None
    kind: Kind
    districts: list[int] = Field(min_length=1)
    planned_area_ha: float | None = Field(default=None, gt=0)
    area_note: str | None = None
    occupancy_pct: float | None = Field(default=None, ge=0, le=100)
    occupancy_note: str | None = None
    phase: str | None = None
    plan_period: str | None = None
    status: Status = "unknown"
    source: str = Field(min_length=3)
    geometry: GeometrySpec
    geometry_precision: Precision
    location_note: str = Field(min_length=3)
    location_note_vi: str = Field(min_length=3)
    properties: dict[str, str | int | float | bool | None | list] = Field(default_factory=dict)


class AgencyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    name_en: str | None = None
    kind: Literal["department", "board", "district_committee", "provincial", "central", "other"]
    district: int | None = None
    source: str = Field(min_length=3)


class DeadlinePart(BaseModel):
    """One dated part of an item that sets several deadlines (2022-II.1.đ: three parts, three quarters)."""

    model_config = ConfigDict(extra="forbid")
    date: dt.date
    text: str = Field(min_length=3)
    text_en: str = Field(min_length=3)


TASK_ID = r"^[A-Za-z0-9][A-Za-z0-9.\-_]*$"


class TaskIn(BaseModel):
    """One item of a plan document; ``deadline`` is the latest of its ``deadlines`` when it has several."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=TASK_ID, max_length=64)
    plan: str
    section: str
    item: str | None = None
    bullet: int | None = None
    leads: list[str] = Field(min_length=1)
    partners: list[str] = Field(default_factory=list)
    former_ids: list[Annotated[str, Field(pattern=TASK_ID, max_length=64)]] = Field(default_factory=list)
    deadline: dt.date | None = None
    deadline_text: str | None = Field(default=None, max_length=128)
    deadline_text_en: str | None = Field(default=None, max_length=128)
    deadlines: list[DeadlinePart] = Field(default_factory=list)
    reporting: str | None = None
    text: str = Field(min_length=3)
    summary_en: str | None = None
    features: list[str] = Field(default_factory=list)
    districts: list[int] = Field(default_factory=list)
    source: str = Field(min_length=3)


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    name_en: str | None = None
    unit: str | None = None
    comparator: Literal["=", ">=", ">", "<=", "<", "range", "about"]
    value: float | None = None
    value_min: float | None = None
    value_max: float | None = None
    year: int
    source: str = Field(min_length=3)


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    file: str
    number: str | None = None
    title: str
    title_en: str | None = None
    date: str | None = None
    issuer: str | None = None


class RawMaterialIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    gso: int
    name: str
    source: str = Field(min_length=3)


def parse(records: list[Record], model: type[BaseModel]) -> tuple[list[tuple[Record, Any]], list[str]]:
    """Check each record against ``model``; return the parsed ones and ``file:line`` errors."""
    parsed, errors = [], []
    for rec in records:
        try:
            parsed.append((rec, model.model_validate(rec.data)))
        except ValidationError as exc:
            for err in exc.errors():
                key = str(err["loc"][0]) if err["loc"] else None
                where = ".".join(str(p) for p in err["loc"]) or "record"
                errors.append(f"{rec.where(key)}: {where}: {err['msg']}")
    return parsed, errors
