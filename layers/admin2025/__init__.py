"""The communes of An Giang from 1 July 2025 over former Kiên Giang, and the way from the former units to them.

- ``models``: tables ``communes_2025``, ``former_communes``, ``district_commune_crosswalk``;
- ``sources`` / ``build`` / ``load``: the ``planmap load`` step (upstream files -> rows, areas in EPSG:9207);
- ``index``: the loaded units in memory, cached per data version (``admin_index(session)``);
- ``lookup``: a geometry or a plan feature -> 2025 units; a former district -> 2025 units with shares;
- ``where``: an old address or a point -> former district, former commune and 2025 unit;
- ``outline``: how far the 2025 outline differs from the pre-2025 one.
"""
