"""The pages of versions and dates: two versions side by side, and the timeline with filters (+ their JSON)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from exhibit.web import versions
from exhibit.web.accounts import Session
from exhibit.web.bounds import ExhibitRef
from exhibit.web.deps import archive, require
from exhibit.web.pages import page

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["api"])
VIEW = require("viewer")


@router.get("/versions/diff")
def diff_page(request: Request, a: str, b: str, sess: Session = Depends(VIEW)) -> Response:
    return page(request, "versions_diff.html", sess, "exhibits", **versions.diff(archive(request), a, b))


@router.get("/timeline")
def timeline_page(request: Request, kind: list[str] = Query([]), exhibit: str = "", start: str = Query("", alias="from"),
                  end: str = Query("", alias="to"), sess: Session = Depends(VIEW)) -> Response:
    got = versions.timeline_points(archive(request), kind, exhibit, start, end)
    return page(request, "timeline.html", sess, "timeline", selected=set(kind), exhibit=exhibit, start=start,
                end=end, **got)


@api.get("/versions/diff", summary="Two versions side by side, page by page (`exhibit diff --json`)")
def diff_json(request: Request, a: str, b: str, sess: Session = Depends(VIEW)) -> dict[str, Any]:
    return versions.diff(archive(request), a, b)


@api.get("/exhibits/{ref}/similar", summary="Versions of an exhibit over a threshold (`exhibit similar --json`)")
def similar_json(request: Request, ref: ExhibitRef, threshold: float | None = Query(None, ge=0, le=1),
                 sess: Session = Depends(VIEW)) -> dict[str, Any]:
    return versions.similar(archive(request), ref, threshold)


@api.get("/timeline", summary="Every date with its evidence, filtered (`exhibit timeline --json`)")
def timeline_json(request: Request, kind: list[str] = Query([]), exhibit: str = "",
                  start: str = Query("", alias="from"), end: str = Query("", alias="to"),
                  sess: Session = Depends(VIEW)) -> dict[str, Any]:
    return versions.timeline_points(archive(request), kind, exhibit, start, end)
