"""The HTML pages: server-rendered Jinja2 templates over the library's APIs."""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from exhibit.errors import LimitExceeded, QueryError, UserError
from exhibit.web import accounts, data, display, render
from exhibit.web.accounts import Session
from exhibit.web.bounds import (
    ExhibitRef,
    Highlight,
    ListPage,
    OptionalSearchQuery,
    PageNumber,
    PagePath,
    Quotation,
    RowNumber,
    SearchPage,
    TableId,
)
from exhibit.web.deps import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    archive,
    client_ip,
    require,
    require_post,
    safe_next,
    state,
)

router = APIRouter(include_in_schema=False)
VIEW = require("viewer")
INVESTIGATE = require("investigator")
ADMIN = require("admin")


def page(request: Request, name: str, sess: Session | None, nav: str, status_code: int = 200,
         **ctx: Any) -> HTMLResponse:
    from exhibit.web.api_workspace import alert_count

    # the workspace badge: new hits of the user's saved searches (no search runs until an ingest adds exhibits)
    alerts = alert_count(request, sess) if sess else 0
    resp: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, name, {"me": sess.user if sess else None, "csrf": sess.csrf if sess else "", "nav": nav,
                        "urlencode": urlencode, "alerts_badge": alerts, **ctx}, status_code=status_code)
    return resp


def _cookie_args(request: Request) -> dict[str, Any]:
    return {"httponly": True, "secure": state(request).settings.secure_cookies, "path": "/"}


# -- signing in and out ----------------------------------------------------------------------------
@router.get("/login")
def login_form(request: Request, next: str = "/", error: str | None = None) -> Response:
    token = secrets.token_urlsafe(32)
    resp = page(request, "login.html", None, "login", login_csrf=token, next=safe_next(next), error=error,
                status_code=401 if error else 200)
    # double-submit: the form's token must equal this cookie's (there is no session yet to bind it to)
    resp.set_cookie(LOGIN_CSRF_COOKIE, token, samesite="strict", max_age=3600, **_cookie_args(request))
    return resp


@router.post("/login")
def login(request: Request, name: str = Form(""), password: str = Form(""), next: str = Form("/"),
          csrf_token: str = Form("")) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not csrf_token or not secrets.compare_digest(cookie, csrf_token):
        raise HTTPException(403, "missing or wrong CSRF token: reload the login page and try again")
    ip, st, arch = client_ip(request), state(request), archive(request)
    wait = st.limiter.blocked(ip, name)
    if wait:
        raise HTTPException(429, f"too many failed sign-ins; try again in {int(wait) + 1} s",
                            headers={"Retry-After": str(int(wait) + 1)})
    user = accounts.authenticate(arch, name, password)
    if user is None:
        st.limiter.failed(ip, name)
        return login_form(request, next, error="Wrong name or password.")
    st.limiter.succeeded(ip, name)
    token, _ = accounts.start_session(arch, user, st.settings.session_hours)
    arch.log_event("web_login", None, user.name, {"ip": ip, "role": user.role})
    resp = RedirectResponse(safe_next(next), status_code=303)
    resp.set_cookie(SESSION_COOKIE, token, samesite="lax", max_age=int(st.settings.session_hours * 3600),
                    **_cookie_args(request))
    resp.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return resp


@router.post("/logout")
def logout(request: Request, sess: Session = Depends(require_post("viewer"))) -> Response:
    arch = archive(request)
    accounts.end_session(arch, request.cookies.get(SESSION_COOKIE))
    arch.log_event("web_logout", None, sess.user.name, {"ip": client_ip(request)})
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/")
def home(request: Request, sess: Session = Depends(VIEW)) -> Response:
    return RedirectResponse("/search", status_code=303)


# -- search ----------------------------------------------------------------------------------------
@router.get("/search")
def search_page(request: Request, q: OptionalSearchQuery = "", page_no: SearchPage = 1,
                sess: Session = Depends(VIEW)) -> Response:
    from exhibit.workspace import search

    size = state(request).settings.page_size
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    if q.strip():
        try:
            result = search(archive(request), q, viewer=sess.user.name, limit=size, offset=(page_no - 1) * size,
                            facets=True).as_json()
        except QueryError as e:
            error = {"message": str(e), "position": e.position}
    if result is not None:
        for hit in result["hits"]:
            hit["terms"] = display.terms_of(hit, q)
            hit["snippet_safe"] = display.safe_snippet(hit)
    return page(request, "search.html", sess, "search", q=q, result=result, may_annotate=_may_annotate(request, sess),
                error=error, paging=data.paging(result["total"], page_no, size) if result else None)


# -- exhibits --------------------------------------------------------------------------------------
@router.get("/exhibits")
def exhibits_page(request: Request, status: str | None = None, page_no: ListPage = 1,
                  sess: Session = Depends(VIEW)) -> Response:
    listed = data.exhibit_list(archive(request), page_no, state(request).settings.page_size, status or None)
    return page(request, "exhibits.html", sess, "exhibits", status=status, **listed)


@router.get("/exhibits/{ref}")
def exhibit_page(request: Request, ref: ExhibitRef, page_no: PageNumber = 1, hl: Highlight = [],  # noqa: B006
                 table: TableId = None, row: RowNumber = None, sheet: str | None = None,
                 q: Quotation = None, sess: Session = Depends(VIEW)) -> Response:
    """The exhibit at a page; `hl` words highlighted; `q` a quotation cited in a report (reports link here)."""
    from exhibit.web.api_workspace import exhibit_marks

    arch = archive(request)
    seq = data.resolve(arch, ref)
    ex = data.exhibit_detail(arch, seq, page_no)
    if table is None and (sheet or row is not None):
        table = data.find_table(arch, seq, sheet, page_no if "page" in request.query_params else None)
    rows = data.table_rows(arch, seq, table, row) if table is not None else None
    return page(request, "exhibit.html", sess, "exhibits", ex=ex, hl=list(render.highlight_terms(hl)), rows=rows,
                quote=q, may_download=sess.user.may("investigator"), may_annotate=_may_annotate(request, sess),
                marks=exhibit_marks(request, seq, sess))


def _may_annotate(request: Request, sess: Session) -> bool:
    return sess.user.may("investigator") or state(request).settings.viewers_annotate


@router.get("/exhibits/{ref}/pages/{number}.png")
def page_image(request: Request, ref: ExhibitRef, number: PagePath, hl: Highlight = [],  # noqa: B006
               sess: Session = Depends(VIEW)) -> Response:
    """The page drawn as PNG (a sync route: FastAPI runs it in its thread pool, off the event loop; the
    renderer bounds its pixels and how many pages it draws at once)."""
    arch = archive(request)
    seq = data.resolve(arch, ref)
    ex = arch.exhibit(seq)
    pg = arch.page(seq, number)
    png = None
    if pg is not None and data.has_images(ex):
        try:
            png = render.page_png(arch.blob_path(ex.sha256), ex.media_type or "", number, hl, pg.meta,
                                  state(request).settings.image_width)
        except render.RenderBusy as e:
            raise HTTPException(503, str(e), headers={"Retry-After": "5"}) from None
        except LimitExceeded as e:
            raise HTTPException(422, f"{ex.id}: {e}") from None
    if png is None:
        raise HTTPException(404, f"{ex.id} page {number} has no image")
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=600"})


@router.get("/exhibits/{ref}/download")
def download(request: Request, ref: ExhibitRef, sess: Session = Depends(INVESTIGATE)) -> Response:
    """The original bytes, as an attachment (never rendered inline: an HTML exhibit must not run here)."""
    arch = archive(request)
    seq = data.resolve(arch, ref)
    ex = arch.exhibit(seq)
    blob = arch.blob_path(ex.sha256)
    if not blob.is_file():
        raise HTTPException(404, f"{ex.id}: the stored bytes are missing; run `exhibit verify`")
    name = PurePosixPath(ex.path_names[0]).name if ex.path_names else ex.id
    arch.log_event("exported", ex.sha256, sess.user.name,
                {"what": "original", "via": "web", "ip": client_ip(request), "filename": name})
    return FileResponse(blob, media_type="application/octet-stream", filename=name or ex.id,
                        content_disposition_type="attachment")


# -- ingest status and custody ---------------------------------------------------------------------
@router.get("/status")
def status_page(request: Request, sess: Session = Depends(VIEW)) -> Response:
    return page(request, "status.html", sess, "status", **data.status(archive(request)))


@router.get("/custody")
def custody_page(request: Request, page_no: ListPage = 1, sess: Session = Depends(VIEW)) -> Response:
    log = data.custody_log(archive(request), page_no, 50)
    return page(request, "custody.html", sess, "custody", verify=None, **log)


@router.post("/custody/verify")
def verify_page(request: Request, sess: Session = Depends(require_post("investigator"))) -> Response:
    from exhibit.archive.verify import verify

    arch = archive(request)
    result = verify(arch, actor=sess.user.name)
    log = data.custody_log(arch, 1, 50)
    return page(request, "custody.html", sess, "custody", verify=result, **log)


# -- accounts --------------------------------------------------------------------------------------
@router.get("/admin/users")
def users_page(request: Request, sess: Session = Depends(ADMIN)) -> Response:
    return page(request, "users.html", sess, "users", users=accounts.users(archive(request)), created=None)


@router.post("/admin/users")
def add_user_page(request: Request, name: str = Form(...), role: str = Form(...),
                  sess: Session = Depends(require_post("admin"))) -> Response:
    arch = archive(request)
    password = accounts.generate_password()
    try:
        accounts.add_user(arch, name, role, password, actor=sess.user.name)
    except UserError as e:
        return page(request, "users.html", sess, "users", users=accounts.users(arch), created=None,
                    error=str(e), status_code=400)
    return page(request, "users.html", sess, "users", users=accounts.users(arch),
                created={"name": name, "role": role, "password": password})


@router.get("/api/docs")
def api_docs(request: Request, sess: Session = Depends(VIEW)) -> Response:
    """The OpenAPI document as a plain page (Swagger UI would need inline scripts and a CDN)."""
    spec = request.app.openapi()
    return page(request, "api.html", sess, "api", spec=spec)

