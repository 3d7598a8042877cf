"""`exhibit records ...`: registers to person records, their checks, and exports (thin over exhibit.records)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from exhibit import checks
from exhibit import records as rec
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
from exhibit.records.mapping import dump

records_app = typer.Typer(help="Registers to person records; authenticity checks; exports.",
                          no_args_is_help=True)

MappingOpt = Annotated[Path | None, typer.Option("--mapping", help="A mapping YAML (see --show-mapping) that "
                                                 "corrects or adds column mappings.", show_default=False)]
RegisterOpt = Annotated[str | None, typer.Option("--register", help="Only this register: its path, exhibit "
                                                 "ID or SHA-256 prefix.", show_default=False)]


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root app."""
    app.add_typer(records_app, name="records")


@records_app.command("extract")
def extract_cmd(archive: ArchiveOpt = None, mapping: MappingOpt = None,
                show_mapping: Annotated[bool, typer.Option("--show-mapping", help="Print the detected column "
                                          "mapping as a mapping file and store nothing.")] = False,
                as_json: JsonOpt = False,
                actor: Annotated[str | None, typer.Option(help="Who is extracting (kept with the mapping used; "
                                                          "default: the OS user).")] = None) -> None:
    """Find the registers among all tables and turn every row into a sourced person record."""
    arch = open_archive(archive)
    try:
        with RichProgress(quiet=as_json) as progress:
            summary = rec.extract(arch, mapping=mapping, progress=progress, show_mapping=show_mapping, actor=actor)
        if show_mapping:
            if as_json:
                print_json(summary["mapping"])
            else:
                sys.stdout.write(dump(summary["mapping"]))
            return
        per = {r["table_id"]: r for r in checks.summary(arch)}
        for r in summary["registers"]:
            r["anomalies"] = per.get(r["table_id"], {}).get("anomalies", {})
            r["mapping_edit"] = per.get(r["table_id"], {}).get("mapping_edit")
        if as_json:
            print_json(summary)
        else:
            _print_registers(summary["registers"])
            for r in summary["registers"]:
                for u in r.get("unmapped") or ():
                    console.print(shown_text(u["message"]), highlight=False)
            console.print(f"{summary['records']} records from "
                          f"{sum(1 for r in summary['registers'] if r['status'] == 'register')} register tables.")
    finally:
        arch.close()


def _rows_text(rows: list[int], limit: int = 8) -> str:
    s = ", ".join(str(r) for r in rows[:limit])
    return s + (f" (+{len(rows) - limit})" if len(rows) > limit else "")


def _print_registers(regs: list[dict[str, Any]]) -> None:
    t = Table(title="Registers", show_lines=False)
    for c in ("exhibit", "path", "table", "status", "records", "anomalies (code: rows)"):
        t.add_column(c, overflow="fold")
    for r in regs:
        if r["status"] == "register":
            an = "\n".join(f"{c}: {_rows_text(rows)}" for c, rows in (r.get("anomalies") or {}).items()) or "none"
        else:
            an = shown((r.get("reason") or "").split(";")[0])
        t.add_row(r["id"], shown(r["path"] or ""), shown(str(r["table"])), r["status"], str(r["records"]), an)
    out.print(t)


@records_app.command("ls")
def ls_cmd(archive: ArchiveOpt = None, as_json: JsonOpt = False, register: RegisterOpt = None,
           limit: Annotated[int | None, typer.Option("--limit", help="At most this many records.")] = None) -> None:
    """The person records, in source order, with their provenance."""
    arch = open_archive(archive)
    try:
        items = rec.records(arch, register=register, limit=limit)
        if as_json:
            print_json([r.as_json() for r in items])
            return
        t = Table(title="Records")
        for c in ("record", "name", "ID number", "gender", "birth", "age", "source"):
            t.add_column(c, overflow="fold")
        n = 0
        for r in items:
            s = r.source
            where = f"{s.id} {s.sheet or s.table or ''}" + (f" p{s.page}" if s.page else "")
            t.add_row(r.record_id, shown(r.name or ""), r.id_number or "", r.gender or "",
                      r.birth_date or "", "" if r.age is None else str(r.age), f"{shown(where)} row {s.row}")
            n += 1
        out.print(t)
        if n == 0:
            console.print("No records. Run `exhibit records extract` after ingesting registers.")
    finally:
        arch.close()


@records_app.command("check")
def check_cmd(archive: ArchiveOpt = None, as_json: JsonOpt = False,
              as_of: Annotated[str | None, typer.Option("--as-of", help="Date the registers speak from, for "
                                                        "age checks (default: each register's own date).")] = None,
              ) -> None:
    """Test each record's ID number for internal consistency; list the records with anomaly codes."""
    arch = open_archive(archive)
    try:
        result = checks.check(arch, as_of=as_of)
        if as_json:
            print_json(result.as_json())
            return
        if result.records == 0:
            console.print("No records to check. Run `exhibit records extract` after ingesting registers.")
            return
        t = Table(title=f"Anomalies in {result.records} records")
        for c in ("record", "name", "ID number", "codes", "source"):
            t.add_column(c, overflow="fold")
        for a in result.anomalies:
            s = a.source
            where = f"{s.id} {s.path} {s.sheet or s.table or ''}" + (f" p{s.page}" if s.page else "") + f" row {s.row}"
            t.add_row(a.record_id, shown(a.name or ""), a.id_number or "", " ".join(a.codes), shown(where))
        out.print(t)
        for code, n in result.counts.items():
            if n:
                console.print(f"[bold]{code}[/] ({n}): {shown(code.explanation)}")
    finally:
        arch.close()


@records_app.command("export")
def export_cmd(archive: ArchiveOpt = None,
               fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or ftm (FollowTheMoney JSON lines).")]
               = "csv",
               out_file: Annotated[Path | None, typer.Option("--out", help="File to write (default: stdout; "
                                                             "xlsx needs one).")] = None,
               identified: Annotated[bool, typer.Option("--identified", help="Real names and ID numbers instead "
                                                        "of pseudonyms; needs --purpose.")] = False,
               purpose: Annotated[str | None, typer.Option("--purpose", help="Why identified data is exported "
                                                           "(recorded in the custody log).")] = None,
               actor: Annotated[str | None, typer.Option("--actor", help="Who exports (default: the OS user).")]
               = None,
               register: RegisterOpt = None) -> None:
    """Export records, pseudonymised unless --identified --purpose TEXT; every export is logged."""
    arch = open_archive(archive)
    try:
        result = rec.export(arch, fmt, out_file, identified=identified, purpose=purpose, actor=actor,
                            register=register, codes=checks.codes_for(arch),
                            stream=sys.stdout if out_file is None else None)
        console.print(f"Exported {result['records']} records as {fmt}"
                      f"{' (identified)' if identified else ' (pseudonymised)'}"
                      f"{' to ' + str(out_file) if out_file else ''}; logged in the custody log.")
    finally:
        arch.close()
