"""Printable map sheets: vector PDF (or PNG) of one former district or the province, true to scale in
EPSG:9207.

``sheet.render(session, gso, size="A3", lang="vi")`` -> PDF bytes; ``cache.cached_sheet`` keys it on the data.
The rooms: ``sheetdata`` asks the database, ``layout`` picks paper, orientation and scale, ``mapframe`` draws
the plan layers and labels, ``furniture`` the scale bar, north arrow, grid and inset, ``tables`` the
statistics and tasks pages.
"""
