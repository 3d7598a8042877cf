"""Commands for documents: `exhibit anatomy`, `exhibit refs`, `exhibit dossier` (see docs/documents.md)."""

from __future__ import annotations

import typer
from rich.markup import escape

from exhibit.cli.common import ArchiveOpt, JsonOpt, console, open_archive, out, print_json


def register(app: typer.Typer) -> None:
    app.command("anatomy")(anatomy_cmd)
    app.command("refs")(refs_cmd)
    app.command("dossier")(dossier_cmd)


def anatomy_cmd(ref: str = typer.Argument(..., metavar="ID", help="EX-000012 or a SHA-256 prefix."),
                archive: ArchiveOpt = None, as_json: JsonOpt = False) -> None:
    """The elements of an official document or telegram, each with its page and text."""
    from exhibit import documents

    with open_archive(archive) as arch:
        seq = arch.resolve(ref)
        got = documents.anatomy(arch, seq).as_json(arch.exhibit(seq).id)
        found = [f.as_json() for f in documents.findings(arch, seq)]
    if as_json:
        got["findings"] = found
        print_json(got)
        return
    out.print(f"[bold]{got['id']}[/] {got['kind'] or 'not an official document or telegram'}")
    for name, f in got["fields"].items():
        where = f"p. {f['page']}" + (f" l. {f['line']}" if f["line"] else "") if f["page"] else ""
        out.print(f"  {f['label']} ({name}) {where}: {escape(f['value'][:80])}", highlight=False)
    for f in found:
        console.print(f"  [yellow]{f['code']}[/] p. {f['page'] or '-'}: {escape(f['detail'])}", highlight=False)


def refs_cmd(ref: str = typer.Argument(..., metavar="ID", help="EX-000012 or a SHA-256 prefix."),
             archive: ArchiveOpt = None, as_json: JsonOpt = False) -> None:
    """Document numbers this exhibit quotes (resolved to exhibits, or missing) and who quotes it."""
    from exhibit.documents.refs import references

    with open_archive(archive) as arch:
        from exhibit import documents

        seq = arch.resolve(ref)
        documents.anatomy(arch, seq)
        got = references(arch, seq).as_json()
    if as_json:
        print_json(got)
        return
    for label, key in (("cites", "cites"), ("cited by", "cited_by")):
        out.print(f"[bold]{label}[/]")
        for r in got[key]:
            out.print(f"  {escape(r['doc_number'])} p. {r['page']}: {r['id'] or 'not in the cache'}", highlight=False)


def dossier_cmd(ref: str = typer.Argument(..., metavar="ID", help="EX-000012 or a SHA-256 prefix."),
                archive: ArchiveOpt = None, as_json: JsonOpt = False) -> None:
    """Anatomy, findings, forensics, versions and references of one exhibit."""
    from exhibit.documents.dossier import dossier

    with open_archive(archive) as arch:
        got = dossier(arch, arch.resolve(ref)).as_json()
    if as_json:
        print_json(got)
        return
    out.print(f"[bold]{got['id']}[/] {escape(got['path'])}: {got['anatomy']['kind'] or 'not an official document'}")
    for f in got["findings"] + got["forensics"]:
        out.print(f"  [yellow]{f['code']}[/] p. {f['page'] or '-'}: {escape(f['detail'])}", highlight=False)
    for v in got["versions"]:
        out.print(f"  version {v['id']} ({v['similarity']:.2f})")
    for r in got["references"]["cites"]:
        out.print(f"  cites {escape(r['doc_number'])}: {r['id'] or 'not in the cache'}", highlight=False)
    console.print(got["note"], style="dim")
