"""`exhibit link ...` and `exhibit people search`: thin over exhibit.link."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table

from exhibit.cli.common import (
    ArchiveOpt,
    JsonOpt,
    RichProgress,
    console,
    open_archive,
    out,
    print_json,
    shown,
)
from exhibit.errors import UserError

link_app = typer.Typer(help="Link people across registers, testimonies and documents, in any script.",
                       no_args_is_help=True)
people_app = typer.Typer(help="Find the records and mentions of a person's name, in any script.",
                         no_args_is_help=True)

ActorOpt = Annotated[str | None, typer.Option("--actor", help="Who is judging (default: the login name).",
                                              show_default=False)]


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root app."""
    app.add_typer(link_app, name="link")
    app.add_typer(people_app, name="people")


def _mentions_specs(specs: list[str] | None) -> tuple[tuple[str, dict[str, str]], ...] | None:
    if not specs:
        return None
    out = []
    for spec in specs:
        pattern, sep, path = spec.partition("=")
        if not sep:
            raise UserError(f"--mentions {spec!r}: write PATTERN=MAPPING.yaml (a path pattern, and a YAML file "
                            "{header: field}, e.g. {victim_name: name, birth_year: birth_year}).")
        try:
            mapping = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as e:
            raise UserError(f"{path}: cannot read this mapping file ({e}).") from e
        if not isinstance(mapping, dict):
            raise UserError(f"{path}: a mapping file holds {{header: field}} pairs.")
        out.append((pattern, {str(k): str(v) for k, v in mapping.items()}))
    return tuple(out)


@link_app.command("run")
def run_cmd(archive: ArchiveOpt = None, as_json: JsonOpt = False, actor: ActorOpt = None,
            link_threshold: Annotated[float, typer.Option(help="Link pairs automatically from this match "
                                                          "probability up.")] = 0.8,
            review_threshold: Annotated[float, typer.Option(help="Send pairs to review from this match "
                                                            "probability up.")] = 0.5,
            documents: Annotated[bool, typer.Option(help="Also read names in documents (notices, letters).")] = True,
            relatives: Annotated[bool, typer.Option(help="Also link the family members registers name.")] = False,
            mentions: Annotated[list[str] | None, typer.Option("--mentions", help="PATTERN=MAPPING.yaml: read "
                                "tables whose path matches PATTERN as person mentions (default: testimonies)",
                                show_default=False)] = None) -> None:
    """Score every pair of records and mentions that could be the same person; link, queue, cluster."""
    from exhibit import link

    if not 0 < review_threshold <= link_threshold <= 1:
        raise UserError("thresholds: need 0 < --review-threshold <= --link-threshold <= 1.")
    arch = open_archive(archive)
    try:
        with RichProgress(quiet=as_json) as progress:
            summary = link.run(arch, link.LinkSettings(link_threshold=link_threshold,
                                                       review_threshold=review_threshold),
                               actor=actor or getpass.getuser(), documents=documents,
                               tables=_mentions_specs(mentions), relatives=relatives, progress=progress)
    finally:
        arch.close()
    if as_json:
        print_json(summary)
    else:
        console.print(f"{summary['mentions']} records and mentions, {summary['pairs_scored']} pairs scored: "
                      f"{summary['links']} linked, {summary['review']} to review "
                      f"(`exhibit link review`), {summary['clusters']} clusters (`exhibit link ls`).")


def _label(m: dict[str, Any]) -> str:
    src = m.get("source") or {}
    where = src.get("path") or src.get("id") or ""
    for k in ("sheet", "page", "row"):
        if src.get(k) is not None:
            where += f" {k} {src[k]}"
    return where


@link_app.command("ls")
def ls_cmd(archive: ArchiveOpt = None, as_json: JsonOpt = False,
           all_: Annotated[bool, typer.Option("--all", help="Include records and mentions linked to nothing.")] = False,
           ) -> None:
    """The clusters: records and mentions found to be about the same person."""
    from exhibit import link

    arch = open_archive(archive)
    try:
        cs = link.clusters(arch, include_single=all_)
    finally:
        arch.close()
    if as_json:
        print_json([c.as_json() for c in cs])
        return
    for cluster in cs:
        c = cluster.as_json()
        t = Table(title=shown(c["cluster_id"]), show_header=True, title_justify="left")
        for col in ("id", "name", "ID number", "source", "score"):
            t.add_column(col)
        for m in c["members"]:
            t.add_row(shown(m.get("record_id") or m.get("mention_id") or ""), shown(m["name"] or ""),
                      shown(m["id_number"] or ""), shown(_label(m)), "" if m["score"] is None else f"{m['score']:.3f}")
        out.print(t)
    console.print(f"{len(cs)} clusters.")


@link_app.command("explain")
def explain_cmd(a: str, b: str, archive: ArchiveOpt = None, as_json: JsonOpt = False) -> None:
    """What each comparison contributed to the score of a pair (match weights, log2 Bayes factors)."""
    from exhibit import link

    arch = open_archive(archive)
    try:
        ex = link.explain(arch, a, b)
    finally:
        arch.close()
    if as_json:
        print_json(ex)
        return
    out.print(f"{shown(ex['a']['name'] or '')}  ~  {shown(ex['b']['name'] or '')}")
    t = Table("comparison", "level", "match weight")
    for c in ex["comparisons"]:
        t.add_row(c["comparison"], shown(str(c["level"])), f"{c['match_weight']:+.2f}")
    t.add_row("total", "", f"{ex['match_weight']:+.2f}")
    out.print(t)
    out.print(f"probability {ex['probability']:.4f}; decision: {ex['decision']} ({ex['why']})")


@link_app.command("review")
def review_cmd(archive: ArchiveOpt = None, actor: ActorOpt = None,
               limit: Annotated[int | None, typer.Option(help="Stop after this many pairs.")] = None) -> None:
    """Judge the pairs between the two thresholds: [a]ccept, [r]eject, [u]nsure, [s]kip, [q]uit.
    Reads answers from stdin, so it can be piped: `printf 'a\\nr\\n' | exhibit link review`."""
    from exhibit import link

    who = actor or getpass.getuser()
    arch = open_archive(archive)
    done = 0
    try:
        queue = link.review_queue(arch, limit)
        if not queue:
            console.print("Nothing to review.")
            return
        verdicts = {"a": "accept", "r": "reject", "u": "unsure"}
        for i, item in enumerate(queue, 1):
            t = Table(title=f"{i}/{len(queue)}  probability {item['probability']:.3f}", title_justify="left")
            t.add_column("")
            t.add_column("A")
            t.add_column("B")
            for label, key in (("name", "name"), ("ID number", "id_number")):
                t.add_row(label, shown(str(item["a"][key] or "")), shown(str(item["b"][key] or "")))
            t.add_row("source", shown(_label(item["a"])), shown(_label(item["b"])))
            console.print(t)
            ida = item["a"].get("record_id") or item["a"]["mention_id"]
            idb = item["b"].get("record_id") or item["b"]["mention_id"]
            console.print(r"same person? \[a]ccept \[r]eject \[u]nsure \[s]kip \[q]uit: ", end="")
            line = sys.stdin.readline()
            if not line:
                break
            answer = line.strip().lower()[:1]
            if not sys.stdin.isatty():  # piped answers are not echoed: show them
                console.print(answer or "s")
            if answer == "q":
                break
            if answer in verdicts:
                link.judge(arch, ida, idb, verdicts[answer], who)
                done += 1
    finally:
        arch.close()
    console.print(f"{done} judgements recorded as custody events.")


@link_app.command("judge")
def judge_cmd(a: str, b: str, verdict: Annotated[str, typer.Argument(help="accept, reject or unsure")],
              archive: ArchiveOpt = None, actor: ActorOpt = None, as_json: JsonOpt = False,
              note: Annotated[str | None, typer.Option("--note", help="Why, in a sentence (kept with the "
                                                       "judgement).", show_default=False)] = None) -> None:
    """Judge one pair: appended to the pair's judgements (none is overwritten), the latest in force."""
    from exhibit import link

    arch = open_archive(archive)
    try:
        res = link.judge(arch, a, b, verdict, actor or getpass.getuser(), note=note)
    finally:
        arch.close()
    if as_json:
        print_json(res)
        return
    cur = res["current"] or {}
    out.print(f"{shown(res['a'])} ~ {shown(res['b'])}: {res['verdict']} (custody event {res['custody_seq']}); "
              f"{shown(cur.get('summary', ''))}", highlight=False)


@link_app.command("judgements")
def judgements_cmd(archive: ArchiveOpt = None, as_json: JsonOpt = False,
                   disagreements: Annotated[bool, typer.Option("--disagreements", help="Only pairs whose "
                                                               "investigators disagree.")] = False) -> None:
    """Every judged pair: all its judgements (actor, time, verdict, note), the one in force, disagreements."""
    from exhibit import link

    arch = open_archive(archive)
    try:
        found = link.judgement_history(arch, disagreements=disagreements)
    finally:
        arch.close()
    if as_json:
        print_json(found)
        return
    t = Table("A", "B", "in force", "judgements", "disagreement", title=f"{len(found)} judged pairs",
              title_justify="left")
    for p in found:
        t.add_row(shown(p["a"]), shown(p["b"]), p["verdict"], shown(p["summary"]), "yes" if p["disagreement"] else "")
    out.print(t)


@people_app.command("search")
def people_search_cmd(query: str, archive: ArchiveOpt = None, as_json: JsonOpt = False,
                      limit: Annotated[int, typer.Option(help="At most this many results.")] = 20) -> None:
    """Records and mentions whose name matches QUERY in any script (Hanzi, Uyghur Arabic, Latin),
    ordered by how closely the name matches: a ranking of search results, not of people."""
    from exhibit import link

    arch = open_archive(archive)
    try:
        res = link.people_search(arch, query, limit)
    finally:
        arch.close()
    if as_json:
        print_json(res)
        return
    t = Table("name match", "id", "name", "ID number", "source", "cluster",
              title=f"{shown(query)} (read as {shown(res['read_as'])}): {res['total']} results", title_justify="left")
    for h in res["hits"]:
        t.add_row(f"{h['score']:.2f}", shown(h.get("record_id") or h.get("mention_id") or ""), shown(h["name"] or ""),
                  shown(h["id_number"] or ""), shown(_label(h)), shown(h["cluster_id"] or ""))
    out.print(t)
