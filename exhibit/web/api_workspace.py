"""The workspace in the JSON API (/api): tags, notes, highlights, saved searches, alerts, downloads,
activity. Investigators write; viewers read (and write too when the settings allow); private notes are
their author's only. The HTML pages (pages_workspace.py) build on the same functions."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from exhibit.archive import Archive
from exhibit.errors import QueryError, UserError
from exhibit.web.accounts import Session
from exhibit.web.bounds import MAX_QUERY_CHARS, ExhibitRef
from exhibit.web.deps import archive, client_ip, require, require_post, state

api = APIRouter(prefix="/api", tags=["workspace"])
VIEW = require("viewer")
MAX_TARGETS = 1000
Ref = Annotated[str, Field(max_length=120)]
NoteId = Annotated[int, PathParam(ge=1, le=2**40)]


def annotate(request: Request, sess: Session = Depends(require_post("viewer"))) -> Session:  # noqa: B008
    """A POST that writes tags, notes or highlights: investigators, and viewers when the settings say so."""
    if not sess.user.may("investigator") and not state(request).settings.viewers_annotate:
        raise HTTPException(403, f"writing tags and notes needs the investigator role; you are {sess.user.role}")
    return sess


ANNOTATE = Depends(annotate)


def _user_error(e: UserError) -> HTTPException:
    return HTTPException(400, str(e))


# -- what the pages and the API share -------------------------------------------------------------
def exhibit_marks(request: Request, seq: int, sess: Session) -> dict[str, Any]:
    """An exhibit's tags (on it, its pages and rows), the notes this user may read, its highlights."""
    from exhibit import workspace

    arch = archive(request)
    return {"tags": [t.as_json() for t in workspace.tags(arch, exhibit_seq=seq)],
            "notes": [{**n.as_json(history=True), "html": workspace.render_note(n.text)}
                      for n in workspace.notes(arch, sess.user.name, exhibit_seq=seq)],
            "highlights": [h.as_json() for h in workspace.highlights(arch, exhibit_seq=seq)]}


def alert_count(request: Request, sess: Session) -> int:
    """New hits of the user's saved searches since they last looked (the badge)."""
    from exhibit.workspace import saved

    return sum(a.new_hits for a in saved.alerts(archive(request), sess.user.name))


# -- tags -------------------------------------------------------------------------------------------
class TagRequest(BaseModel):
    targets: list[Ref] = Field(default_factory=list, max_length=MAX_TARGETS)
    query: str | None = Field(None, max_length=MAX_QUERY_CHARS, description="also every hit of this search")
    add: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=20)
    remove: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=20)


def tag_targets(request: Request, sess: Session, body: TagRequest) -> dict[str, Any]:
    from exhibit import workspace

    arch = archive(request)
    try:
        ts = [workspace.target(arch, t) for t in body.targets]
        if body.query:
            res = workspace.search(arch, body.query, viewer=sess.user.name, limit=MAX_TARGETS)
            ts += [workspace.target(arch, f"{h.id}:t{h.table_id}:r{h.row}" if h.table_id else f"{h.id}:p{h.page}")
                   for h in res.hits if h.table_id or h.page]
        if not ts:
            raise UserError("nothing to tag: give targets or a query with hits.")
        changes = workspace.tag(arch, ts, body.add, body.remove, actor=sess.user.name)
    except QueryError as e:
        raise HTTPException(400, {"message": str(e), "position": e.position}) from None
    except UserError as e:
        raise _user_error(e) from None
    return {"changes": [{"target": t.as_json(), "tag": name, "change": what} for t, name, what in changes]}


@api.get("/tags", summary="The tags in use, with how many targets carry each")
def tag_list(request: Request, sess: Session = Depends(VIEW)) -> list[dict[str, Any]]:
    from exhibit import workspace

    return [{"tag": t, "count": n} for t, n in workspace.tag_counts(archive(request))]


@api.post("/tags", summary="Add or remove tags on exhibits, pages (ID:pN), rows (ID:tT:rN), records, people, "
                           "or every hit of a search")
def tag_post(request: Request, body: TagRequest, sess: Session = ANNOTATE) -> dict[str, Any]:
    return tag_targets(request, sess, body)


@api.get("/exhibits/{ref}/workspace", summary="An exhibit's tags, the notes you may read, its highlights")
def exhibit_workspace(request: Request, ref: ExhibitRef, sess: Session = Depends(VIEW)) -> dict[str, Any]:
    from exhibit.web import data

    return exhibit_marks(request, data.resolve(archive(request), ref), sess)


# -- notes -------------------------------------------------------------------------------------------
class NoteRequest(BaseModel):
    target: Ref
    text: str = Field(max_length=100_000)
    private: bool = False


class NoteEdit(BaseModel):
    text: str = Field(max_length=100_000)


def add_note(request: Request, sess: Session, body: NoteRequest) -> dict[str, Any]:
    from exhibit import workspace

    arch = archive(request)
    try:
        n = workspace.add_note(arch, workspace.target(arch, body.target), body.text, actor=sess.user.name,
                               private=body.private)
    except UserError as e:
        raise _user_error(e) from None
    return n.as_json(history=True)


def _note_or_404(request: Request, note_id: int, sess: Session) -> Any:
    from exhibit import workspace

    try:
        return workspace.note(archive(request), note_id, sess.user.name)
    except UserError as e:  # someone else's private note is as absent as a missing one
        raise HTTPException(404, str(e)) from None


@api.post("/notes", summary="Write a Markdown note on a target (private: only you see it)")
def note_post(request: Request, body: NoteRequest, sess: Session = ANNOTATE) -> dict[str, Any]:
    return add_note(request, sess, body)


@api.get("/notes/{note_id}", summary="One note with every revision, rendered safely as `html`")
def note_get(request: Request, note_id: NoteId,
             sess: Session = Depends(VIEW)) -> dict[str, Any]:
    from exhibit import workspace

    n = _note_or_404(request, note_id, sess)
    return {**n.as_json(history=True), "html": workspace.render_note(n.text)}


def _own_note(request: Request, note_id: int, sess: Session) -> Any:
    """The note, if it is this user's: on the web, you edit and delete your own notes."""
    n = _note_or_404(request, note_id, sess)
    if n.author != sess.user.name:
        raise HTTPException(403, f"note {note_id} is {n.author}'s: you edit and delete your own notes.")
    return n


def edit_note(request: Request, sess: Session, note_id: int, body: NoteEdit) -> dict[str, Any]:
    from exhibit import workspace

    _own_note(request, note_id, sess)
    try:
        return workspace.edit_note(archive(request), note_id, body.text, actor=sess.user.name).as_json(history=True)
    except UserError as e:
        raise _user_error(e) from None


def delete_note(request: Request, sess: Session, note_id: int) -> dict[str, Any]:
    from exhibit import workspace

    _own_note(request, note_id, sess)
    return workspace.delete_note(archive(request), note_id, actor=sess.user.name).as_json(history=True)


@api.post("/notes/{note_id}", summary="Edit your note: a new revision, the earlier ones kept")
def note_edit(request: Request, note_id: NoteId, body: NoteEdit, sess: Session = ANNOTATE) -> dict[str, Any]:
    return edit_note(request, sess, note_id, body)


@api.post("/notes/{note_id}/delete", summary="Delete your note: hidden, its revisions kept in the catalog")
def note_delete(request: Request, note_id: NoteId, sess: Session = ANNOTATE) -> dict[str, Any]:
    return delete_note(request, sess, note_id)


# -- highlights ---------------------------------------------------------------------------------------
class HighlightRequest(BaseModel):
    exhibit: Ref
    page: int = Field(ge=1, le=1_000_000)
    quote: str | None = Field(None, max_length=2000)
    rect: tuple[float, float, float, float] | None = None
    comment: str = Field("", max_length=10_000)


def add_highlight(request: Request, sess: Session, body: HighlightRequest) -> dict[str, Any]:
    from exhibit import workspace

    try:
        h = workspace.highlight(archive(request), body.exhibit, body.page, quote=body.quote, comment=body.comment,
                                rect=body.rect, actor=sess.user.name)
    except UserError as e:
        raise _user_error(e) from None
    return h.as_json()


@api.get("/highlights", summary="Highlights with their citations, per exhibit or per author")
def highlight_list(request: Request, exhibit: Annotated[str | None, Query(max_length=71)] = None,
                   author: Annotated[str | None, Query(max_length=64)] = None,
                   sess: Session = Depends(VIEW)) -> list[dict[str, Any]]:
    from exhibit import workspace
    from exhibit.web import data

    arch = archive(request)
    seq = data.resolve(arch, exhibit) if exhibit else None
    return [h.as_json() for h in workspace.highlights(arch, exhibit_seq=seq, author=author)]


@api.post("/highlights", summary="Highlight a passage (quote) or a rectangle (fractions x0,y0,x1,y1) on a page")
def highlight_post(request: Request, body: HighlightRequest, sess: Session = ANNOTATE) -> dict[str, Any]:
    return add_highlight(request, sess, body)


# -- saved searches and alerts ------------------------------------------------------------------------
class SavedRequest(BaseModel):
    name: str = Field(max_length=100)
    query: str = Field(max_length=MAX_QUERY_CHARS)
    shared: bool = False


def save_search(request: Request, sess: Session, body: SavedRequest) -> dict[str, Any]:
    from exhibit.workspace import saved

    try:
        return saved.save(archive(request), body.name, body.query, owner=sess.user.name, shared=body.shared).as_json()
    except QueryError as e:
        raise HTTPException(400, {"message": str(e), "position": e.position}) from None
    except UserError as e:
        raise _user_error(e) from None


@api.get("/saved", summary="Your saved searches and the shared ones")
def saved_list(request: Request, sess: Session = Depends(VIEW)) -> list[dict[str, Any]]:
    from exhibit.workspace import saved

    return [s.as_json() for s in saved.searches(archive(request), sess.user.name)]


@api.post("/saved", summary="Save a search (alerts then show its new hits after each ingest)")
def saved_post(request: Request, body: SavedRequest, sess: Session = Depends(require_post("viewer"))) -> dict[str, Any]:
    # saving a search writes nothing about the evidence: every role may keep its own
    return save_search(request, sess, body)


@api.get("/alerts", summary="New hits of your saved searches since you last looked")
def alert_list(request: Request, sess: Session = Depends(VIEW)) -> dict[str, Any]:
    from exhibit.workspace import saved

    return {"alerts": [a.as_json() for a in saved.alerts(archive(request), sess.user.name)]}


@api.post("/alerts/seen", summary="Mark your alerts as seen")
def alerts_seen(request: Request, sess: Session = Depends(require_post("viewer"))) -> dict[str, Any]:
    from exhibit.workspace import saved

    saved.alerts(archive(request), sess.user.name, mark_seen=True)
    return {"alerts": []}


# -- download and activity ----------------------------------------------------------------------------
class DownloadRequest(BaseModel):
    query: str | None = Field(None, max_length=MAX_QUERY_CHARS)
    tag: str | None = Field(None, max_length=64)
    ids: list[Ref] = Field(default_factory=list, max_length=MAX_TARGETS)
    purpose: str = Field(max_length=1000)
    identified: bool = False


def download_zip(request: Request, sess: Session, body: DownloadRequest) -> StreamingResponse:
    """Originals are for investigators (as the single-file download); the zip streams as it is written."""
    from exhibit.workspace import download

    if not sess.user.may("investigator"):
        raise HTTPException(403, f"downloading originals needs the investigator role; you are {sess.user.role}")
    arch = archive(request)
    if sum(bool(x) for x in (body.query, body.tag, body.ids)) != 1:
        raise HTTPException(400, "download what? give a query, a tag or ids (one of them).")
    if not body.purpose.strip():
        raise HTTPException(400, "say why (purpose): every download is recorded in the custody log.")
    try:
        sel = (download.of_query(arch, body.query, sess.user.name) if body.query else
               download.of_tag(arch, body.tag) if body.tag else download.of_ids(arch, body.ids))
    except QueryError as e:
        raise HTTPException(400, {"message": str(e), "position": e.position}) from None
    except UserError as e:
        raise _user_error(e) from None
    # the stream reads the catalog from the thread pool while this thread serves other requests: it gets a
    # connection of its own (the thread's one is not to be shared), closed when the zip is done
    root = state(request).root
    own = Archive.attach(root, role=state(request).settings.db_role)
    chunks = download.stream(own, sel, f"{body.purpose} (web, {client_ip(request)})", actor=sess.user.name,
                             identified=body.identified)
    with contextlib.ExitStack() as on_failure:  # the connection is the stream's once the zip has started
        on_failure.callback(own.close)
        first = next(chunks)  # the custody event is written here, before the response starts
        on_failure.pop_all()

    def rest() -> Any:
        try:
            yield first
            yield from chunks
        finally:
            own.close()

    return StreamingResponse(rest(), media_type="application/zip",
                             headers={"Content-Disposition": 'attachment; filename="exhibits.zip"'})


@api.post("/download", summary="The originals of a search, a tag or a selection as a streamed zip, with "
                               "manifest.json and hits.csv (investigators; recorded with its purpose)")
def download_post(request: Request, body: DownloadRequest,
                  sess: Session = Depends(require_post("viewer"))) -> StreamingResponse:
    return download_zip(request, sess, body)


def activity_entries(request: Request, kind: list[str], actor: str, since: str) -> list[dict[str, Any]]:
    from exhibit.workspace import activity

    try:
        kinds = {activity.Activity(k) for k in kind}
    except ValueError:
        raise HTTPException(400, f"kind: use {', '.join(a.value for a in activity.Activity)}") from None
    return [e.as_json() for e in activity.timeline(archive(request), kinds or None, actor or None, since or None)]


@api.get("/activity", summary="What the team did, newest first: ingested, tagged, noted, judged, exported")
def activity_list(request: Request, kind: list[str] = Query([]), actor: Annotated[str, Query(max_length=64)] = "",
                  since: Annotated[str, Query(max_length=40)] = "", sess: Session = Depends(VIEW)) -> list[dict[str, Any]]:
    return activity_entries(request, kind, actor, since)
