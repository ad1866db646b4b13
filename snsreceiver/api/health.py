"""Liveness: answers as long as the process serves requests."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


@router.get(
    "/healthz",
    summary="Liveness check",
    description="Answers 200 while the process is serving requests. Needs no token.",
)
async def healthz() -> Health:
    return Health(status="ok")
