"""The one progress protocol: long work (ingest, indexing, records extraction, OCR, linking) reports
through it; the CLI draws it with Rich, the web app can show it, the library stays silent by default."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """What long work tells whoever watches it. Every call is cheap and may be made from the thread
    doing the work; a drawer that needs another thread takes care of that itself."""

    def start(self, task: str, total: int | None = None) -> None:
        """A phase begins: `task` in the user's words ("ingest", "index", "records"), with the number
        of units it will take when known."""

    def total(self, total: int) -> None:
        """The number of units became known (or changed) after the phase started."""

    def advance(self, n: int = 1, item: str | None = None, *, failed: int = 0, nbytes: int = 0) -> None:
        """`n` units are done; `item` names the last one (a file's path, an exhibit's ID); `failed` of
        them had a problem; `nbytes` were read."""

    def working_on(self, item: str) -> None:
        """Work on `item` has been handed out (shown while it lasts: a large file can take minutes)."""

    def note(self, message: str) -> None:
        """Something the user should read (a skipped file, a retry), not an error that stops the work."""

    def finish(self) -> None:
        """The phase is over."""


class Silent:
    """The default: progress goes nowhere."""

    def start(self, task: str, total: int | None = None) -> None:
        return None

    def total(self, total: int) -> None:
        return None

    def advance(self, n: int = 1, item: str | None = None, *, failed: int = 0, nbytes: int = 0) -> None:
        return None

    def working_on(self, item: str) -> None:
        return None

    def note(self, message: str) -> None:
        return None

    def finish(self) -> None:
        return None


SILENT: Progress = Silent()
