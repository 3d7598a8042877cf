"""The FastAPI application: pages under /, JSON under /api, static files, security headers, error pages."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from exhibit import __version__
from exhibit.errors import UserError
from exhibit.text.display import for_page
from exhibit.web import display
from exhibit.web.deadline import Deadline
from exhibit.web.deps import LoginRequired, WebState, current_session
from exhibit.web.security import SecurityHeaders
from exhibit.web.settings import WebSettings

HERE = Path(__file__).resolve().parent


def templates() -> Jinja2Templates:
    # autoescape everything: document text and file names are hostile input
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    env.globals.update(urlencode=urlencode, text_dir=display.text_dir, hit_query=display.hit_query,
                       source_query=display.source_query, facet_items=display.facet_items,
                       facet_filter=display.facet_filter, mark_terms=display.mark_terms)
    # names (paths, members, sheets) shown inert: controls and bidi overrides as visible marks
    env.filters["name"] = for_page
    return Jinja2Templates(env=env)


# `exhibit serve --workers N`: uvicorn starts each worker process by importing the app by name, so the
# archive and settings cross into the workers through the environment, set by `serve` just before.
WORKER_ARCHIVE_ENV = "EXHIBIT_WEB_ARCHIVE"
WORKER_SETTINGS_ENV = "EXHIBIT_WEB_SETTINGS"


def app_for_worker() -> FastAPI:
    """The app of one of several worker processes (uvicorn factory), as `exhibit serve` configured it."""
    import dataclasses
    import json
    import os

    fields = json.loads(os.environ.get(WORKER_SETTINGS_ENV) or "{}")
    known = {f.name for f in dataclasses.fields(WebSettings)}
    return create_app(Path(os.environ[WORKER_ARCHIVE_ENV]),
                      WebSettings(**{k: v for k, v in fields.items() if k in known}))


def create_app(archive_path: Path, settings: WebSettings | None = None) -> FastAPI:
    """The web app over the archive at `archive_path`."""
    from exhibit.web import (
        api,
        api_workspace,
        pages,
        pages_documents,
        pages_people,
        pages_redact,
        pages_versions,
        pages_workspace,
    )

    settings = settings or WebSettings()
    app = FastAPI(title="exhibit", version=__version__, docs_url=None, redoc_url=None, openapi_url=None,
                  description="The exhibit archive's JSON API. Every endpoint needs a signed-in session "
                              "(cookie from POST /login); POST endpoints also need the X-CSRF-Token header "
                              "(GET /api/me returns it).")
    app.state.web = WebState(archive_path, settings)
    app.state.templates = templates()
    # the last added is the outermost: the deadline's 503 gets the security headers too
    app.add_middleware(Deadline, seconds=settings.request_deadline_s)
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(pages_people.router)
    app.include_router(pages_redact.router)
    app.include_router(pages_documents.router)
    app.include_router(pages_versions.router)
    app.include_router(pages_versions.api)
    app.include_router(pages_workspace.router)
    app.include_router(api.router)
    app.include_router(api_workspace.api)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(exc.next_url, safe='')}", status_code=303)

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError) -> Response:
        # a capability refused what was asked (nothing extracted yet, a bad name...): say so, as a 400
        return await http_error(request, StarletteHTTPException(400, str(exc)))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # a number out of its declared bounds (bounds.py), a word too long, a field missing: 404 when the
        # path names nothing that can exist, 400 for the query or form; said in words, not as pydantic's list
        errors = list(exc.errors())
        in_path = any(e.get("loc", ("",))[0] == "path" for e in errors)
        return await http_error(request, StarletteHTTPException(404 if in_path else 400, _invalid(errors)))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api") or request.url.path.startswith("/static"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        sess = current_session(request) if exc.status_code != 404 or request.cookies else None
        resp: Response = app.state.templates.TemplateResponse(
            request, "error.html", {"me": sess.user if sess else None, "csrf": sess.csrf if sess else "",
                                    "status": exc.status_code, "detail": exc.detail, "nav": ""},
            status_code=exc.status_code, headers=getattr(exc, "headers", None))
        return resp
    return app


def _invalid(errors: list[dict[str, object]]) -> str:
    """What was wrong with the request's parameters and what to do, in one sentence per parameter."""
    parts = []
    for e in errors[:5]:
        raw = e.get("loc")
        loc = [str(x) for x in raw] if isinstance(raw, tuple | list) else []
        where, name = (loc[0], ".".join(loc[1:])) if len(loc) > 1 else ("request", "".join(loc))
        given = e.get("input")
        shown = given if isinstance(given, str | int) else None
        if isinstance(shown, str) and len(shown) > 40:
            shown = shown[:40] + f"... ({len(shown)} characters)"
        value = f" (given {shown!r})" if shown is not None else ""
        what = {"path": "in the address", "query": "in the address's query", "body": "in the form"}.get(where, "")
        parts.append(f"{name} {what}{value}: {e.get('msg', 'not valid')}")
    fix = "Correct the address (or the form) and try again; /api/docs lists every parameter and its bounds."
    return "; ".join(parts) + ". " + fix
