"""``import_file``: one file -> one table named after the layer id, in one transaction, streamed in batches."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
from sqlalchemy import Engine

from layers.imports import landuse, legacy_text
from layers.imports.reader import GDAL_ERRORS, Source, SourceError, open_source, stream
from layers.imports.shapes import GeometryCheck, declared_family
from layers.imports.tables import Column, LayerIdError, check_layer_id, columns_of, default_layer_id
from layers.imports.writers import TableClash, TableSpec, writer_for

MAX_PROBLEMS_SHOWN = 50


class ImportFailure(Exception):
    """Nothing was imported; ``problems`` says why (with row numbers where rows are at fault)."""

    def __init__(self, problems: list[str]):
        shown = problems[:MAX_PROBLEMS_SHOWN]
        if len(problems) > len(shown):
            shown.append(f"… and {len(problems) - len(shown)} more")
        super().__init__("; ".join(shown))
        self.problems = shown


@dataclass
class ImportOptions:
    layer: str | None = None  # default: from the file name
    title: str | None = None
    crs: str | None = None  # overrides the file's CRS, e.g. "EPSG:9207"
    encoding: str | None = None  # tcvn3 | vni | cp1258 | utf-8 …; default: recognised
    replace: bool = False
    landuse_field: str | None = None  # default: recognised from the values
    source_layer: str | None = None  # for files holding several layers
    actor: str = "cli"


@dataclass
class ImportResult:
    layer: str
    title: str
    rows: int
    geometry_type: str
    seconds: float
    source_crs: str
    text_encoding: str
    landuse_field: str | None
    bbox: list[float] | None
    repaired: list[str] = field(default_factory=list)
    unknown_codes: list[str] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float(self.rows)


Progress = Callable[[int, int | None], None]  # (rows done, rows expected or None)


def _text_columns(batch: pa.RecordBatch, columns: list[Column], encoding: str) -> list[list]:
    """The batch's field values as Python lists; text decoded to Unicode NFC."""
    decode = legacy_text.decoder(encoding)
    out = []
    for col in columns:
        array = batch.column(col.name)
        values = array.to_pylist()
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            values = [v if v is None or v.isascii() and "\x00" not in v else decode(v.replace("\x00", ""))
                      for v in values]
        out.append(values)
    return out


def _landuse_field(wanted: str | None, columns: list[Column], first: list[list]) -> Column | None:
    """The column of land-use codes: the one named (by file or column name), or the one recognised."""
    if wanted is not None:
        match = [c for c in columns if wanted in (c.name, c.column)]
        if not match:
            raise ImportFailure([f"--landuse-field {wanted!r}: no such field; fields: "
                                 + ", ".join(c.name for c in columns)])
        return match[0]
    picked = landuse.pick_field({c.name: values for c, values in zip(columns, first)})
    return next((c for c in columns if c.name == picked), None)


@dataclass
class _Run:
    layer: str
    source: Source
    options: ImportOptions
    columns: list[Column]
    geometry: GeometryCheck
    writer: object
    landuse_column: Column | None = None
    tally: landuse.CodeTally = field(default_factory=landuse.CodeTally)
    rows: int = 0

    def batch(self, batch: pa.RecordBatch, geometry_column: str, fid_column: str | None) -> None:
        values = _text_columns(batch, self.columns, self.source.encoding)
        if self.rows == 0:
            self.landuse_column = _landuse_field(self.options.landuse_field, self.columns, values)
        if self.landuse_column is not None:
            self.tally.add(values[self.columns.index(self.landuse_column)], self.rows + 1)
        geoms = self.geometry.check(batch.column(geometry_column).to_pylist(), self.rows + 1)
        if geoms is not None:  # after the first rejected row nothing more is written, only checked
            if self.writer.spec is None:  # the geometry type is known once a geometry was seen
                self.writer.create(TableSpec(self.layer, self.columns, self.geometry.geometry_type))
            fids = (batch.column(fid_column).to_pylist() if fid_column
                    else list(range(self.rows + 1, self.rows + 1 + batch.num_rows)))
            self.writer.write(fids, values, self.writer.encode(geoms))
        self.rows += batch.num_rows


def _registry_row(run: _Run, layer: str, title: str) -> dict:
    bounds = run.geometry.bounds
    return {
        "id": layer, "title": title, "source_name": run.source.name, "geometry_type": run.geometry.geometry_type,
        "fields": [{"name": c.name, "column": c.column, "type": c.type} for c in run.columns],
        "row_count": run.rows, "bbox": [round(float(v), 7) for v in bounds] if np.isfinite(bounds).all() else None,
        "landuse_field": run.landuse_column.column if run.landuse_column else None,
        "source_crs": f"EPSG:{run.source.crs_epsg}", "text_encoding": run.source.encoding,
        "imported_at": dt.datetime.now(dt.timezone.utc), "imported_by": run.options.actor,
    }


def _open(path: Path, options: ImportOptions) -> tuple[str, Source]:
    try:
        source = open_source(path, options.crs, options.encoding, options.source_layer)
        named_after = Path(source.path).stem if path.is_dir() else path.stem  # a folder: its layer file
        layer = check_layer_id(options.layer or default_layer_id(named_after))
    except (LayerIdError, SourceError, ValueError) as exc:
        raise ImportFailure([str(exc)]) from exc
    return layer, source


def import_file(engine: Engine, path: Path, options: ImportOptions, progress: Progress | None = None
                ) -> ImportResult:
    """Import one layer file into its own table; ImportFailure (and nothing written) if anything is wrong."""
    started = time.perf_counter()
    layer, source = _open(Path(path), options)
    title = options.title or source.layer
    writer = writer_for(engine)
    try:
        with stream(source) as data:
            columns = columns_of(pa.schema([f for f in data.schema if f.name != data.fid_column]),
                                 data.geometry_column)
            check = GeometryCheck(source.crs_epsg, declared_family(source.geometry_type))
            run = _Run(layer, source, options, columns, check, writer)
            writer.open(layer, options.replace)
            for batch in data.batches:
                run.batch(batch, data.geometry_column, data.fid_column)
                if progress:
                    progress(run.rows, source.features)
        if check.problems or run.rows == 0:
            raise ImportFailure(check.problems or [f"{source.name}: the layer has no features"])
        registry_row = _registry_row(run, layer, title)
        writer.finish(registry_row)
    except (TableClash, *GDAL_ERRORS, *writer.data_errors) as exc:
        writer.abort()
        raise ImportFailure([f"{source.name}: {exc}"]) from exc
    except BaseException:
        writer.abort()
        raise
    return ImportResult(layer, title, run.rows, check.geometry_type, time.perf_counter() - started,
                        f"EPSG:{source.crs_epsg}", source.encoding,
                        run.landuse_column.column if run.landuse_column else None,
                        registry_row["bbox"], check.repaired, run.tally.unknown_report())
