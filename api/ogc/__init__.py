"""OGC API - Features (Parts 1, 2, 3) under ``/ogc``: one router per resource family."""

from fastapi import APIRouter

from api.ogc import collections, items, landing

router = APIRouter()
for _module in (landing, collections, items):
    router.include_router(_module.router)
