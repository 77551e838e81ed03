"""``/health``: is the service up, on which backend, with how many former districts."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.deps import get_session
from layers.db import backend_name
from layers.models import Dataset, District

router = APIRouter(tags=["health"])


@router.get("/health", summary="Service health")
def health(session: Session = Depends(get_session)) -> dict:
    districts = session.scalar(select(func.count()).select_from(District))
    version = session.get(Dataset, "data_version")
    return {
        "status": "ok",
        "backend": backend_name(session.get_bind()),
        "districts": districts,
        "data_version": version.value if version else None,
    }
