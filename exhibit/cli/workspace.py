"""Commands for the analyst's workspace: tags, notes, highlights, saved searches and alerts, downloads,
activity, and the report draft (registered under `exhibit report`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from exhibit.archive import custody
from exhibit.cli.common import ArchiveOpt, JsonOpt, cell, console, open_archive, out, print_json, shown
from exhibit.errors import UserError

# exhibit.workspace is imported by the commands: it loads the search index (tantivy), which every other
# command's start would pay for (see cli/search.py)
MAX_BULK = 100_000
KINDS = ("ingested", "tagged", "noted", "judged", "exported", "searched")  # exhibit.workspace.activity.Activity

ActorOpt = Annotated[str | None, typer.Option("--actor", help="Who is doing this (default: the login name).",
                                              show_default=False)]


def register(app: typer.Typer) -> None:
    app.command("tag")(tag_cmd)
    app.command("tags")(tags_cmd)
    app.command("note")(note_cmd)
    app.command("notes")(notes_cmd)
    app.command("highlight")(highlight_cmd)
    sv = typer.Typer(help="Searches saved under a name, yours or shared with the team.", no_args_is_help=True)
    sv.command("add")(saved_add_cmd)
    sv.command("ls")(saved_ls_cmd)
    sv.command("rm")(saved_rm_cmd)
    app.add_typer(sv, name="saved")
    app.command("alerts")(alerts_cmd)
    app.command("download")(download_cmd)
    app.command("activity")(activity_cmd)


def _who(actor: str | None) -> str:
    return actor or custody.os_user()


def tag_cmd(
    targets: Annotated[list[str] | None, typer.Argument(
        metavar="ID...", help="Exhibits (EX-000012 or a SHA-256 prefix), pages (EX-000012:p3), table rows "
                              "(EX-000012:t7:r14), record:ID, cluster:ID.")] = None,
    add: Annotated[list[str] | None, typer.Option("--add", help="Tag to add (repeatable).")] = None,
    remove: Annotated[list[str] | None, typer.Option("--remove", help="Tag to remove (repeatable).")] = None,
    search: Annotated[str | None, typer.Option("--search", help="Also tag every hit of this query (bulk).")] = None,
    archive: ArchiveOpt = None, as_json: JsonOpt = False, actor: ActorOpt = None,
) -> None:
    """Add or remove tags; shared vocabulary: key-evidence, to-translate, checked (any other tag is free)."""
    from exhibit import workspace
    if not add and not remove:
        raise UserError("say what to do: --add TAG and/or --remove TAG.")
    with open_archive(archive) as arch:
        ts = [workspace.target(arch, t) for t in targets or []]
        if search is not None:
            res = workspace.search(arch, search, viewer=_who(actor), limit=MAX_BULK)
            ts += [workspace.target(arch, f"{h.id}:t{h.table_id}:r{h.row}" if h.table_id else f"{h.id}:p{h.page}")
                   for h in res.hits if h.table_id or h.page]
        if not ts:
            raise UserError("give the exhibits, pages or rows to tag (or --search QUERY).")
        changes = workspace.tag(arch, ts, add or [], remove or [], actor=_who(actor))
    if as_json:
        print_json({"changes": [{"target": t.as_json(), "tag": name, "change": what} for t, name, what in changes]})
        return
    console.print(f"{len(changes)} change{'' if len(changes) == 1 else 's'} on {len(ts)} target"
                  f"{'' if len(ts) == 1 else 's'}.", highlight=False)


def tags_cmd(archive: ArchiveOpt = None, as_json: JsonOpt = False,
             tag: Annotated[str | None, typer.Option("--tag", help="Only this tag's targets.")] = None) -> None:
    """The tags in use with their counts, or (--tag) what carries one tag."""
    from exhibit import workspace
    with open_archive(archive) as arch:
        if tag is None:
            counts = workspace.tag_counts(arch)
            if as_json:
                print_json([{"tag": t, "count": n} for t, n in counts])
            else:
                for t, n in counts:
                    out.print(cell(f"{t}  {n}"))
            return
        items = workspace.tags(arch, tag=tag)
    if as_json:
        print_json([i.as_json() for i in items])
    else:
        for i in items:
            out.print(cell(f"{i.target.key}  {i.actor}  {i.time}"))


def note_cmd(
    target: Annotated[str, typer.Argument(metavar="ID", help="What the note is on (as for `exhibit tag`).")],
    text: Annotated[str, typer.Argument(help="The note, in Markdown; `-` reads it from stdin.")],
    private: Annotated[bool, typer.Option("--private", help="Only you will see it.")] = False,
    edit: Annotated[int | None, typer.Option("--edit", help="Replace the text of this note (history kept).")] = None,
    archive: ArchiveOpt = None, as_json: JsonOpt = False, actor: ActorOpt = None,
) -> None:
    """Write a note (or a new revision of one) on an exhibit, page, row, record or person."""
    from exhibit import workspace
    body = sys.stdin.read() if text == "-" else text
    with open_archive(archive) as arch:
        if edit is not None:
            n = workspace.edit_note(arch, edit, body, actor=_who(actor))
        else:
            n = workspace.add_note(arch, workspace.target(arch, target), body, actor=_who(actor), private=private)
    if as_json:
        print_json(n.as_json(history=True))
    else:
        console.print(f"note {n.note_id} (revision {len(n.revisions)}) on {shown(n.target.key)}", highlight=False)


def notes_cmd(target: Annotated[str | None, typer.Argument(metavar="[ID]")] = None,
              author: Annotated[str | None, typer.Option("--author")] = None,
              history: Annotated[bool, typer.Option("--history", help="Every revision.")] = False,
              archive: ArchiveOpt = None, as_json: JsonOpt = False, actor: ActorOpt = None) -> None:
    """The notes you may read (shared ones and your private ones), of one target or all."""
    from exhibit import workspace
    with open_archive(archive) as arch:
        t = workspace.target(arch, target) if target else None
        ns = workspace.notes(arch, _who(actor), target=t, author=author)
    if as_json:
        print_json([n.as_json(history=history) for n in ns])
        return
    for n in ns:
        out.print(cell(f"[{n.note_id}] {n.target.key} {n.author} {n.revisions[-1].time}"
                       f"{' (private)' if n.private else ''}\n{n.text}\n"))


def _rect(s: str | None) -> tuple[float, float, float, float] | None:
    if s is None:
        return None
    try:
        a, b, c, d = (float(x) for x in s.split(","))
    except ValueError:
        raise UserError(f"--rect {s}: give four fractions x0,y0,x1,y1, e.g. 0.1,0.2,0.5,0.4.") from None
    return a, b, c, d


def highlight_cmd(
    ref: Annotated[str, typer.Argument(metavar="ID|ls", help="The exhibit to highlight on, or `ls` to list.")],
    page: Annotated[int | None, typer.Option("--page", min=1, help="Page number.")] = None,
    quote: Annotated[str | None, typer.Option("--quote", help="The passage, as on the page.")] = None,
    rect: Annotated[str | None, typer.Option("--rect", help="A rectangle on the page image: x0,y0,x1,y1 "
                                                           "as fractions of width and height.")] = None,
    comment: Annotated[str, typer.Option("--comment", help="Why it matters.")] = "",
    exhibit: Annotated[str | None, typer.Option("--exhibit", help="ls: only this exhibit's.")] = None,
    author: Annotated[str | None, typer.Option("--author", help="ls: only this author's.")] = None,
    archive: ArchiveOpt = None, as_json: JsonOpt = False, actor: ActorOpt = None,
) -> None:
    """Highlight a passage or an area of a page (`highlight ID --page N --quote TEXT`), or list highlights
    with their citations (`highlight ls`)."""
    from exhibit import workspace
    with open_archive(archive) as arch:
        if ref == "ls":
            hs = workspace.highlights(arch, exhibit_seq=arch.resolve(exhibit) if exhibit else None, author=author)
            if as_json:
                print_json([h.as_json() for h in hs])
                return
            t = Table(header_style="bold")
            for col in ("#", "where", "anchor", "author", "citation"):
                t.add_column(col)
            for h in hs:
                t.add_row(str(h.highlight_id), f"{h.exhibit_id} p. {h.page}", str(h.anchor), cell(h.author),
                          cell(h.citation or ""))
            out.print(t)
            return
        if page is None:
            raise UserError("give the page: --page N.")
        h = workspace.highlight(arch, ref, page, quote=quote, comment=comment, rect=_rect(rect), actor=_who(actor))
    if as_json:
        print_json(h.as_json())
    else:
        out.print(cell(h.citation or ""))


def saved_add_cmd(name: Annotated[str, typer.Argument()], query: Annotated[str, typer.Argument()],
                  shared: Annotated[bool, typer.Option("--shared", help="The whole team sees it.")] = False,
                  archive: ArchiveOpt = None, as_json: JsonOpt = False, actor: ActorOpt = None) -> None:
    """Save a search; `exhibit alerts` then shows its new hits after each ingest."""
    from exhibit.workspace import saved
    with open_archive(archive) as arch:
        s = saved.save(arch, name, query, owner=_who(actor), shared=shared)
    if as_json:
        print_json(s.as_json())
    else:
        console.print(f"saved search {shown(s.name)}: {shown(s.query)}", highlight=False)


def saved_ls_cmd(archive: ArchiveOpt = None, as_json: JsonOpt = False, actor: ActorOpt = None) -> None:
    """Your saved searches and the shared ones."""
    from exhibit.workspace import saved
    with open_archive(archive) as arch:
        ss = saved.searches(arch, _who(actor))
    if as_json:
        print_json([s.as_json() for s in ss])
    else:
        for s in ss:
            out.print(cell(f"{s.name}  {s.query}  ({s.owner}{', shared' if s.shared else ''})"))


def saved_rm_cmd(name: Annotated[str, typer.Argument()], archive: ArchiveOpt = None, actor: ActorOpt = None) -> None:
    """Remove one of your saved searches."""
    from exhibit.workspace import saved
    with open_archive(archive) as arch:
        saved.remove(arch, saved.get(arch, name, _who(actor)), actor=_who(actor))


def alerts_cmd(archive: ArchiveOpt = None, as_json: JsonOpt = False, actor: ActorOpt = None,
               seen: Annotated[bool, typer.Option("--seen", help="Mark them as seen.")] = False) -> None:
    """New hits of your saved searches (and the shared ones) since you last looked: in exhibits ingested since,
    and in older exhibits that newly match (OCR run again, a tag, a note or its edit, a highlight)."""
    from exhibit.workspace import saved
    with open_archive(archive) as arch:
        found = saved.alerts(arch, _who(actor), mark_seen=seen)
    if as_json:
        print_json({"alerts": [a.as_json() for a in found]})
        return
    if not found:
        console.print("No new hits.")
    for a in found:
        out.print(cell(f"{a.saved.name}: {a.new_hits} new hit{'' if a.new_hits == 1 else 's'}"
                       + (f" (newly matching: {', '.join(a.changed)})" if a.changed else "")))
        for h in a.hits:
            out.print(cell(f"  {h.id} {h.path or ''} " + (f"row {h.row}" if h.sheet else f"p. {h.page}")))


def download_cmd(
    query: Annotated[str | None, typer.Argument(help="A search: its hits' exhibits are downloaded.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="The exhibits carrying this tag.")] = None,
    ids: Annotated[list[str] | None, typer.Option("--id", help="An exhibit to include (repeatable).")] = None,
    out_file: Annotated[Path, typer.Option("--out", help="The zip to write.")] = Path("download.zip"),
    purpose: Annotated[str, typer.Option("--purpose", help="Why (recorded in the custody log).")] = "",
    identified: Annotated[bool, typer.Option("--identified", help="Real names and ID numbers in hits.csv.")] = False,
    archive: ArchiveOpt = None, as_json: JsonOpt = False, actor: ActorOpt = None,
) -> None:
    """The original files of a search, a tag or a selection as a zip, with manifest.json and hits.csv."""
    from exhibit.workspace import download
    if sum(x is not None and x != [] for x in (query, tag, ids)) != 1:
        raise UserError("download what? give a QUERY, or --tag TAG, or --id ID (one of them).")
    if not purpose.strip():
        raise UserError("say why with --purpose TEXT: every download is recorded in the custody log.")
    with open_archive(archive) as arch:
        sel = (download.of_query(arch, query, _who(actor)) if query is not None else
               download.of_tag(arch, tag) if tag is not None else download.of_ids(arch, ids or []))
        n = download.write(arch, sel, out_file, purpose, actor=_who(actor), identified=identified)
    if as_json:
        print_json({"out": str(out_file), "files": n, "hits": len(sel.hits)})
    else:
        console.print(f"{n} files written to {shown(out_file)}", highlight=False)


def activity_cmd(archive: ArchiveOpt = None, as_json: JsonOpt = False,
                 kind: Annotated[list[str] | None, typer.Option("--kind", help=f"Only these kinds: {', '.join(KINDS)}.")] = None,
                 by: Annotated[str | None, typer.Option("--by", help="Only this person's.")] = None,
                 since: Annotated[str | None, typer.Option("--since", help="ISO date or time.")] = None,
                 limit: Annotated[int, typer.Option(min=1, max=100_000)] = 200) -> None:
    """What the team did, newest first: ingested, tagged, noted, judged, exported."""
    from exhibit.workspace import activity
    with open_archive(archive) as arch:
        try:
            kinds = {activity.Activity(k) for k in kind or []}
        except ValueError:
            raise UserError(f"--kind {kind}: use {', '.join(KINDS)}.") from None
        entries = activity.timeline(arch, kinds or None, by, since, limit=limit)
    if as_json:
        print_json([e.as_json() for e in entries])
        return
    for e in entries:
        out.print(cell(f"{e.event.time}  {e.kind:<9} {e.event.actor}  {e.event.event}"))


def draft_cmd(tag: Annotated[str | None, typer.Option("--tag", help="Highlights on exhibits or pages with this tag.")]
              = None,
              author: Annotated[str | None, typer.Option("--author", help="Only this author's highlights.")] = None,
              archive: ArchiveOpt = None) -> None:
    """A Markdown draft on stdout: one citation per highlight, grouped by exhibit (`report check` passes it)."""
    from exhibit import workspace
    with open_archive(archive) as arch:
        sys.stdout.write(workspace.draft(arch, tag=tag, author=author))
