"""From highlight to footnote: a Markdown report draft, one citation per highlight, grouped by exhibit."""

from __future__ import annotations

import re

from exhibit.archive import Archive, ex_id
from exhibit.workspace import highlights, store
from exhibit.workspace.types import Highlight

# What in a comment could read as Markdown structure or as a citation of its own (`[@EX-...]`)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]@<>#|])")


def _inert(s: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(s.split()))


def tagged_highlights(arch: Archive, tag: str) -> list[Highlight]:
    """Highlights on exhibits or pages that carry `tag` (a tag on the exhibit covers all its pages)."""
    store.ensure(arch.catalog)
    rows = store.tags(arch.catalog, tag=tag)
    whole = {int(r["exhibit_seq"]) for r in rows if r["target_kind"] == "exhibit"}
    pages = {(int(r["exhibit_seq"]), int(r["target"].split(":")[2])) for r in rows if r["target_kind"] == "page"}
    seqs = sorted(whole | {s for s, _ in pages})
    out: list[Highlight] = []
    for seq in seqs:
        out += [h for h in highlights.list_(arch, exhibit_seq=seq) if seq in whole or (seq, h.page) in pages]
    return out


def draft(arch: Archive, tag: str | None = None, author: str | None = None) -> str:
    """The draft: a heading per exhibit, a bullet per citable highlight (its comment after it); orphaned
    highlights are counted, not cited, since their text is no longer on the page."""
    hs = tagged_highlights(arch, tag) if tag is not None else highlights.list_(arch, author=author)
    if author is not None:
        hs = [h for h in hs if h.author == author]
    title = f"tag {tag}" if tag else (f"highlights by {author}" if author else "all highlights")
    lines = [f"# Draft: {_inert(title)}", ""]
    by_exhibit: dict[int, list[Highlight]] = {}
    for h in hs:
        by_exhibit.setdefault(h.exhibit_seq, []).append(h)
    orphaned = 0
    for seq, items in sorted(by_exhibit.items()):
        ex = arch.exhibit(seq)
        path = ex.path_names[0] if ex.path_names else ""
        lines += [f"## {ex_id(seq)}: {_inert(path)}", ""]
        for h in items:
            if h.citation is None:
                orphaned += 1
                continue
            comment = f" ({_inert(h.comment)})" if h.comment else ""
            lines.append(f"- {h.citation}{comment}")
        lines.append("")
    if not by_exhibit:
        lines += ["No highlights yet.", ""]
    if orphaned:
        lines += [f"{orphaned} orphaned highlight{'s' if orphaned != 1 else ''} left out: the quoted text is no "
                  "longer on the page (`exhibit highlight ls` shows them).", ""]
    return "\n".join(lines)
