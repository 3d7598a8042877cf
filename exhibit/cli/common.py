"""What every command shares: the --archive option, opening the archive, JSON output, error exits."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from exhibit.archive import Archive
from exhibit.config import default_archive_path

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


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    return typer.Exit(code)
