"""What every command shares: the --archive option, opening the archive, JSON output, error exits."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import rich.progress
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from exhibit.archive import Archive
from exhibit.config import default_archive_path
from exhibit.text.display import for_terminal, text_for_terminal

console = Console(stderr=True)  # human-readable chatter goes to stderr; stdout is for results/JSON
out = Console()

ArchiveOpt = Annotated[
    Path | None,
    typer.Option("--archive", "-a", help="Archive folder (default: $EXHIBIT_ARCHIVE, else ./exhibit-archive).",
                 show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print exactly one JSON document on stdout.")]


def archive_path(archive: Path | None) -> Path:
    return archive if archive is not None else default_archive_path()


def open_archive(archive: Path | None, create: bool = False) -> Archive:
    return Archive.open(archive_path(archive), create=create)


# What json.dumps leaves raw with ensure_ascii=False and a terminal would act on: DEL and C1 controls
# (U+009B is a CSI), bidi and other invisible format characters, lone surrogates (unwritable as UTF-8).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]")


def print_json(obj: Any) -> None:
    """One JSON document on stdout, Chinese and Uyghur as themselves; every character a terminal would
    act on written as a \\u escape (the same JSON value, inert on a screen)."""
    doc = json.dumps(obj, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", doc) + "\n")
    sys.stdout.flush()


def shown(s: object) -> str:
    """A name or short value from the archive (or any message holding one) inside a Rich markup string:
    controls and bidi overrides made visible (exhibit.text.display), then markup escaped, so that a name
    like `[/x]` or one carrying an ESC sequence prints as itself."""
    return escape(for_terminal(str(s)))


def shown_text(s: str) -> str:
    """A page text or snippet inside a Rich markup string: like `shown`, keeping newlines and tabs."""
    return escape(text_for_terminal(s))


def cell(s: object) -> Text:
    """A table cell that holds a name: inert (see `shown`), and never read as markup."""
    return Text(for_terminal(str(s)))


def fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[bold red]error:[/] {shown(message)}", highlight=False)
    return typer.Exit(code)


class RichProgress:
    """The library's progress protocol (exhibit.progress) drawn as a Rich bar on stderr: one bar per phase,
    with units done of the total, megabytes read, problems, elapsed time and the current item. Silent when
    stderr is not a terminal or the command prints JSON."""

    def __init__(self, quiet: bool = False) -> None:
        self._bar = rich.progress.Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[mb]}"), TextColumn("[red]{task.fields[failed]}"), TimeElapsedColumn(),
            TextColumn("{task.fields[item]}", markup=False),
            console=console, disable=quiet or not console.is_terminal, transient=False)
        self._task: rich.progress.TaskID | None = None
        self._done = self._failed = self._bytes = 0

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()
        self._bar.stop()

    def start(self, task: str, total: int | None = None) -> None:
        self.finish()
        self._done = self._failed = self._bytes = 0
        self._task = self._bar.add_task(shown(task), total=total, mb="", failed="", item="")

    def total(self, total: int) -> None:
        if self._task is not None:
            self._bar.update(self._task, total=total)

    def advance(self, n: int = 1, item: str | None = None, *, failed: int = 0, nbytes: int = 0) -> None:
        if self._task is None:
            return
        self._done += n
        self._failed += failed
        self._bytes += nbytes
        self._bar.update(self._task, advance=n, item=_shown(item) if item is not None else "",
                         mb=f"{self._bytes / 1e6:.1f} MB" if self._bytes else "",
                         failed=f"{self._failed} failed" if self._failed else "")

    def working_on(self, item: str) -> None:
        if self._task is not None:
            self._bar.update(self._task, item=_shown(item))

    def note(self, message: str) -> None:
        self._bar.console.print(shown(message), highlight=False)

    def finish(self) -> None:
        if self._task is not None:
            self._bar.update(self._task, total=max(self._done, 1), completed=self._done, item="done")
            self._task = None


def _shown(item: str) -> str:
    """The tail of a long item (a deep path), as the bar has one line for it, made inert (the column
    does not read markup)."""
    item = for_terminal(item)
    return item if len(item) <= 60 else "..." + item[-57:]
