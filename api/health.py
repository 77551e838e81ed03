"""``/health``: is the service up, on which backend, with how many former districts."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select

from api.deps import Db
from layers.db import backend_name
from layers.models import Dataset, District

router = APIRouter(tags=["health"])


@router.get("/health", summary="Service health")
def health(session: Db) -> dict:
    districts = session.scalar(select(func.count()).select_from(District))
    version = session.get(Dataset, "data_version")
    return {
        "status": "ok",
        "backend": backend_name(session.get_bind()),
        "districts": districts,
        "data_version": version.value if version else None,
    }
