"""The viewer's redaction mode: proposals drawn on the page to confirm or remove, boxes to draw, a preview,
and the export of a verified redacted copy (thin over exhibit.redact).

Anyone signed in may redact a page; removing a proposal (publishing a name exhibit proposed to hide) needs
the investigator role, so a viewer cannot export a page with what was proposed left readable.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response

from exhibit import redact as rd
from exhibit.archive import Archive
from exhibit.web import data
from exhibit.web.accounts import Session
from exhibit.web.deps import archive, client_ip, require, require_post, state
from exhibit.web.pages import page
from exhibit.web.render import _mupdf

router = APIRouter(include_in_schema=False)
VIEW = require("viewer")
_BOX = re.compile(r"^\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*$")


def _boxes(number: int, specs: list[str]) -> tuple[tuple[int, rd.Box], ...]:
    out = []
    for spec in [s for s in specs if s.strip()][:200]:
        m = _BOX.match(spec)
        if not m:
            raise HTTPException(400, f"drawn box {spec!r}: expected x0,y0,x1,y1 in page units")
        out.append((number, rd.Box.of(*(float(m.group(i)) for i in range(1, 5)))))
    return tuple(out)


def _proposals(arch: Archive, seq: int, number: int) -> tuple[rd.Region, ...]:
    with _mupdf:
        return rd.propose(arch, seq, True, tuple(rd.Pattern), (number,))


def _plan(arch: Archive, seq: int, number: int, keep: list[str], boxes: list[str], sess: Session) -> rd.Plan:
    """The plan of the form: every proposal of the page but those unticked, and the drawn boxes."""
    proposals = _proposals(arch, seq, number)
    skip = frozenset(r.key for r in proposals) - set(keep)
    if skip and not sess.user.may("investigator"):
        raise HTTPException(403, f"{len(skip)} proposal(s) unticked: removing a proposal (publishing what exhibit "
                                 "proposed to redact) needs the investigator role; tick them again or ask an "
                                 "investigator")
    sel = rd.Selection(records=True, patterns=tuple(rd.Pattern), boxes=_boxes(number, boxes), pages=(number,),
                       skip=skip)
    with _mupdf:
        return rd.plan(arch, seq, sel)


def redact_data(arch: Archive, seq: int, number: int) -> dict[str, Any]:
    """The redaction mode's data: the exhibit, the page, its size in region units, and the proposals (with
    the values, for the person confirming them)."""
    ex = arch.exhibit(seq)
    if not data.has_images(ex):
        raise HTTPException(400, f"{ex.id}: only PDFs and images can be redacted here")
    with _mupdf:
        width, height = rd.page_size(arch, seq, number)
    return {"ex": ex.as_json(), "page_number": number, "page_count": ex.page_count, "width": width,
            "height": height, "proposals": [r.as_json(value=True) for r in _proposals(arch, seq, number)]}


@router.get("/exhibits/{ref}/redact")
def redact_page(request: Request, ref: str, page_no: int = Query(1, alias="page", ge=1, le=1_000_000),
                sess: Session = Depends(VIEW)) -> Response:
    arch = archive(request)
    seq = data.resolve(arch, ref)
    return page(request, "redact.html", sess, "exhibits", may_remove=sess.user.may("investigator"),
                **redact_data(arch, seq, page_no))


@router.get("/exhibits/{ref}/redact/preview.png")
def redact_preview(request: Request, ref: str, page_no: int = Query(1, alias="page", ge=1, le=1_000_000),
                   keep: list[str] = Query([]), box: list[str] = Query([]),
                   sess: Session = Depends(VIEW)) -> Response:
    """The page as the copy will show it (not yet verified: verification runs on export)."""
    arch = archive(request)
    seq = data.resolve(arch, ref)
    plan = _plan(arch, seq, page_no, keep, box, sess)
    with _mupdf:
        png = rd.preview_png(arch, seq, plan, state(request).settings.image_width)
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.post("/exhibits/{ref}/redact/export")
def redact_export(request: Request, ref: str, page_no: int = Form(1, alias="page", ge=1, le=1_000_000),
                  keep: list[str] = Form([]), box: list[str] = Form([]), purpose: str = Form(""),
                  sess: Session = Depends(require_post("viewer"))) -> Response:
    """Make, verify and store the redacted copy of the page and hand it out (logged with actor and purpose)."""
    arch = archive(request)
    seq = data.resolve(arch, ref)
    plan = _plan(arch, seq, page_no, keep, box, sess)
    try:
        with _mupdf:
            copy = rd.redact(arch, seq, plan, actor=sess.user.name, purpose=purpose)
    except rd.RedactionUnverified as e:
        return page(request, "redact.html", sess, "exhibits", may_remove=sess.user.may("investigator"),
                    refused=e.verification.as_json(), error=str(e), status_code=422,
                    **redact_data(arch, seq, page_no))
    ex = arch.exhibit(seq)
    stem = PurePosixPath(ex.path_names[0]).stem if ex.path_names else ex.id
    name = f"{stem}-p{page_no}-redacted{PurePosixPath(copy.path).suffix}"
    arch.log_event("exported", copy.sha256, sess.user.name,
                   {"what": "redacted copy", "original": ex.id, "via": "web", "ip": client_ip(request),
                    "purpose": purpose, "filename": name})
    return FileResponse(arch.blob_path(copy.sha256), media_type="application/octet-stream", filename=name,
                        content_disposition_type="attachment")
