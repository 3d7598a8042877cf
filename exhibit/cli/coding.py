"""`exhibit code ...`: code the stated reasons by a codebook, by hand, check agreement, count, chart, export."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from exhibit import coding
from exhibit.cli.common import ArchiveOpt, JsonOpt, console, open_archive, out, print_json, shown
from exhibit.coding.codebook import default_codebook_bytes, load_codebook
from exhibit.errors import UserError

code_app = typer.Typer(help="Code the stated reasons into categories (a codebook), count and chart them. "
                            "Categories describe the reasons the authorities gave; exhibit scores no one.",
                       no_args_is_help=True)

CodebookOpt = Annotated[Path | None, typer.Option("--codebook", help="A codebook YAML (default: the one shipped "
                                                  "with exhibit; `exhibit code codebook` prints it).",
                                                  show_default=False)]
CoderOpt = Annotated[str | None, typer.Option("--coder", help="Who judges (default: the OS user).",
                                              show_default=False)]


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root app."""
    app.add_typer(code_app, name="code")


def _label(cid: str, cb: Any) -> str:
    try:
        c = cb.category(cid)
    except UserError:
        return cid
    return f"{cid} ({c.zh})" if c.zh else cid


@code_app.command("run")
def run_cmd(archive: ArchiveOpt = None, codebook: CodebookOpt = None, as_json: JsonOpt = False,
            custodian: Annotated[str | None, typer.Option("--custodian", help="Actor for the custody log.",
                                                          show_default=False)] = None) -> None:
    """Code every record's stated reason by the codebook's rules; list what no rule covers."""
    arch = open_archive(archive)
    cb = load_codebook(codebook)
    res = coding.run(arch, cb, actor=custodian)
    if as_json:
        print_json(res)
        return
    t = Table(title=f"{res['records']} records coded with {cb.source} codebook "
                    f"({res['coded_by_rule']} by rule, {res['hand_coded']} by hand)")
    t.add_column("category")
    t.add_column("records", justify="right")
    for cid, n in res["categories"].items():
        t.add_row(shown(_label(cid, cb)), str(n))
    out.print(t)
    if res["uncoded_reasons"]:
        u = Table(title=f"{res['uncoded']} records whose reason no rule covers ({res['uncoded_distinct']} distinct "
                        "reasons), most frequent first: improve the codebook or code them by hand")
        u.add_column("records", justify="right")
        u.add_column("reason")
        u.add_column("e.g. record")
        for r in res["uncoded_reasons"]:
            u.add_row(str(r["records"]), shown(r["reason"]), r["example"])
        out.print(u)
    if res["no_reason"]:
        console.print(f"{res['no_reason']} records state no reason.")


@code_app.command("set")
def set_cmd(record: Annotated[str, typer.Argument(help="The record id (from `exhibit code ls`).")],
            categories: Annotated[list[str], typer.Argument(help="One or more category ids, or `none`.")],
            archive: ArchiveOpt = None, coder: CoderOpt = None,
            note: Annotated[str | None, typer.Option("--note", help="Why, in a sentence (kept with the "
                                                     "judgement).", show_default=False)] = None,
            as_json: JsonOpt = False) -> None:
    """Code one record by hand: wins over the rules, survives later runs, logged as a custody event."""
    arch = open_archive(archive)
    res = coding.set_codes(arch, record, categories, coder=coder, note=note)
    if as_json:
        print_json(res)
    else:
        cur = res["current"] or {}
        out.print(f"{res['record_id']}: {', '.join(res['categories']) or 'none'} (by {shown(res['coded_by'])}, "
                  f"custody event {res['custody_seq']}); {shown(cur.get('summary', ''))}", highlight=False)


@code_app.command("judgements")
def judgements_cmd(record: Annotated[str | None, typer.Argument(help="Only this record.")] = None,
                   archive: ArchiveOpt = None, as_json: JsonOpt = False,
                   disagreements: Annotated[bool, typer.Option("--disagreements", help="Only records whose "
                                                               "coders disagree.")] = False) -> None:
    """Every hand-coded record: all its judgements (coder, time, categories, note), the one in force, and
    the records two coders disagree on."""
    arch = open_archive(archive)
    found = coding.judgements(arch, record, disagreements=disagreements)
    if as_json:
        print_json(found)
        return
    t = Table("record", "in force", "judgements", "disagreement", title=f"{len(found)} hand-coded records",
              title_justify="left")
    for r in found:
        t.add_row(r["record_id"], ", ".join(r["categories"]) or "none", shown(r["summary"]),
                  "yes" if r["disagreement"] else "")
    out.print(t)


@code_app.command("ls")
def ls_cmd(category: Annotated[str | None, typer.Argument(help="Only records coded with this category.")] = None,
           archive: ArchiveOpt = None,
           uncoded: Annotated[bool, typer.Option("--uncoded", help="Only reasons no rule or coder has coded.")] = False,
           no_reason: Annotated[bool, typer.Option("--no-reason", help="Only records that state no reason.")] = False,
           coded_by: Annotated[str | None, typer.Option("--coded-by", help="`rule` or a coder's name.",
                                                        show_default=False)] = None,
           register_: Annotated[str | None, typer.Option("--register", show_default=False)] = None,
           township: Annotated[str | None, typer.Option("--township", show_default=False)] = None,
           month: Annotated[str | None, typer.Option("--month", help="YYYY-MM", show_default=False)] = None,
           gender: Annotated[str | None, typer.Option("--gender", help="M, F or unknown", show_default=False)] = None,
           age_band: Annotated[str | None, typer.Option("--age-band", show_default=False)] = None,
           limit: Annotated[int | None, typer.Option("--limit", show_default=False)] = None,
           sample: Annotated[int | None, typer.Option("--sample", help="N records drawn at random (the same "
                                                      "for the same --seed): a sample for two coders.",
                                                      show_default=False)] = None,
           seed: Annotated[int, typer.Option("--seed")] = 1,
           as_json: JsonOpt = False) -> None:
    """The coded records (the records behind every count), with who coded them and where they come from."""
    arch = open_archive(archive)
    found = coding.ls(arch, category, uncoded=uncoded, no_reason=no_reason, coded_by=coded_by,
                      register=register_, township=township, month=month, gender=gender, age_band=age_band)
    if sample is not None:
        pool = list(found)
        rows = random.Random(seed).sample(pool, min(sample, len(pool)))
    else:
        rows = []
        for r in found:
            rows.append(r)
            if limit is not None and len(rows) >= limit:
                break
    if as_json:
        print_json(rows)
        return
    t = Table(title=f"{len(rows)} coded records")
    for col in ("record", "reason", "categories", "coded by", "source"):
        t.add_column(col)
    for r in rows:
        src = r["source"]
        where = f"{src.get('id') or ''} {src.get('path') or ''} {src.get('sheet') or ''} row {src.get('row')}"
        t.add_row(r["record_id"], shown(r["reason"]), ", ".join(r["categories"]) or "-", shown(r["coded_by"]),
                  shown(where.strip()))
    out.print(t)


@code_app.command("agreement")
def agreement_cmd(coder_a: str, coder_b: str, archive: ArchiveOpt = None, as_json: JsonOpt = False) -> None:
    """Cohen's kappa between two coders who coded the same sample, per category and overall."""
    arch = open_archive(archive)
    res = coding.agreement(arch, coder_a, coder_b)
    if as_json:
        print_json(res)
        return
    t = Table(title=f"Agreement of {shown(coder_a)} and {shown(coder_b)} on {res['items']} records "
                    "(Cohen's kappa; bands: Landis & Koch 1977)")
    for col in ("category", "both", f"{coder_a} only", f"{coder_b} only", "neither", "p_o", "p_e", "kappa", ""):
        t.add_column(shown(col), justify="right" if col not in ("category", "") else "left")

    def row(name: str, r: dict[str, Any]) -> None:
        k = r["kappa"]
        t.add_row(name, str(r["both"]), str(r["a_only"]), str(r["b_only"]), str(r["neither"]),
                  f"{r['observed_agreement']:.3f}", f"{r['expected_agreement']:.3f}",
                  "n/a" if k is None else f"{k:.3f}", r["interpretation"] or "")

    for r in res["categories"]:
        row(r["category"], r)
    row("overall (pooled)", res["overall"])
    out.print(t)
    if res["disagreements"]:
        console.print(f"{len(res['disagreements'])} records coded differently: "
                      f"{', '.join(res['disagreements'][:20])}{' ...' if len(res['disagreements']) > 20 else ''}")


@code_app.command("counts")
def counts_cmd(archive: ArchiveOpt = None,
               by: Annotated[str | None, typer.Option("--by", help="category (default), register, township, "
                                                      "month, gender or age_band.", show_default=False)] = None,
               as_json: JsonOpt = False) -> None:
    """Records per category, optionally across registers, townships, months, genders or age bands."""
    arch = open_archive(archive)
    res = coding.counts(arch, by)
    if as_json:
        print_json(res)
        return
    title = f"{res['records']} records by stated reason" + ("" if res["by"] == "category" else f" and {res['by']}")
    t = Table(title=title, caption=res["note"])
    if len(res["groups"]) > 6:  # many months or registers: one line per non-empty cell fits a terminal
        for col in (res["by"], "category", "records"):
            t.add_column(col, justify="right" if col == "records" else "left")
        for c in res["cells"]:
            t.add_row(shown(c["group"]), c["category"], str(c["count"]))
    else:
        t.add_column("category")
        for g in res["groups"]:
            t.add_column(shown(g), justify="right")
        t.add_column("total", justify="right")
        for r in res["rows"]:
            t.add_row(shown(f"{r['category']} {r['zh']}".strip()), *[str(r["groups"][g]) for g in res["groups"]],
                      str(r["total"]))
    out.print(t)
    console.print("The records behind a number: exhibit code ls CATEGORY [--township ...] --json")


@code_app.command("chart")
def chart_cmd(out_dir: Annotated[Path, typer.Option("--out", help="Folder for the PNG and SVG files.")],
              archive: ArchiveOpt = None, as_json: JsonOpt = False) -> None:
    """Charts: categories per register (bars) and records per month of detention, as PNG and SVG."""
    arch = open_archive(archive)
    paths = coding.charts(arch, out_dir)
    if as_json:
        print_json({"files": [str(p) for p in paths]})
    else:
        for p in paths:
            out.print(str(p), highlight=False)


@code_app.command("export")
def export_cmd(dest: Annotated[Path, typer.Argument(help="The file to write.")], archive: ArchiveOpt = None,
               fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
               identified: Annotated[bool, typer.Option("--identified", help="Real names and ID numbers "
                                                        "(needs --purpose; logged).")] = False,
               purpose: Annotated[str | None, typer.Option("--purpose", show_default=False)] = None,
               custodian: Annotated[str | None, typer.Option("--custodian", show_default=False)] = None,
               as_json: JsonOpt = False) -> None:
    """Export the coded table; names and ID numbers are pseudonymised unless --identified --purpose."""
    arch = open_archive(archive)
    res = coding.export(arch, dest, fmt, identified=identified, purpose=purpose, actor=custodian)
    if as_json:
        print_json(res)
    else:
        out.print(f"{res['rows']} rows -> {dest} ({'identified' if identified else 'pseudonymised'}; "
                  "logged in the custody log)", highlight=False)


@code_app.command("codebook")
def codebook_cmd(codebook: CodebookOpt = None, as_json: JsonOpt = False) -> None:
    """Print the codebook (the default one unless --codebook): start your own from it."""
    cb = load_codebook(codebook)
    if as_json:
        print_json({"name": cb.name, "version": cb.version, "source": cb.source, "sha256": cb.sha256,
                    "citations": cb.citations,
                    "categories": [{"id": c.id, "labels": c.labels, "definition": c.definition,
                                    "citations": list(c.citations), "keywords": list(c.keywords),
                                    "patterns": [p.text for p in c.patterns],
                                    "unless": [p.text for p in c.unless]} for c in cb.categories]})
    else:
        sys.stdout.write(default_codebook_bytes().decode("utf-8") if codebook is None else cb.text)

