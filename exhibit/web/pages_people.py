"""The pages about people: registers and their records, persons, link review, charts of stated reasons."""

from __future__ import annotations

import mimetypes
import shutil
import threading
import time
from pathlib import Path

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from exhibit.errors import UserError
from exhibit.web import people
from exhibit.web.accounts import Session
from exhibit.web.bounds import ListPage, OptionalSearchQuery, ReviewItem, ReviewItemForm
from exhibit.web.deps import archive, client_ip, require, require_post, state
from exhibit.web.pages import page

router = APIRouter(include_in_schema=False)
_charts_lock = threading.Lock()
VIEW = require("viewer")


@router.get("/records")
def records_page(request: Request, q: str = "", code: str = "", exhibit: str = "",
                 page_no: ListPage = 1, sess: Session = Depends(VIEW)) -> Response:
    data = people.record_list(archive(request), q, code, exhibit, page_no, state(request).settings.page_size)
    return page(request, "records.html", sess, "records", q=q, code=code, exhibit=exhibit,
                may_identify=sess.user.may("investigator"), **data)


@router.get("/records/{record_id}")
def record_page(request: Request, record_id: str, sess: Session = Depends(VIEW)) -> Response:
    data = people.record_detail(archive(request), record_id)
    return page(request, "record.html", sess, "records", **data)


@router.post("/records/export")
def export_page(request: Request, format: str = Form("csv"), identified: str = Form(""), purpose: str = Form(""),
                sess: Session = Depends(require_post("viewer"))) -> Response:
    """Records as a file: pseudonymised unless an investigator asks for identified data, with a purpose."""
    path, name = people.export(archive(request), sess, format, identified in ("1", "on", "true"), purpose,
                               client_ip(request))
    media = mimetypes.guess_type(name)[0] or "application/octet-stream"
    # the file may hold identified data: gone from the disk as soon as it is sent
    return FileResponse(path, media_type=media, filename=name, content_disposition_type="attachment",
                        background=BackgroundTask(shutil.rmtree, path.parent, ignore_errors=True))


@router.get("/people")
def people_page(request: Request, q: OptionalSearchQuery = "", sess: Session = Depends(VIEW)) -> Response:
    from exhibit.link import people_search

    results, error = None, None
    if q.strip():
        try:
            results = people_search(archive(request), q, limit=100)
        except UserError as e:
            error = str(e)
    return page(request, "people.html", sess, "people", q=q, error=error,
                read_as=results.get("read_as") if isinstance(results, dict) else None,
                results=people.as_list(results))


@router.get("/people/{cluster_id}")
def person_page(request: Request, cluster_id: str, sess: Session = Depends(VIEW)) -> Response:
    data = people.person(archive(request), cluster_id)
    return page(request, "person.html", sess, "people", **data)


@router.get("/review")
def review_page(request: Request, n: ReviewItem = 0, sess: Session = Depends(VIEW)) -> Response:
    data = people.review_item(archive(request), n)
    return page(request, "review.html", sess, "review",
                may_judge=sess.user.may("investigator"), **data)


@router.post("/review/judge")
def judge_page(request: Request, a: str = Form(...), b: str = Form(...), verdict: str = Form(...),
               n: ReviewItemForm = 0, sess: Session = Depends(require_post("investigator"))) -> Response:
    people.judge(archive(request), a, b, verdict, sess.user.name)
    return RedirectResponse(f"/review?n={n}&judged={verdict}", status_code=303)


def _charts_dir(request: Request) -> Path:
    """Inside the archive folder (derived from its data, so kept where the data is, not in the system's
    shared /tmp), one folder per archive, reused by the next server."""
    d: Path = archive(request).tmp_dir / "web-charts"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _draw_charts(request: Request) -> tuple[Path, str | None]:
    """The charts folder, drawn by the coding capability at most once a minute (it takes a second or two);
    and the capability's message when there is nothing to draw yet."""
    from exhibit.coding import charts

    out = _charts_dir(request)
    stamp = out / ".drawn"
    with _charts_lock:  # one drawing at a time; the others wait and then find it fresh
        if stamp.exists() and time.time() - stamp.stat().st_mtime < 60:
            return out, None
        try:
            charts(archive(request), out)
        except UserError as e:
            return out, str(e)
        stamp.touch()
    return out, None


@router.get("/charts")
def charts_page(request: Request, sess: Session = Depends(VIEW)) -> Response:
    out, error = _draw_charts(request)
    files = [{"name": p.name, "title": p.stem.replace("_", " ")} for p in sorted(out.iterdir()) if p.suffix == ".png"]
    return page(request, "charts.html", sess, "charts", files=files, error=error)


@router.get("/charts/{name}")
def chart_file(request: Request, name: str, sess: Session = Depends(VIEW)) -> Response:
    out, _ = _draw_charts(request)
    # only names the chart folder lists, compared as strings: no path from the URL reaches the disk
    known = {p.name: p for p in out.iterdir()}
    if name not in known or known[name].suffix not in (".png", ".svg"):
        raise HTTPException(404, "no such chart")
    return FileResponse(known[name], media_type="image/svg+xml" if name.endswith(".svg") else "image/png")
