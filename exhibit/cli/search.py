"""Commands for the search capability: `exhibit search` and `exhibit reindex`."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from exhibit.archive import Archive
from exhibit.archive.custody import os_user
from exhibit.cli.common import (
    ArchiveOpt,
    JsonOpt,
    RichProgress,
    console,
    open_archive,
    out,
    print_json,
    shown,
    shown_text,
)
from exhibit.errors import QueryError

if TYPE_CHECKING:
    from exhibit.search import SearchResult

MAX_HITS = 100_000

# exhibit.search is imported by the commands that use it: it loads tantivy and numpy, which every other
# command's start would pay for (0.15 s) since the CLI registers all commands.


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root app."""
    app.command("search")(search_cmd)
    app.command("reindex")(reindex_cmd)


def search_cmd(
    query: Annotated[str, typer.Argument(help='Words, "quoted phrases", AND/OR/NOT, prefix*, fuzzy~1, '
                                              "filters like lang:zh type:pdf path:registers/* "
                                              "date:[2017-01-01 TO 2018-12-31] tag:key-evidence note:WORD "
                                              "noted_by:NAME. See docs/search.md.")],
    archive: ArchiveOpt = None,
    as_json: JsonOpt = False,
    # tantivy collects the best offset + limit hits: bounded so that a huge number is a usage error (exit 2),
    # not an OverflowError from tantivy
    limit: Annotated[int, typer.Option(min=0, max=MAX_HITS, help="Hits to show.")] = 10,
    offset: Annotated[int, typer.Option(min=0, max=MAX_HITS, help="Hits to skip (paging).")] = 0,
    facets: Annotated[bool, typer.Option("--facets", help="Count hits per media type, language, source, "
                                                          "folder, status, OCR and year.")] = False,
    group: Annotated[bool, typer.Option("--group", help="One hit per exhibit (its best page or row).")] = False,
    actor: Annotated[str | None, typer.Option("--actor", help="Whose private notes `note:` also searches "
                                                              "(default: the login name).")] = None,
) -> None:
    """Page-level (and spreadsheet row-level) hits, best first."""
    from exhibit import workspace

    with open_archive(archive) as arch:
        try:
            # the workspace resolves tag:, note: and noted_by: (as the login name sees notes) and adds the tag facet
            res = workspace.search(arch, query, viewer=actor or os_user(), limit=limit, offset=offset, facets=facets,
                                   group=group)
        except QueryError as e:
            raise QueryError(f"{e}\n  {query}\n  {' ' * _width(query[:e.position or 0])}^", e.position) from None
    if as_json:
        print_json(res.as_json(html=False))
        return
    _print(res, group)


def _print(res: SearchResult, group: bool) -> None:
    hits = res.hits
    n = res.total
    what = f"{n} hit{'' if n == 1 else 's'}" + (f" in {res.total_exhibits} exhibits" if group else "")
    showing = f", showing {res.offset + 1}-{res.offset + len(hits)}" if hits else ""
    console.print(f"{what}{showing}", highlight=False)
    if hits:
        table = Table(show_lines=False, header_style="bold")
        table.add_column("exhibit", no_wrap=True)
        table.add_column("path", overflow="fold")
        table.add_column("where", no_wrap=True)
        table.add_column("snippet", overflow="fold", ratio=3)
        table.add_column("score", justify="right")
        for h in hits:
            if h.sheet is not None:
                where = f"{shown(h.sheet)} row {h.row}"
            else:
                where = f"p. {h.page}" + (" (OCR)" if h.source == "ocr" else "")
            if h.matches is not None:
                where += f"\n{h.matches.count} matches"
            table.add_row(h.id, shown(h.path or ""), where, _marked(h.snippet), f"{h.score:.2f}")
        out.print(table)
    for name, counts in (res.facets or {}).items():
        if counts:
            console.print(f"[bold]{name}[/]: " + ", ".join(f"{shown(k)} {v}" for k, v in counts.items()),
                          highlight=False)


def _width(s: str) -> int:
    """Terminal columns of `s`: Han and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _marked(snippet: str) -> str:
    """The plain snippet with «marks» shown in bold for the terminal."""
    return shown_text(snippet).replace("«", "[bold yellow]").replace("»", "[/]")


def reindex_cmd(archive: ArchiveOpt = None) -> None:
    """Rebuild the search index from the catalog (it is derived data; nothing is lost)."""
    from exhibit import search, workspace

    with open_archive(archive) as arch, RichProgress() as progress:
        rep = search.rebuild(arch, progress=progress, labels=workspace.Marks(arch, None))
    console.print(f"Indexed {rep.units} pages and rows of {rep.exhibits} exhibits in {rep.seconds:.1f} s.")


def sync_search(arch: Archive, quiet: bool) -> None:
    """Bring the search index up to date with what a command changed in the catalog (ingest, OCR), with a
    progress bar unless the command prints JSON. The exhibits tagged or untagged since they were indexed
    are indexed again with their tags (exhibit.search.Labels)."""
    from exhibit import search, workspace

    with RichProgress(quiet=quiet) as progress:
        search.sync(arch, progress=progress, labels=workspace.Marks(arch, None))
