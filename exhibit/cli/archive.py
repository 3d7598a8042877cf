"""Commands for the archive itself: init, ingest, ls, show, verify."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from exhibit import documents
from exhibit.archive import Archive
from exhibit.cli.common import (
    ArchiveOpt,
    JsonOpt,
    RichProgress,
    archive_path,
    cell,
    console,
    open_archive,
    out,
    print_json,
    shown,
    shown_text,
)
from exhibit.cli.search import sync_search
from exhibit.config import DEFAULT_OCR_LANGS, Config, Limits
from exhibit.errors import UserError
from exhibit.ingest import Summary, ingest


def register(app: typer.Typer) -> None:
    app.command("init")(init_cmd)
    cat = typer.Typer(help="Team mode: the catalog on PostgreSQL (docs/team.md).", no_args_is_help=True)
    cat.command("copy")(catalog_copy_cmd)
    cat.command("grant-app")(catalog_grant_cmd)
    app.add_typer(cat, name="catalog")
    app.command("ingest")(ingest_cmd)
    app.command("ls")(ls_cmd)
    app.command("show")(show_cmd)
    app.command("verify")(verify_cmd)


def init_cmd(archive: ArchiveOpt = None,
             catalog: Annotated[str | None, typer.Option(
                 envvar="EXHIBIT_CATALOG",
                 help="Team mode: the catalog on PostgreSQL, postgresql://USER@HOST/DB (blobs, OCR cache and "
                      "search index stay in the archive folder).")] = None) -> None:
    """Create an empty archive."""
    root = archive_path(archive)
    existed = (root / "exhibit.json").exists()
    Archive.init(root, catalog or None).close()
    where = f" (catalog on {catalog})" if catalog else ""
    console.print(f"{'Archive already exists' if existed else 'Created archive'} at {shown(root)}{where}")


def catalog_copy_cmd(
    to: Annotated[str, typer.Option("--to", help="postgresql://USER@HOST/DB, or `sqlite` for catalog.sqlite in "
                                               "the archive folder.")],
    archive: ArchiveOpt = None,
    actor: Annotated[str | None, typer.Option(help="Who is moving the catalog (default: the OS user).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Move the archive's catalog to the other engine: copy, verify (counts, manifest hash, custody chain),
    record the move as a custody event, and point the archive at the copy."""
    from exhibit.archive.move import copy_catalog

    arch = Archive.open(archive_path(archive))
    moved = copy_catalog(arch, to, actor)
    if as_json:
        print_json(moved.as_json())
        return
    console.print(f"Copied the catalog to {moved.target} and verified it: {moved.counts['exhibits']} exhibits, "
                  f"{moved.custody_events} custody events, manifest {moved.manifest_sha256[:16]}...")


def catalog_grant_cmd(
    role: Annotated[str, typer.Argument(help="The database role the web app connects as.")],
    archive: ArchiveOpt = None,
) -> None:
    """Let a PostgreSQL role read and write the catalog, but never UPDATE or DELETE custody events."""
    from exhibit.archive import catalog

    with Archive.open(archive_path(archive)) as arch:
        if arch.dialect.value != "postgresql":
            raise UserError(f"{arch.root}: the catalog is SQLite; database roles exist in team mode only "
                            "(`exhibit catalog copy --to postgresql://...`).")
        _make_capability_tables(arch)
        catalog.grant_app_role(arch.catalog, role)
    console.print(f"{role} may read and write the catalog; custody events it can only append.")


def _make_capability_tables(arch: Archive) -> None:
    """Every capability's tables, made by the owner: the app's role may create none (docs/team.md)."""
    from exhibit.coding import store as coding_store
    from exhibit.documents import store as documents_store
    from exhibit.documents.versions_store import SCHEMA as versions_schema
    from exhibit.link import store as link_store
    from exhibit.records import store as records_store
    from exhibit.reports import translations
    from exhibit.web import accounts
    from exhibit.workspace import store as workspace_store

    for ensure in (records_store.ensure, link_store.ensure, coding_store.ensure, workspace_store.ensure,
                   translations.ensure):
        ensure(arch.catalog)
    documents_store.create(arch)
    arch.catalog.ensure(versions_schema)
    accounts.ensure_schema(arch)


def ingest_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders to preserve and process.")],
    archive: ArchiveOpt = None,
    source: Annotated[str | None, typer.Option(help="A label for where these files came from.")] = None,
    custodian: Annotated[str | None, typer.Option(help="Who is ingesting (default: the OS user).")] = None,
    password: Annotated[list[str] | None, typer.Option("--password", help="Password to try on encrypted files.")] = None,
    ocr_langs: Annotated[str, typer.Option(help="OCR languages, Tesseract style.")] = DEFAULT_OCR_LANGS,
    no_ocr: Annotated[bool, typer.Option("--no-ocr", help="Skip OCR of images and scanned pages.")] = False,
    jobs: Annotated[int, typer.Option(help="Worker processes (default: number of cores).")] = 0,
    spark: Annotated[str | None, typer.Option(help="Parse on Apache Spark at this master URL (local[2], "
                                              "spark://HOST:7077); the archive folder must be shared with "
                                              "the executors.")] = None,
    max_member_mb: Annotated[int | None, typer.Option(help="Expansion limit: MB inflated per container member.")] = None,
    max_total_mb: Annotated[int | None, typer.Option(help="Expansion limit: MB inflated per top-level file.")] = None,
    max_ratio: Annotated[float | None, typer.Option(help="Expansion limit: inflated/compressed ratio.")] = None,
    max_depth: Annotated[int | None, typer.Option(help="Expansion limit: nesting depth of containers.")] = None,
    max_members: Annotated[int | None, typer.Option(help="Expansion limit: members per container.")] = None,
    max_total_members: Annotated[int | None, typer.Option(help="Expansion limit: members of a file and the containers inside it together (default 500000).")] = None,
    max_columns: Annotated[int | None, typer.Option(help="Limit: columns kept per table row (default 16384).")] = None,
    max_span_cells: Annotated[int | None, typer.Option(help="Limit: cells HTML colspan/rowspan may add per page (default 1000000).")] = None,
    # Containment limits (issue 13, part "contain"): hold whatever the format; see docs/ingest.md.
    max_memory_mb: Annotated[int | None, typer.Option(help="Limit: MB of address space per worker process (default 8192).")] = None,
    max_cpu_seconds: Annotated[int | None, typer.Option(help="Limit: CPU seconds per file, members included (default 600).")] = None,
    max_seconds: Annotated[int | None, typer.Option(help="Limit: wall-clock seconds per file, members included (default 900).")] = None,
    max_scratch_mb: Annotated[int | None, typer.Option(help="Limit: MB of scratch disk per file (default 16384).")] = None,
    max_pages: Annotated[int | None, typer.Option(help="Limit: pages kept per exhibit (default 100000).")] = None,
    max_chars: Annotated[int | None, typer.Option(help="Limit: characters of text kept per exhibit (default 268435456).")] = None,
    max_rows: Annotated[int | None, typer.Option(help="Limit: table rows kept per exhibit (default 10000000).")] = None,
    max_cells: Annotated[int | None, typer.Option(help="Limit: table cells kept per exhibit (default 200000000).")] = None,
    max_pixels: Annotated[int | None, typer.Option(help="Limit: pixels per image or page rendered for OCR (default 89478485).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Preserve and process files and folders, recursively, with a progress bar."""
    for p in paths:
        if not p.is_symlink() and not p.exists():  # a link is listed with its target, never followed
            raise UserError(f"{p}: no such file or folder. Check the path and try again.")
    root = archive_path(archive)
    arch = Archive.open(root, create=True)
    limits = Limits()
    changes: dict[str, Any] = {"member_bytes": max_member_mb and max_member_mb * 1024 * 1024,
               "total_bytes": max_total_mb and max_total_mb * 1024 * 1024,
               "ratio": max_ratio, "depth": max_depth, "members": max_members,
               "total_members": max_total_members, "columns": max_columns, "span_cells": max_span_cells,
               # containment (part "contain")
               "memory_bytes": max_memory_mb and max_memory_mb * 1024 * 1024, "cpu_seconds": max_cpu_seconds,
               "wall_seconds": max_seconds, "scratch_bytes": max_scratch_mb and max_scratch_mb * 1024 * 1024,
               "pages": max_pages, "chars": max_chars, "rows": max_rows, "cells": max_cells,
               "image_pixels": max_pixels}
    limits = dataclasses.replace(limits, **{k: v for k, v in changes.items() if v is not None})
    config = Config(jobs=jobs or os.cpu_count() or 1, spark=spark, ocr_langs=ocr_langs, ocr=not no_ocr,
                    passwords=tuple(password or ()), custodian=custodian, source=source, limits=limits)
    summary = _run_with_progress(arch, paths, config, quiet=as_json)
    sync_search(arch, quiet=as_json)
    documents.sync(arch)
    if as_json:
        print_json(summary.as_json())
    else:
        _print_summary(summary)
    arch.close()


def _run_with_progress(arch: Archive, paths: list[Path], config: Config, quiet: bool) -> Summary:
    with RichProgress(quiet=quiet) as progress:
        return ingest(arch, paths, config, progress)


def _print_summary(s: Summary) -> None:
    if s.new_exhibits == 0 and s.new_paths == 0 and not s.problems:
        console.print(f"Nothing new: {s.files} files, all already in the archive "
                      f"({s.unchanged} unchanged since the last ingest).")
        return
    console.print(f"[bold]{s.files}[/] files ({s.bytes / 1e6:.1f} MB): {s.new_exhibits} new exhibits, "
                  f"{s.new_paths} new paths of known exhibits, {s.unchanged} unchanged.")
    t = Table("status", "exhibits", title="new exhibits by status")
    for status, n in sorted(s.by_status.items()):
        t.add_row(status, str(n))
    console.print(t)
    if s.problems:
        p = Table("id", "path", "status", "reason",
                  title="files with problems (preserved all the same, except the unreadable)")
        for pr in s.problems:
            p.add_row(pr["id"] or "-", cell(pr["path"]), pr["status"], cell(pr["reason"] or ""))
        console.print(p)


def ls_cmd(archive: ArchiveOpt = None, as_json: JsonOpt = False,
           status: Annotated[str | None, typer.Option(help="Only exhibits with this status.")] = None) -> None:
    """The exhibits."""
    arch = open_archive(archive)
    items = [e.as_json() for e in arch.exhibits() if status is None or e.status == status]
    if as_json:
        print_json(items)
        return
    t = Table("id", "sha256", "size", "type", "status", "pages", "path")
    for e in items:
        t.add_row(e["id"], e["sha256"][:12], str(e["size"]), e["media_type"] or "", e["status"],
                  str(e["pages"]),
                  cell((e["paths"] or [""])[0] + (f" (+{len(e['paths']) - 1})" if len(e["paths"]) > 1 else "")))
    out.print(t)


def show_cmd(exhibit_id: Annotated[str, typer.Argument(metavar="ID", help="EX-000012 or a SHA-256 prefix.")],
             archive: ArchiveOpt = None, as_json: JsonOpt = False,
             text: Annotated[bool, typer.Option("--text", help="Include page texts.")] = False) -> None:
    """One exhibit: metadata, paths, custody events, pages."""
    arch = open_archive(archive)
    e = arch.detail(arch.resolve(exhibit_id)).as_json(text=text)
    if as_json:
        print_json(e)
        return
    pages = e["pages"]
    out.print(f"[bold]{e['id']}[/]  {e['sha256']}")
    for k in ("media_type", "size", "status", "reason", "title", "lang", "parent", "first_received"):
        if e.get(k) is not None:
            out.print(f"  {k}: {shown(e[k])}", highlight=False)
    out.print("  paths:")
    for p, raw in zip(e["paths"], e["path_bytes"], strict=True):
        original = f"  (bytes {raw['hex']}, {raw['encoding'] or 'utf-8'})" if raw else ""
        out.print(f"    {shown(p)}{original}", highlight=False)
    if e["metadata"]:
        out.print("  metadata:")
        for k, v in e["metadata"].items():
            out.print(f"    {shown(k)}: {shown(v)}", highlight=False)
    out.print(f"  custody ({len(e['custody'])} events):")
    for ev in e["custody"]:
        out.print(f"    {ev['time']}  {ev['event']:<14} {shown(ev['actor'])}  {shown(ev['tool'])}", highlight=False)
    for p in pages:
        out.print(f"  page {p['number']} ({p['source']}, {p['chars']} chars)")
        if text:
            out.print(shown_text(p["text"]), highlight=False)


def verify_cmd(archive: ArchiveOpt = None, as_json: JsonOpt = False,
               custodian: Annotated[str | None, typer.Option(help="Who is verifying.")] = None) -> None:
    """Re-hash every blob and check the custody log; exit 1 on any mismatch."""
    from exhibit.archive.verify import verify

    arch = open_archive(archive)
    with Progress(TextColumn("[bold]verify"), BarColumn(), MofNCompleteColumn(), console=console,
                  disable=as_json or not console.is_terminal) as progress:
        bar = progress.add_task("verify", total=None)
        result = verify(arch, on_progress=lambda i, n: progress.update(bar, completed=i, total=n), actor=custodian)
    if as_json:
        print_json(result)
    else:
        if result["ok"]:
            out.print(f"[green]OK[/]: {result['exhibits']} exhibits verified, custody chain intact.")
        else:
            t = Table("id", "sha256", "problem", title="verification FAILED")
            for p in result["problems"]:
                t.add_row(str(p["id"]), (p["sha256"] or "")[:16], cell(p["problem"]))
            out.print(t)
        out.print(f"manifest_sha256: {result['manifest_sha256']}")
    if not result["ok"]:
        raise typer.Exit(1)
