"""The `exhibit` command: a thin layer over the library; each capability registers its own commands."""

from __future__ import annotations

import importlib
import sys

import typer

from exhibit.cli.common import console, shown
from exhibit.errors import ExhibitError

app = typer.Typer(
    name="exhibit",
    help="exhibit: preserve, read, search, check, link and cite a cache of leaked documents.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Each module has `register(app)`; the order is the order of `exhibit --help`.
COMMAND_MODULES = ["archive", "ocr", "search", "records", "link", "coding", "reports", "documents", "forensics",
                   "redact", "workspace", "web"]
for _name in COMMAND_MODULES:
    importlib.import_module(f"exhibit.cli.{_name}").register(app)


def main() -> None:
    """Entry point: expected failures become a one-line message and exit code 2, never a traceback."""
    try:
        app()
    except ExhibitError as e:
        console.print(f"[bold red]error:[/] {shown(e)}", highlight=False)
        sys.exit(2)
