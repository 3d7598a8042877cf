"""The workspace pages: the analyst's own page (alerts, saved searches, tags, highlights, downloads), the
team's activity, and the forms that tag, note, highlight and save from the search and exhibit pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from exhibit.web import api_workspace as ws
from exhibit.web.accounts import Session
from exhibit.web.deps import archive, require, require_post, safe_next
from exhibit.web.pages import page

router = APIRouter(include_in_schema=False)
VIEW = require("viewer")
Next = Annotated[str, Form(max_length=2000)]
Text = Annotated[str, Form(max_length=100_000)]
Short = Annotated[str, Form(max_length=2000)]


def _back(next_url: str) -> Response:
    return RedirectResponse(safe_next(next_url), status_code=303)


@router.get("/workspace")
def workspace_page(request: Request, sess: Session = Depends(VIEW)) -> Response:
    from exhibit import workspace
    from exhibit.workspace import saved

    arch = archive(request)
    return page(request, "workspace.html", sess, "workspace",
                alerts=[a.as_json() for a in saved.alerts(arch, sess.user.name)],
                saved=[s.as_json() for s in saved.searches(arch, sess.user.name)],
                tags=workspace.tag_counts(arch),
                highlights=[h.as_json() for h in workspace.highlights(arch, author=sess.user.name)],
                may_download=sess.user.may("investigator"))


@router.get("/activity")
def activity_page(request: Request, kind: list[str] = Query([]), actor: Annotated[str, Query(max_length=64)] = "",
                  since: Annotated[str, Query(max_length=40)] = "", sess: Session = Depends(VIEW)) -> Response:
    from exhibit.workspace.activity import Activity

    return page(request, "activity.html", sess, "activity", entries=ws.activity_entries(request, kind, actor, since),
                kinds=[a.value for a in Activity], selected=set(kind), actor=actor, since=since)


@router.post("/workspace/tag")
def tag_form(request: Request, next: Next = "/", add: Short = "", remove: Short = "", query: Short = "",
             targets: Annotated[list[str], Form(max_length=ws.MAX_TARGETS)] = [],  # noqa: B006
             sess: Session = ws.ANNOTATE) -> Response:
    ws.tag_targets(request, sess, ws.TagRequest(targets=targets, query=query or None,
                                                add=[add] if add.strip() else [],
                                                remove=[remove] if remove.strip() else []))
    return _back(next)


@router.post("/workspace/note")
def note_form(request: Request, target: Short, text: Text, next: Next = "/", private: Short = "",
              sess: Session = ws.ANNOTATE) -> Response:
    ws.add_note(request, sess, ws.NoteRequest(target=target, text=text, private=bool(private)))
    return _back(next)


@router.post("/workspace/note/{note_id}/edit")
def note_edit_form(request: Request, note_id: ws.NoteId, text: Text,
                   next: Next = "/", sess: Session = ws.ANNOTATE) -> Response:
    ws.edit_note(request, sess, note_id, ws.NoteEdit(text=text))
    return _back(next)


@router.post("/workspace/note/{note_id}/delete")
def note_delete_form(request: Request, note_id: ws.NoteId, next: Next = "/",
                     sess: Session = ws.ANNOTATE) -> Response:
    ws.delete_note(request, sess, note_id)
    return _back(next)


@router.post("/workspace/highlight")
def highlight_form(request: Request, exhibit: Short, page_no: Annotated[int, Form(alias="page", ge=1, le=1_000_000)],
                   next: Next = "/", quote: Short = "", rect: Short = "", comment: Text = "",
                   sess: Session = ws.ANNOTATE) -> Response:
    box: tuple[float, float, float, float] | None = None
    if rect.strip():
        try:
            a, b, c, d = (float(x) for x in rect.split(","))
        except ValueError:
            from fastapi import HTTPException

            raise HTTPException(400, f"rect {rect!r}: four fractions x0,y0,x1,y1") from None
        box = (a, b, c, d)
    ws.add_highlight(request, sess, ws.HighlightRequest(exhibit=exhibit, page=page_no, quote=quote or None, rect=box,
                                                        comment=comment))
    return _back(next)


@router.post("/workspace/saved")
def saved_form(request: Request, name: Short, query: Short, next: Next = "/workspace", shared: Short = "",
               sess: Session = Depends(require_post("viewer"))) -> Response:
    ws.save_search(request, sess, ws.SavedRequest(name=name, query=query, shared=bool(shared)))
    return _back(next)


@router.post("/workspace/alerts/seen")
def seen_form(request: Request, next: Next = "/workspace", sess: Session = Depends(require_post("viewer"))) -> Response:
    from exhibit.workspace import saved

    saved.alerts(archive(request), sess.user.name, mark_seen=True)
    return _back(next)


@router.post("/workspace/download")
def download_form(request: Request, purpose: Short, query: Short = "", tag: Short = "",
                  sess: Session = Depends(require_post("viewer"))) -> Response:
    return ws.download_zip(request, sess, ws.DownloadRequest(query=query or None, tag=tag or None, purpose=purpose))
