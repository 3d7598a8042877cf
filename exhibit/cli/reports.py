"""Commands for reports: `report check|render` and `translation link|ls`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from exhibit.cli.common import ArchiveOpt, JsonOpt, console, open_archive, out, print_json, shown
from exhibit.cli.workspace import draft_cmd
from exhibit.reports import FORMATS, ReportCheck, ReportHasErrors, check_report, render_report
from exhibit.reports import link as link_translation
from exhibit.reports import links as translation_links

_STYLE = {"ok": "green", "info": "dim", "warning": "yellow", "error": "bold red"}


def register(app: typer.Typer) -> None:
    report = typer.Typer(help="Check a Markdown report's exhibit citations and render it with footnotes.",
                         no_args_is_help=True)
    report.command("check")(check_cmd)
    report.command("render")(render_cmd)
    report.command("draft")(draft_cmd)
    app.add_typer(report, name="report")
    translation = typer.Typer(help="Record which exhibit translates which.", no_args_is_help=True)
    translation.command("link")(translation_link_cmd)
    translation.command("ls")(translation_ls_cmd)
    app.add_typer(translation, name="translation")


ReportArg = Annotated[Path, typer.Argument(metavar="REPORT.md", help="A Markdown report citing exhibits.")]


def check_cmd(report: ReportArg, archive: ArchiveOpt = None, as_json: JsonOpt = False) -> None:
    """Give every citation a verdict (resolved, found, ...); exit 1 on any error."""
    with open_archive(archive) as arch:
        result = check_report(arch, report)
    if as_json:
        print_json(result.as_json())
    else:
        _print_check(result)
    if not result.ok:
        raise typer.Exit(1)


def _print_check(result: ReportCheck) -> None:
    t = Table(title=f"citations in {result.path}")
    t.add_column("at", no_wrap=True)
    t.add_column("citation")
    t.add_column("verdict", no_wrap=True)
    t.add_column("message", ratio=1)
    for c in result.citations:
        cit = c.citation
        style = _STYLE[c.severity]
        ref = cit.ref if not c.id or c.id == cit.ref else f"{cit.ref} ({c.id})"
        t.add_row(f"{cit.line}:{cit.column}", shown(ref + (f", {cit.locator}" if cit.locator else "")),
                  f"[{style}]{c.outcome}[/]", shown(c.message))
    out.print(t)
    style = "green" if result.ok else "bold red"
    console.print(f"[{style}]{len(result.citations)} citations: {result.errors} errors, "
                  f"{result.warnings} warnings[/]")


def render_cmd(
    report: ReportArg,
    to: Annotated[str, typer.Option("--to", help=f"Output format: {', '.join(FORMATS)}.")] = "html",
    out_path: Annotated[Path | None, typer.Option("--out", "-o", help="Output file (default: REPORT.<format>).")]
    = None,
    force: Annotated[bool, typer.Option("--force", help="Render despite errors, marking those notes NOT VERIFIED.")]
    = False,
    viewer: Annotated[str | None, typer.Option(help="Link notes to the web viewer at this address "
                                                    "(e.g. http://127.0.0.1:8000).")] = None,
    archive: ArchiveOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Render the report with numbered footnotes and an annex of the cited exhibits (logs custody)."""
    with open_archive(archive) as arch:
        try:
            done = render_report(arch, report, to, out_path, force=force, viewer=viewer)
        except ReportHasErrors as e:
            if as_json:
                print_json({"error": str(e), **e.check.as_json()})
            else:
                _print_check(e.check)
                console.print(f"[bold red]error:[/] {shown(str(e))}")
            raise typer.Exit(1) from None
    if as_json:
        print_json(done.as_json())
    else:
        console.print(f"Wrote {done.out} ({done.format}, {len(done.check.citations)} citations, "
                      f"{done.check.warnings} warnings), SHA-256 {done.sha256}")


def translation_link_cmd(
    original: Annotated[str, typer.Argument(metavar="EX-A", help="The original (ID or SHA-256 prefix).")],
    translation: Annotated[str, typer.Argument(metavar="EX-B", help="Its translation.")],
    archive: ArchiveOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record that EX-B translates EX-A (a custody event on EX-B)."""
    with open_archive(archive) as arch:
        link, new = link_translation(arch, original, translation)
    if as_json:
        print_json({**link.as_json(), "new": new})
    else:
        console.print(f"{link.translation} translates {link.original}" + ("" if new else " (already recorded)"))


def translation_ls_cmd(archive: ArchiveOpt = None, as_json: JsonOpt = False) -> None:
    """The recorded translations."""
    with open_archive(archive) as arch:
        found = translation_links(arch)
    if as_json:
        print_json([x.as_json() for x in found])
        return
    t = Table("original", "translation", "linked", "by")
    for x in found:
        t.add_row(x.original, x.translation, x.linked, shown(x.actor))
    out.print(t)
