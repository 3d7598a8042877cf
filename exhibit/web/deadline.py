"""The request deadline: an answer starts within so many seconds, or the client gets a 503 saying so.

Work in a thread cannot be stopped from outside (a page render, a verify run, SQLite), so the deadline does
not cancel it: the middleware stops waiting, answers 503, and lets the work finish in its thread with its
answer dropped. What keeps one request from holding up the others is that each costly kind of work is
bounded on its own (bounds.py: pixels, render slots, term lengths, query nesting); the deadline is the
last line, so that whatever no one foresaw leaves the client with an answer, not a hung connection.
An answer that has started (a download streaming) is never cut.
"""

from __future__ import annotations

import asyncio
import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


class Deadline:
    """Pure ASGI middleware: a 503 when the response has not started `seconds` after the request came in.
    Uses asyncio tasks (uvicorn runs the app on asyncio)."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        abandoned = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if abandoned:  # the client has had its 503; what the late handler says goes nowhere
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        try:
            done, _ = await asyncio.wait({task}, timeout=self.seconds)
        except asyncio.CancelledError:  # the server is stopping or the client went away
            task.cancel()
            raise
        if task in done or started:
            await task
            return
        abandoned = True
        task.add_done_callback(_late)
        path = scope.get("path", "")
        detail = (f"no answer within {self.seconds:g} s, so the server stopped waiting for this request; "
                  f"what it started may still finish in the background (a verify run is logged in the custody "
                  f"log). Narrow the request (fewer hits, a smaller page) or try again later.")
        if path.startswith("/api") or path.startswith("/static"):
            body, media = json.dumps({"detail": detail}).encode(), b"application/json"
        else:
            body, media = detail.encode(), b"text/plain; charset=utf-8"
        await send({"type": "http.response.start", "status": 503,
                    "headers": [(b"content-type", media), (b"content-length", str(len(body)).encode()),
                                (b"retry-after", b"30")]})
        await send({"type": "http.response.body", "body": body})


def _late(task: asyncio.Future[None]) -> None:
    """A request answered with 503 has finished after all: note a failure it ended in (the usual error
    handling has nobody to tell), so that nothing goes unnoticed."""
    if not task.cancelled() and task.exception() is not None:
        log.warning("a request past its deadline failed afterwards", exc_info=task.exception())
