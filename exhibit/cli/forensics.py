"""`exhibit forensics`, `similar`, `versions`, `diff` and `timeline`: thin over exhibit.documents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from exhibit.archive import Archive, ex_id, scratch
from exhibit.cli.common import ArchiveOpt, JsonOpt, RichProgress, console, open_archive, out, print_json
from exhibit.documents import forensics, textdiff, timeline, versions
from exhibit.errors import UserError

ThresholdOpt = Annotated[float | None, typer.Option(
    "--threshold", min=0.0, max=1.0, help=f"Estimated similarity from which two texts are versions "
                                          f"(default {versions.DEFAULT_THRESHOLD}).", show_default=False)]


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root app."""
    app.command("forensics")(forensics_cmd)
    app.command("similar")(similar_cmd)
    app.command("versions")(versions_cmd)
    app.command("diff")(diff_cmd)
    app.command("timeline")(timeline_cmd)


def _synced(archive: Path | None, quiet: bool) -> Archive:
    """The archive with versions and PDF revisions caught up (nothing to do when nothing changed)."""
    arch = open_archive(archive)
    with RichProgress(quiet=quiet) as progress:
        versions.sync(arch, progress)
    return arch


def forensics_cmd(ids: Annotated[list[str] | None, typer.Argument(help="Exhibits (default: all).")] = None,
                  archive: ArchiveOpt = None, as_json: JsonOpt = False) -> None:
    """What the bytes of each file say about how it was made and changed (findings, never verdicts)."""
    with _synced(archive, as_json) as arch:
        seqs = [arch.resolve(i) for i in ids] if ids else [e.seq for e in arch.exhibits()]
        f = forensics.Forensics(arch)
        found = [(s, f.findings(s)) for s in seqs]
    if as_json:
        print_json({"exhibits": [{"id": ex_id(s), "findings": [x.as_json() for x in fs]} for s, fs in found]})
        return
    for s, fs in found:
        if not fs and not ids:
            continue
        out.print(f"[bold]{ex_id(s)}[/] {len(fs)} finding(s)")
        for x in fs:
            page = f" p.{x.page}" if x.page else ""
            out.print(f"  {x.code}{page}: {escape(x.detail)}", highlight=False)


def similar_cmd(id: Annotated[str, typer.Argument(help="An exhibit.")], archive: ArchiveOpt = None,
                as_json: JsonOpt = False, threshold: ThresholdOpt = None) -> None:
    """Exhibits whose texts are versions of this one's (MinHash estimate of shingle similarity)."""
    with _synced(archive, as_json) as arch:
        found = versions.similar(arch, arch.resolve(id), threshold)
        titles = {e.seq: e.path for e in arch.exhibits([f.seq for f in found])}
    if as_json:
        print_json([f.as_json() for f in found])
        return
    t = Table("id", "similarity", "path")
    for f in found:
        t.add_row(f.id, f"{f.similarity:.2f}", escape(titles.get(f.seq, "")))
    out.print(t)


def versions_cmd(archive: ArchiveOpt = None, as_json: JsonOpt = False, threshold: ThresholdOpt = None) -> None:
    """Clusters of versions: exhibits linked by similarity at or above the threshold."""
    with _synced(archive, as_json) as arch:
        found = versions.clusters(arch, threshold)
        paths = {e.seq: e.path for e in arch.exhibits(sorted({m for c in found for m in c.members}))}
    if as_json:
        print_json([{**c.as_json(), "paths": [paths.get(m, "") for m in c.members]} for c in found])
        return
    for n, c in enumerate(found, 1):
        out.print(f"[bold]cluster {n}[/] ({len(c.members)} exhibits)")
        for m in c.members:
            out.print(f"  {ex_id(m)}  {escape(paths.get(m, ''))}", highlight=False)


def diff_cmd(left: Annotated[str, typer.Argument(help="The first version.")],
             right: Annotated[str, typer.Argument(help="The second version.")],
             archive: ArchiveOpt = None, as_json: JsonOpt = False,
             all_rows: Annotated[bool, typer.Option("--all", help="Show equal passages too.")] = False) -> None:
    """Two versions side by side, page by page (or as whole texts when their page counts differ)."""
    with open_archive(archive) as arch:
        d = textdiff.diff(arch, arch.resolve(left), arch.resolve(right))
    if as_json:
        print_json(d.as_json())
        return
    t = Table("", f"{ex_id(d.left)}", f"{ex_id(d.right)}", expand=True)
    for r in d.rows if all_rows else d.changed:
        mark = {"equal": " ", "changed": "~", "only_left": "-", "only_right": "+"}[str(r.op)]
        t.add_row(mark, escape(f"p.{r.left.page} {r.left.text}") if r.left else "",
                  escape(f"p.{r.right.page} {r.right.text}") if r.right else "")
    out.print(t)
    console.print("identical texts" if d.identical else f"{len(d.changed)} passage(s) differ")


def timeline_cmd(archive: ArchiveOpt = None, as_json: JsonOpt = False,
                 chart: Annotated[Path | None, typer.Option("--chart", help="Also draw the timeline as a PNG.")] = None,
                 kind: Annotated[list[str] | None, typer.Option("--kind", help="Only these kinds of dates: "
                                 + ", ".join(timeline.TimeKind))] = None,
                 id: Annotated[str | None, typer.Option("--id", help="Only the dates of this exhibit.")] = None,
                 start: Annotated[str | None, typer.Option("--from", help="From this day (YYYY-MM-DD).")] = None,
                 end: Annotated[str | None, typer.Option("--to", help="To this day (YYYY-MM-DD).")] = None) -> None:
    """Every date the archive knows, with its evidence: document and file dates, photos, registers, custody."""
    try:
        kinds = {timeline.TimeKind(k) for k in kind or []}
    except ValueError as e:
        raise UserError(f"--kind: one of {', '.join(timeline.TimeKind)}") from e
    with open_archive(archive) as arch:
        pts = timeline.select(timeline.points(arch), kinds, arch.resolve(id) if id else None, start, end)
        if chart is not None:
            scratch.confine_matplotlib(arch.root)  # matplotlib's caches stay inside the archive
            timeline.chart(pts, chart)
            console.print(f"chart: {chart}")
    if as_json:
        print_json({"points": [p.as_json() for p in pts]})
        return
    for p in pts:
        who = ex_id(p.exhibit_seq) if p.exhibit_seq else ""
        out.print(f"{p.when}  {p.kind:<14} {who:<10} {escape(p.label)}", highlight=False)
