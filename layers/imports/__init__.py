"""Imported planning layers: any GIS file (GeoPackage, Shapefile, GeoJSON, FlatGeobuf, KML, CSV with WKT) into
its own table named after the layer id, with a registry row (``imported_layers``), land-use codes and statistics.

``importer.import_file`` imports; ``models`` is the registry; ``stats`` the land-use statistics. Nothing is
imported here on purpose: the migrations load ``models`` while SpatiaLite is open, and loading PROJ/GDAL
(pyproj, pyogrio) after mod_spatialite makes the interpreter crash at exit.
"""
