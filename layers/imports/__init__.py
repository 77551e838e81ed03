"""Imported planning layers: any GIS file (GeoPackage, Shapefile, GeoJSON, FlatGeobuf, KML, CSV with WKT) into
its own table named after the layer id, with a registry row (``imported_layers``), land-use codes and statistics.

>>> from layers.imports import ImportOptions
>>> ImportOptions(layer="parcels").replace
False
"""

from layers.imports.importer import ImportFailure, ImportOptions, ImportResult, import_file

__all__ = ["ImportFailure", "ImportOptions", "ImportResult", "import_file"]
