"""`exhibit redact ...`: proposals, verified redacted copies, and verification of a copy (thin over
exhibit.redact)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from typer import _click  # typer 0.29 vendors click: its Context is the one TyperGroup takes
from typer.core import TyperGroup

from exhibit import redact as rd
from exhibit.archive.custody import os_user
from exhibit.cli.common import ArchiveOpt, JsonOpt, console, open_archive, out, print_json
from exhibit.errors import UserError


class _DefaultMake(TyperGroup):
    """`exhibit redact ID ...` runs `make`; `exhibit redact verify ...` runs `verify`."""

    def parse_args(self, ctx: _click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["make", *args]
        return super().parse_args(ctx, args)


redact_app = typer.Typer(cls=_DefaultMake, no_args_is_help=True,
                         help="Verified redaction for publication: `exhibit redact ID ...` lists proposals or, with "
                              "--out, writes a verified redacted copy; `exhibit redact verify FILE --against ID`.")

PagesOpt = Annotated[str | None, typer.Option("--pages", help="Only these pages of the original (1,3-5); the copy "
                                              "holds only them.", show_default=False)]
RecordsOpt = Annotated[bool, typer.Option("--records", help="Confirm the proposals from person records and links "
                                          "(names, ID numbers, addresses, relatives, other spellings).")]
PatternsOpt = Annotated[str | None, typer.Option("--patterns", help="Confirm these pattern proposals: id, phone, "
                                                 "address (comma-separated).", show_default=False)]
BoxOpt = Annotated[list[str] | None, typer.Option("--box", help="A rectangle to redact, PAGE:x0,y0,x1,y1 in PDF "
                                                  "points from the top left (pixels for images); repeatable.",
                                                  show_default=False)]
OcrAllOpt = Annotated[bool, typer.Option("--ocr-all", help="OCR every page of the copy, not only those with images "
                                         "or without text.")]
LangsOpt = Annotated[str | None, typer.Option("--ocr-langs", help="Languages to OCR the copy in (default: those the "
                                              "original was read in, else chi_sim+uig+eng).", show_default=False)]


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root app."""
    app.add_typer(redact_app, name="redact")


def _pages(spec: str | None) -> tuple[int, ...] | None:
    if not spec:
        return None
    out: list[int] = []
    for part in spec.split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not m:
            raise UserError(f"--pages {spec!r}: {part!r} is not a page or a range; write e.g. 1,3-5.")
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        if a < 1 or b < a:
            raise UserError(f"--pages {spec!r}: {part!r} is not a range of pages from 1 up.")
        out += range(a, b + 1)
    return tuple(dict.fromkeys(out))


def _boxes(specs: list[str] | None) -> tuple[tuple[int, rd.Box], ...]:
    out: list[tuple[int, rd.Box]] = []
    for spec in specs or []:
        m = re.fullmatch(r"\s*(\d+)\s*:\s*([-\d.]+)\s*,\s*([-\d.]+)\s*,\s*([-\d.]+)\s*,\s*([-\d.]+)\s*", spec)
        if not m:
            raise UserError(f"--box {spec!r}: write PAGE:x0,y0,x1,y1, e.g. --box 2:72,90,300,110 (PDF points from "
                            "the top left; pixels for an image).")
        try:
            coords = [float(m.group(i)) for i in range(2, 6)]
        except ValueError:
            raise UserError(f"--box {spec!r}: the coordinates must be numbers.") from None
        out.append((int(m.group(1)), rd.Box.of(*coords)))
    return tuple(out)


def _skip(spec: str | None, proposals: tuple[rd.Region, ...]) -> frozenset[str]:
    if not spec:
        return frozenset()
    keys: set[str] = set()
    for part in spec.split(","):
        if not part.strip().isdigit() or not 1 <= int(part) <= len(proposals):
            raise UserError(f"--skip {spec!r}: {part!r} is not a proposal number; `exhibit redact ID` (without --out) "
                            f"numbers them 1 to {len(proposals)}.")
        keys.add(proposals[int(part) - 1].key)
    return frozenset(keys)


def _print_proposals(proposals: tuple[rd.Region, ...]) -> None:
    t = Table(title="Proposals (nothing is redacted until confirmed)")
    for c in ("#", "page", "kind", "from", "proposed by", "box", "text"):
        t.add_column(c, overflow="fold")
    for i, r in enumerate(proposals, 1):
        t.add_row(str(i), str(r.page), str(r.kind), str(r.origin), escape(r.ref or ""),
                  ",".join(f"{v:g}" for v in r.box.as_list()), escape(r.value or ""))
    out.print(t)


def _print_verification(v: rd.Verification) -> None:
    t = Table(title=f"Verification: {'passed' if v.ok else 'FAILED'} ({v.secrets} redacted strings looked for)")
    for col in ("check", "result", "looked at", "findings"):
        t.add_column(col, overflow="fold")
    for c in v.checks:
        t.add_row(str(c.check), ("ok" if c.ok else "FOUND") if c.ran else "n/a", str(c.units),
                  escape("; ".join(f.detail for f in c.findings)))
    out.print(t)


@redact_app.command("make")
def make_cmd(ref: Annotated[str, typer.Argument(help="Exhibit ID or SHA-256 prefix.")], archive: ArchiveOpt = None,
             pages: PagesOpt = None, records: RecordsOpt = False, patterns: PatternsOpt = None, box: BoxOpt = None,
             skip: Annotated[str | None, typer.Option("--skip", help="Leave out these proposals (their numbers in the "
                                                      "listing), e.g. a public official's name.",
                                                      show_default=False)] = None,
             out_file: Annotated[Path | None, typer.Option("--out", help="Write the verified redacted copy here "
                                                           "(without --out: list the proposals).",
                                                           show_default=False)] = None,
             purpose: Annotated[str | None, typer.Option("--purpose", help="Why the copy is made; logged with it.",
                                                         show_default=False)] = None,
             actor: Annotated[str | None, typer.Option("--actor", help="Who makes it (default: the OS user).",
                                                       show_default=False)] = None,
             ocr_all: OcrAllOpt = False, ocr_langs: LangsOpt = None, as_json: JsonOpt = False) -> None:
    """List what exhibit proposes to redact on an exhibit, or (--out) write a verified redacted copy of it."""
    arch = open_archive(archive)
    try:
        seq = arch.resolve(ref)
        pats = rd.Pattern.parse(patterns) if patterns else ()
        page_list = _pages(pages)
        if out_file is None:
            # the flags narrow the listing; without any, everything that would be proposed is listed
            listed = rd.propose(arch, seq, records, pats, page_list) if records or pats else \
                rd.propose(arch, seq, True, tuple(rd.Pattern), page_list)
            if as_json:
                print_json({"id": arch.exhibit(seq).id, "proposals": [r.as_json(value=True) for r in listed]})
            else:
                _print_proposals(listed)
                console.print("Confirm with --records and/or --patterns id,phone,address (leave some out with "
                              "--skip N,...), add --box PAGE:x0,y0,x1,y1, then give --out FILE --purpose TEXT.")
            return
        proposals = rd.propose(arch, seq, records, pats, page_list) if records or pats else ()
        sel = rd.Selection(records=records, patterns=pats, boxes=_boxes(box), pages=page_list,
                           skip=_skip(skip, proposals))
        plan = rd.plan(arch, seq, sel)
        setup = rd.ocr_setup(arch, ocr_langs, rd.OcrScope.ALL if ocr_all else rd.OcrScope.IMAGES) \
            if ocr_all or ocr_langs else None
        try:
            copy = rd.redact(arch, seq, plan, actor=actor or os_user(), purpose=purpose or "", out=out_file, ocr=setup)
        except rd.RedactionUnverified as e:
            if as_json:
                print_json({"ok": False, "error": str(e), "verification": e.verification.as_json()})
            else:
                _print_verification(e.verification)
                console.print(f"[bold red]error:[/] {escape(str(e))}", highlight=False)
            raise typer.Exit(1) from None
        if as_json:
            print_json(copy.as_json())
            return
        _print_log(copy.as_json())
        _print_verification(copy.verification)
        console.print(f"{copy.id} ({escape(copy.path)}) written to {escape(str(out_file))}; the original "
                      f"{copy.original} is unchanged.")
    finally:
        arch.close()


def _print_log(data: dict[str, Any]) -> None:
    log = data["log"]
    counts = ", ".join(f"{n} {k}" for k, n in log["counts"].items()) or "no regions"
    out.print(f"Redacted on pages {', '.join(map(str, log['pages']))}: {counts}; removed with the places that "
              f"held them: {len(log['hidden'])} proposed string(s) in metadata, attachments or revisions.")


@redact_app.command("verify")
def verify_cmd(file: Annotated[Path, typer.Argument(help="The redacted copy to check.")],
               against: Annotated[str, typer.Option("--against", help="The original's exhibit ID or SHA-256 prefix.")],
               archive: ArchiveOpt = None, pages: PagesOpt = None, records: RecordsOpt = False,
               patterns: PatternsOpt = None, box: BoxOpt = None,
               actor: Annotated[str | None, typer.Option("--actor", help="Who checks (default: the OS user).",
                                                         show_default=False)] = None,
               ocr_all: OcrAllOpt = False, ocr_langs: LangsOpt = None, as_json: JsonOpt = False) -> None:
    """Check that none of what should be redacted can be read out of FILE (exit 1 if something can). A copy
    exhibit made is checked against the regions it recorded; --records, --patterns and --box add more."""
    arch = open_archive(archive)
    try:
        seq = arch.resolve(against)
        sel = rd.Selection(records=records, patterns=rd.Pattern.parse(patterns) if patterns else (),
                           boxes=_boxes(box), pages=_pages(pages))
        setup = rd.ocr_setup(arch, ocr_langs, rd.OcrScope.ALL if ocr_all else rd.OcrScope.IMAGES) \
            if ocr_all or ocr_langs else None
        v = rd.verify_against(arch, file, seq, sel, actor=actor or os_user(), ocr=setup)
        if as_json:
            print_json(v.as_json())
        else:
            _print_verification(v)
        if not v.ok:
            raise typer.Exit(1)
    finally:
        arch.close()
