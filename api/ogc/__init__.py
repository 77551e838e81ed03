"""OGC API - Features (Parts 1-4) and Tiles under ``/ogc``: one router per resource family.

Each module declares the conformance classes it implements (``CONFORMS_TO``); ``/ogc/conformance`` lists those
of the modules mounted here, so the list cannot run ahead of the routes.
"""

from fastapi import APIRouter

from api.ogc import collections, items, landing, tiles, transactions

MODULES = (landing, collections, items, transactions, tiles)
CONFORMS_TO = tuple(dict.fromkeys(uri for m in MODULES for uri in m.CONFORMS_TO))

router = APIRouter()
for _module in MODULES:
    router.include_router(_module.router)
