"""Printable map sheets: vector PDF (or PNG) of one former district, one 2025 unit (commune, ward or special zone
of An Giang covering former Kiên Giang) or the province, true to scale in EPSG:9207.

``sheet.render(session, Target.commune("30958"), size="A3", lang="vi")`` -> PDF bytes; ``cache.cached_sheet``
keys it on the data version. The rooms: ``target`` names what a sheet shows, ``sheetdata`` and ``units`` ask
the database (through the providers and the statistics modules), ``layout`` picks paper, orientation and scale,
``mapframe`` draws the plan layers, ``labels`` places their names without overlap, ``furniture`` the scale bar,
north arrow, grid and inset, ``pages``/``tables``/``unit_tables``/``landuse`` the statistics, land-use and tasks
pages, ``pool`` draws sheets in worker processes, ``cli`` is ``planmap print``.
"""
