"""The JSON API under /api: the same data and authorisation as the pages, documented by OpenAPI."""

from __future__ import annotations

import shutil
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field, StringConstraints
from starlette.background import BackgroundTask

from exhibit.errors import QueryError
from exhibit.web import accounts, data, people
from exhibit.web.accounts import Session
from exhibit.web.bounds import ExhibitRef, ListPage, ListSize, SearchLimit, SearchOffset, SearchQuery
from exhibit.web.deps import archive, client_ip, require, require_post

router = APIRouter(prefix="/api", tags=["api"])
VIEW = require("viewer")


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, sess: Session = Depends(VIEW)) -> dict[str, Any]:
    spec: dict[str, Any] = request.app.openapi()
    return spec


@router.get("/me", summary="The signed-in user, role and the CSRF token for POST requests")
def me(sess: Session = Depends(VIEW)) -> dict[str, str]:
    return {"name": sess.user.name, "role": sess.user.role, "csrf_token": sess.csrf}


@router.get("/search", summary="Page-level search hits (the CLI's query syntax, tag:/note:/noted_by: included), "
                           "with facets (tags too)")
def search(request: Request, q: SearchQuery, limit: SearchLimit = 20, offset: SearchOffset = 0,
           sess: Session = Depends(VIEW)) -> dict[str, Any]:
    from exhibit.workspace import search as search_

    try:
        result = search_(archive(request), q, viewer=sess.user.name, limit=limit, offset=offset, facets=True)
    except QueryError as e:
        raise HTTPException(400, {"message": str(e), "position": e.position}) from None
    return result.as_json()


@router.get("/exhibits", summary="The exhibits, a page at a time (`ls --json` objects)")
def exhibits(request: Request, status: str | None = None, page: ListPage = 1, size: ListSize = 100,
             sess: Session = Depends(VIEW)) -> dict[str, Any]:
    return data.exhibit_list(archive(request), page, size, status)


@router.get("/exhibits/{ref}", summary="One exhibit (`show --json`): metadata, paths, custody, pages with text")
def exhibit(request: Request, ref: ExhibitRef, sess: Session = Depends(VIEW)) -> dict[str, Any]:
    arch = archive(request)
    return arch.detail(data.resolve(arch, ref)).as_json(text=True, page_meta=True)


@router.get("/status", summary="Ingest status: counts by status, exhibits that failed and why")
def status(request: Request, sess: Session = Depends(VIEW)) -> dict[str, Any]:
    return data.status(archive(request))


@router.get("/custody", summary="The custody log, newest first")
def custody(request: Request, page: ListPage = 1, size: ListSize = 100,
            sess: Session = Depends(VIEW)) -> dict[str, Any]:
    return data.custody_log(archive(request), page, size)


@router.post("/verify", summary="Re-hash every blob and check the custody log (`verify --json`)")
def verify(request: Request, sess: Session = Depends(require_post("investigator"))) -> dict[str, Any]:
    from exhibit.archive.verify import verify as verify_

    result: dict[str, Any] = verify_(archive(request), actor=sess.user.name)
    return result


@router.get("/users", summary="Web accounts (admin only)")
def users(request: Request, sess: Session = Depends(require("admin"))) -> list[dict[str, Any]]:
    return accounts.users(archive(request))





# -- registers, people, links -----------------------------------------------------------------------
class ExportRequest(BaseModel):
    format: str = "csv"
    identified: bool = False
    purpose: str = ""


class Judgement(BaseModel):
    a: str
    b: str
    verdict: str


class Coding(BaseModel):
    record_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    categories: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=100)]],
                          Field(min_length=1, max_length=50)]
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None


@router.post("/coding/code", summary="Code a register record with the codebook's categories, or `none` "
                                     "(investigators); every judgement is kept, the latest is in force")
def code_record(request: Request, body: Coding,
                sess: Session = Depends(require_post("investigator"))) -> dict[str, Any]:
    from exhibit.coding import set_codes

    result: dict[str, Any] = set_codes(archive(request), body.record_id, body.categories, sess.user.name,
                                       note=body.note)
    return result


@router.get("/records", summary="Person records from the registers, with their check codes")
def records(request: Request, q: str = "", code: str = "", exhibit: str = "", page: ListPage = 1,
            size: ListSize = 100, sess: Session = Depends(VIEW)) -> dict[str, Any]:
    return people.record_list(archive(request), q, code, exhibit, page, size)


@router.get("/records/{record_id}", summary="One record, its checks and its source row in context")
def record(request: Request, record_id: str, sess: Session = Depends(VIEW)) -> dict[str, Any]:
    return people.record_detail(archive(request), record_id)


@router.post("/records/export", summary="Export records (pseudonymised unless identified, investigators only)")
def export(request: Request, body: ExportRequest, sess: Session = Depends(require_post("viewer"))) -> FileResponse:
    path, name = people.export(archive(request), sess, body.format, body.identified, body.purpose,
                               client_ip(request))
    return FileResponse(path, media_type="application/octet-stream", filename=name,
                        background=BackgroundTask(shutil.rmtree, path.parent, ignore_errors=True))


@router.get("/people", summary="Cross-script person search")
def people_search(request: Request, q: SearchQuery, limit: SearchLimit = 20,
                  sess: Session = Depends(VIEW)) -> dict[str, Any]:
    from exhibit.link import people_search as people_search_

    result: dict[str, Any] = people_search_(archive(request), q, limit=limit)
    return result


@router.get("/link/clusters", summary="Linked people: clusters of records and mentions (`link ls --json`)")
def clusters(request: Request, sess: Session = Depends(VIEW)) -> list[dict[str, Any]]:
    from exhibit.link import clusters as clusters_

    return [c.as_json() for c in clusters_(archive(request))]


@router.get("/link/review", summary="Candidate pairs waiting for a judgement")
def review(request: Request, sess: Session = Depends(VIEW)) -> list[dict[str, Any]]:
    from exhibit.link import review_queue

    return review_queue(archive(request))


@router.post("/link/judge", summary="Judge a candidate pair: accept, reject or unsure (investigators); every "
                                    "judgement is kept, and the answer shows the pair's history and which wins")
def judge(request: Request, body: Judgement,
          sess: Session = Depends(require_post("investigator"))) -> dict[str, Any]:
    done = people.judge(archive(request), body.a, body.b, body.verdict, sess.user.name)
    return {"a": body.a, "b": body.b, "verdict": body.verdict, "actor": sess.user.name,
            "time": done["time"], "current": done["current"]}
