"""Open a file to import (GeoPackage, Shapefile zip or folder, GeoJSON, FlatGeobuf, KML, CSV with WKT) and
stream it in Arrow batches through pyogrio/GDAL: never the whole file in memory.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyogrio
from pyproj import CRS

from layers.imports import legacy_text

BATCH_ROWS = 20_000
SAMPLE_ROWS = 5_000  # rows read (text fields only) to recognise the text encoding
SUFFIXES = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".geojson": "GeoJSON", ".json": "GeoJSON",
            ".fgb": "FlatGeobuf", ".kml": "KML", ".csv": "CSV"}
# CSV: the geometry as WKT in a column of one of these names; types guessed from the values.
CSV_OPTIONS = {"GEOM_POSSIBLE_NAMES": "wkt,WKT,geom,geometry,the_geom", "KEEP_GEOM_COLUMNS": "NO",
               "AUTODETECT_TYPE": "YES"}


GDAL_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
               pyogrio.errors.GeometryError, pyogrio.errors.CRSError)


class SourceError(ValueError):
    """The file cannot be read as a layer (format, layer choice, CRS): the message says what to do."""


@dataclass
class Source:
    """One layer of one file, ready to stream."""

    path: str  # what GDAL opens (may be /vsizip/…)
    name: str  # the file name the user gave
    driver: str
    layer: str
    crs_epsg: int
    features: int | None  # None when GDAL cannot count cheaply
    geometry_type: str  # as GDAL declares it, e.g. "Polygon", "Unknown"
    encoding: str  # legacy_text encoding applied to text fields ("as-is" when GDAL's text is right)
    read_encoding: str | None  # passed to GDAL: "ISO-8859-1" reads DBF bytes unchanged
    options: dict = field(default_factory=dict)


def _dataset_in(path: Path) -> str:
    """The dataset GDAL should open for ``path`` (a zip or folder holding one shapefile or one file)."""
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
        if len(found) != 1:
            names = ", ".join(p.name for p in found) or "none"
            raise SourceError(f"{path.name}: a folder must hold exactly one layer file, found: {names}")
        return str(found[0])
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                inner = sorted(n for n in archive.namelist() if Path(n).suffix.lower() in SUFFIXES
                               and not Path(n).name.startswith("."))
        except zipfile.BadZipFile as exc:
            raise SourceError(f"{path.name}: not a zip file ({exc})") from exc
        if len(inner) != 1:
            names = ", ".join(inner) or "none"
            raise SourceError(f"{path.name}: a zip must hold exactly one layer file (.shp with its .dbf, .shx, "
                              f".prj, .cpg; or one .gpkg …), found: {names}")
        return f"/vsizip/{path}/{inner[0]}"
    if path.suffix.lower() not in SUFFIXES:
        raise SourceError(f"{path.name}: unknown format; use .gpkg, .shp (or a zip/folder), .geojson, .fgb, "
                          ".kml or .csv with a WKT column")
    return str(path)


def _driver_of(dataset: str) -> str:
    return SUFFIXES[Path(dataset).suffix.lower()]


def _pick_layer(dataset: str, wanted: str | None) -> str:
    names = [str(row[0]) for row in pyogrio.list_layers(dataset)]
    if wanted is not None:
        if wanted not in names:
            raise SourceError(f"no layer {wanted!r} in the file; it has: {', '.join(names)}")
        return wanted
    if len(names) != 1:
        raise SourceError(f"the file has {len(names)} layers ({', '.join(names)}): name one with --source-layer")
    return names[0]


def resolve_crs(declared: str | None, given: str | None) -> int:
    """The EPSG code of the input: ``--crs`` when given, else the file's own (its .prj or metadata)."""
    text = given or declared
    if not text:
        raise SourceError("the file does not say its CRS: give it with --crs (e.g. --crs EPSG:9207)")
    try:
        crs = CRS.from_user_input(text)
    except Exception as exc:  # pyproj raises CRSError, a bare Exception subclass
        raise SourceError(f"CRS {text!r} is not one PROJ knows: {exc}") from exc
    code = crs.to_epsg(min_confidence=70)
    if code is None:
        raise SourceError(f"the file's CRS ({crs.name}) matches no EPSG code: give it with --crs EPSG:n")
    return code


def _text_sample(dataset: str, layer: str, read_encoding: str | None, options: dict) -> list[str]:
    info = pyogrio.read_info(dataset, layer=layer, encoding=read_encoding, **options)
    text_fields = [f for f, t in zip(info["fields"], info["dtypes"]) if t == "object"]
    if not text_fields:
        return []
    _, table = pyogrio.read_arrow(dataset, layer=layer, columns=text_fields, read_geometry=False,
                                  max_features=SAMPLE_ROWS, encoding=read_encoding, **options)
    return [v for column in table.columns for v in column.to_pylist() if isinstance(v, str) and not v.isascii()]


def open_source(path: Path, crs: str | None = None, encoding: str | None = None,
                source_layer: str | None = None) -> Source:
    """Look at ``path``: its layer, CRS, feature count and text encoding (named, or recognised from a sample)."""
    dataset = _dataset_in(path)
    driver = _driver_of(dataset)
    options = CSV_OPTIONS if driver == "CSV" else {}
    try:
        layer = _pick_layer(dataset, source_layer)
        info = pyogrio.read_info(dataset, layer=layer, **options)
    except GDAL_ERRORS as exc:
        raise SourceError(f"{path.name}: GDAL cannot read it: {exc}") from exc
    # A DBF whose encoding GDAL does not know (no .cpg) arrives as ISO 8859-1: one character per byte.
    raw_bytes = driver == "ESRI Shapefile" and (encoding is not None or info["encoding"] in ("ISO-8859-1", None))
    read_encoding = "ISO-8859-1" if raw_bytes else None
    if encoding is not None:
        text_encoding = legacy_text.normalize_encoding(encoding)
    else:
        text_encoding = legacy_text.detect(_text_sample(dataset, layer, read_encoding, options), raw_bytes)
    count = info.get("features")
    return Source(path=dataset, name=path.name, driver=driver, layer=layer, crs_epsg=resolve_crs(info["crs"], crs),
                  features=count if count is not None and count >= 0 else None,
                  geometry_type=info["geometry_type"] or "Unknown", encoding=text_encoding,
                  read_encoding=read_encoding, options=options)


@dataclass
class Stream:
    schema: pa.Schema
    geometry_column: str
    fid_column: str | None  # a GeoPackage's own feature ids, kept as the table's ``fid``
    batches: Iterator[pa.RecordBatch]


@contextmanager
def stream(source: Source) -> Iterator[Stream]:
    """The source's layer in Arrow batches of ``BATCH_ROWS`` rows (geometry as WKB)."""
    keep_fids = source.driver == "GPKG"
    with pyogrio.open_arrow(source.path, layer=source.layer, encoding=source.read_encoding,
                            batch_size=BATCH_ROWS, use_pyarrow=True, return_fids=keep_fids,
                            **source.options) as (meta, reader):
        fid_column = meta["fid_column"] if keep_fids and meta["fid_column"] in reader.schema.names else None
        yield Stream(reader.schema, meta["geometry_name"] or "wkb_geometry", fid_column, iter(reader))
