"""Rendering a checked report to HTML, DOCX or PDF with numbered footnotes and an evidentiary annex."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote as urlquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from exhibit.archive import Archive, ex_id, overview
from exhibit.documents.anatomy import FieldName
from exhibit.reports import translations
from exhibit.reports.citations import Citation
from exhibit.reports.verify import CheckedCitation, ReportCheck, Severity, Verdict

SHA_PREFIX = 12
_MARK = re.compile("\ue000(\\d+)\ue001")  # placeholder for a citation bracket while Markdown is converted
FONTS = '"DejaVu Serif", "Noto Serif", "WenQuanYi Micro Hei", "Noto Naskh Arabic", serif'

CSS = """
body { font-family: %(fonts)s; font-size: 11pt; line-height: 1.45; max-width: 46em; margin: 2em auto; }
h1, h2, h3 { line-height: 1.2; }
sup.fnref a { text-decoration: none; }
section.footnotes, section.annex { border-top: 1px solid #999; margin-top: 2em; font-size: 9.5pt; }
section.annex table { border-collapse: collapse; margin-bottom: 1.2em; width: 100%%; }
section.annex th, section.annex td { border: 1px solid #bbb; padding: 2px 5px; text-align: left;
  vertical-align: top; }
section.annex th { width: 9em; background: #f2f2f2; }
code, .sha { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; word-break: break-all; }
.unverified { color: #a00; font-weight: bold; }
blockquote { border-left: 3px solid #ccc; margin-left: 0; padding-left: 1em; color: #333; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 2px 4px; }
"""

PDF_CSS = """
@page { size: A4; margin: 2cm 2cm 2.5cm 2cm; @bottom-center { content: counter(page); font-size: 9pt; }
  @footnote { border-top: 0.5pt solid #666; padding-top: 4pt; } }
body { margin: 0; max-width: none; }
span.footnote { float: footnote; font-size: 8.5pt; line-height: 1.3; }
::footnote-call { content: counter(footnote); vertical-align: super; font-size: 0.7em; }
::footnote-marker { content: counter(footnote) ". "; }
"""


@dataclass
class Footnote:
    number: int
    entries: list[str]                 # one plain-text entry per citation in the bracket
    urls: list[str | None] = field(default_factory=list)
    unverified: bool = False

    @property
    def text(self) -> str:
        return "; ".join(self.entries) + "."


@dataclass
class AnnexEntry:
    id: str
    title: str | None
    paths: list[str]
    media_type: str | None
    size: int
    sha256: str
    first_received: str
    custody: str
    cited_in: list[int]
    translations: list[str]
    document: str | None = None   # the dossier in one line (exhibit.documents), for official documents

    def rows(self) -> list[tuple[str, str]]:
        out = [("Title", self.title or "(none)"), ("Path" + ("s" if len(self.paths) > 1 else ""),
                                                   "\n".join(self.paths) or "(none)"),
               ("Media type", self.media_type or "unknown"), ("Size", f"{self.size:,} bytes"),
               ("SHA-256", self.sha256), ("First received", self.first_received),
               ("Custody", self.custody), ("Cited in notes", ", ".join(str(n) for n in self.cited_in))]
        if self.translations:
            out.append(("Translation", "; ".join(self.translations)))
        if self.document:
            out.append(("Document", self.document))
        return out


@dataclass
class Rendering:
    """What a renderer needs: the report's Markdown, its check, footnotes and annex."""

    text: str
    check: ReportCheck
    title: str
    footnotes: dict[int, Footnote]     # group index -> footnote
    annex: list[AnnexEntry]
    statement: str


def citation_url(citation: CheckedCitation | Citation) -> str:
    """The web viewer's address for a citation: `/exhibits/EX-000012?page=3&q=<quote>&hl=<quote>`.

    Takes a checked citation (uses the resolved ID and the page where the quotation was found) or a
    parsed `Citation` (uses the reference as written; the viewer resolves SHA-256 prefixes)."""
    checked = citation if isinstance(citation, CheckedCitation) else None
    c = citation.citation if isinstance(citation, CheckedCitation) else citation
    ref = (checked.id if checked and checked.id else c.ref)
    params: list[tuple[str, str]] = []
    where = checked.found[0] if checked and checked.found and not checked.via else None
    page = where.page if where and where.page is not None else c.first_page
    sheet = (where.sheet if where and where.sheet else None) or (checked.sheet if checked else None) or c.sheet
    row = where.row if where and where.row is not None else c.first_row
    if page is not None:
        params.append(("page", str(page)))
    if sheet is not None:
        params.append(("sheet", sheet))
    if row is not None:
        params.append(("row", str(row)))
    if c.quote:
        # q: the quotation as the author wrote it; hl: what the viewer highlights, as the page writes it
        params.append(("q", c.quote))
        hl = checked.matched if checked and checked.matched and not checked.via else c.quote_segments()
        params.extend(("hl", h) for h in hl)
    query = "&".join(f"{k}={urlquote(v, safe='')}" for k, v in params)
    return f"/exhibits/{urlquote(ref, safe=':')}" + (f"?{query}" if query else "")


def _entry(cc: CheckedCitation) -> tuple[str, bool]:
    """One citation as footnote text, and whether it is unverified."""
    c = cc.citation
    if not c.is_exhibit:
        return " ".join(x for x in (c.prefix, f"@{c.ref}", c.locator, c.suffix) if x), False
    parts: list[str] = []
    if cc.id:
        label = cc.id + (f", “{cc.title}”" if cc.title else "") + (f", {cc.path}" if cc.path else "")
    else:
        label = c.ref
    parts.append(label)
    loc = c.locator
    if cc.sheet and not c.sheet:
        loc = f"sheet {cc.sheet}" + (f", {loc}" if loc else "")
    if not loc and cc.found and not cc.via:
        loc = cc.found[0].label
    if loc:
        parts.append(loc)
    if cc.sha256:
        parts.append(f"SHA-256 {cc.sha256[:SHA_PREFIX]}")
    text = (f"{c.prefix} " if c.prefix else "") + ", ".join(parts)
    if cc.excerpt:
        text += f": “{cc.excerpt}”"
    if cc.via and cc.found:
        what = "translation" if cc.quote_verdict and cc.quote_verdict.in_translation else "original"
        text += f" (quoted from the {what} {cc.via}, {cc.found[0].label})"
    elif cc.quote_verdict is Verdict.FOUND_ELSEWHERE and cc.found:
        text += f" (the quotation is at {cc.found[0].label})"
    if c.suffix:
        text += f", {c.suffix}"
    bad = cc.severity is Severity.ERROR
    if bad:
        text += f" [NOT VERIFIED: {cc.message}]"
    return text, bad


def _custody_summary(arch: Archive, sha: str) -> str:
    events = arch.custody_events(sha)
    if not events:
        return "no custody events"
    counts = Counter(e.event for e in events)
    kinds = ", ".join(f"{k} ×{n}" if n > 1 else k for k, n in counts.items())
    actors = ", ".join(sorted({e.actor for e in events}))
    last = events[-1]
    return (f"{len(events)} events from {events[0].time} to {last.time}: {kinds}; by {actors}; "
            f"last event #{last.seq}, hash {last.hash[:16]}")


_ANNEX_FIELDS = (FieldName.DOC_NUMBER, FieldName.ISSUE_DATE, FieldName.SEAL)


def _document_summary(arch: Archive, seq: int) -> str | None:
    """The exhibit's dossier in one line: kind, number, date, seal, findings, references (None when it is not
    an official document or telegram)."""
    from exhibit.documents.dossier import dossier

    d = dossier(arch, seq)
    if d.anatomy.kind is None:
        return None
    parts = [str(d.anatomy.kind).replace("_", " ")]
    parts += [f"{el.name.zh} {el.value}" for el in map(d.anatomy.get, _ANNEX_FIELDS) if el is not None]
    found = [f"{f.code}" + (f" (p. {f.page})" if f.page else "") for f in (*d.findings, *d.forensics)]
    parts.append("findings: " + (", ".join(found) if found else "none"))
    if d.references.cites:
        missing = len(d.references.missing)
        parts.append(f"cites {len(d.references.cites)} document numbers" + (f", {missing} not in the cache"
                                                                             if missing else ""))
    return "; ".join(parts) + ". Findings are informational, not verdicts."


def prepare(arch: Archive, text: str, check: ReportCheck, title: str | None = None) -> Rendering:
    footnotes: dict[int, Footnote] = {}
    cited: dict[str, AnnexEntry] = {}
    number = 0
    for g in check.groups:
        if not g.cites_exhibits:
            continue
        number += 1
        fn = Footnote(number, [])
        for cc in check.in_group(g.index):
            entry, bad = _entry(cc)
            fn.entries.append(entry)
            fn.urls.append(citation_url(cc) if cc.id else None)
            fn.unverified = fn.unverified or bad
            for ref in [cc.id, cc.via]:
                if not ref:
                    continue
                if ref not in cited:
                    seq = arch.resolve(ref)
                    info = arch.exhibit(seq)
                    tr = [f"translated by {x}" for x in map(ex_id, translations.translations_of(arch, seq))] + \
                         [f"translation of {x}" for x in map(ex_id, translations.originals_of(arch, seq))]
                    cited[ref] = AnnexEntry(info.id, info.title, info.path_names, info.media_type,
                                            info.size, info.sha256, info.first_received,
                                            _custody_summary(arch, info.sha256), [], tr,
                                            _document_summary(arch, seq))
                if number not in cited[ref].cited_in:
                    cited[ref].cited_in.append(number)
        footnotes[g.index] = fn
    if title is None:
        m = re.search(r"^#\s+(.+?)\s*#*\s*$", text, re.MULTILINE)
        title = m.group(1) if m else "Report"
    head = overview.custody_head(arch)
    statement = (f"{len(check.citations)} citations checked against the archive by exhibit: "
                 f"{check.errors} errors, {check.warnings} warnings. Report SHA-256 {check.sha256}. "
                 + (f"Custody log at event #{head.seq}, hash {head.hash}." if head else ""))
    return Rendering(text, check, title, footnotes, list(cited.values()), statement)


def _with_marks(r: Rendering) -> str:
    """The Markdown with each exhibit citation bracket replaced by a placeholder mark."""
    text = r.text
    for g in sorted(r.check.groups, key=lambda g: g.start, reverse=True):
        if g.index in r.footnotes:  # like Pandoc's note styles: no space before the note call
            text = text[:g.start].rstrip(" \t") + f"\ue000{g.index}\ue001" + text[g.end:]
    return text


def _md() -> MarkdownIt:
    # html=False: raw HTML in a report is shown as text, never passed through.
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


# -- HTML and PDF ---------------------------------------------------------------------------------
def to_html(r: Rendering, pdf: bool = False, viewer: str | None = None) -> str:
    body = _md().render(_with_marks(r))

    def call(m: re.Match[str]) -> str:
        fn = r.footnotes[int(m.group(1))]
        if pdf:  # WeasyPrint lays these out as real footnotes at the foot of the page
            return f'<span class="footnote">{_fn_html(fn, viewer)}</span>'
        return (f'<sup class="fnref" id="fnref-{fn.number}"><a href="#fn-{fn.number}">{fn.number}</a></sup>')

    body = _MARK.sub(call, body)
    notes = ""
    if not pdf and r.footnotes:
        items = "".join(f'<li id="fn-{fn.number}">{_fn_html(fn, viewer)} '
                        f'<a href="#fnref-{fn.number}" class="back">↩</a></li>'
                        for fn in sorted(r.footnotes.values(), key=lambda f: f.number))
        notes = f'<section class="footnotes"><h2>Notes</h2><ol>{items}</ol></section>'
    annex = "".join(
        f'<h3 id="{html.escape(a.id)}">{html.escape(a.id)}</h3><table>'
        + "".join(_annex_row(k, v) for k, v in a.rows()) + "</table>" for a in r.annex)
    annex_html = (f'<section class="annex"><h2>Annex: cited exhibits</h2>{annex}'
                  f'<p class="statement">{html.escape(r.statement)}</p></section>')
    css = CSS % {"fonts": FONTS} + (PDF_CSS if pdf else "")
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(r.title)}</title>'
            f"<style>{css}</style></head><body><article>{body}</article>{notes}{annex_html}</body></html>\n")


def _annex_row(key: str, value: str) -> str:
    cls = ' class="sha"' if key == "SHA-256" else ""
    return f"<tr><th>{html.escape(key)}</th><td{cls}>{html.escape(value).replace(chr(10), '<br>')}</td></tr>"


def _fn_html(fn: Footnote, viewer: str | None) -> str:
    parts = []
    for entry, url in zip(fn.entries, fn.urls, strict=True):
        e = html.escape(entry)
        if viewer and url:
            e = f'<a href="{html.escape(viewer.rstrip("/") + url)}">{e}</a>'
        parts.append(e)
    s = "; ".join(parts) + "."
    return f'<span class="unverified">{s}</span>' if fn.unverified else s


def write_pdf(r: Rendering, out: Path) -> None:
    from weasyprint import HTML  # imported here: loading WeasyPrint (Pango, fonts) takes a second

    HTML(string=to_html(r, pdf=True)).write_pdf(out)


# -- DOCX ----------------------------------------------------------------------------------------
def write_docx(r: Rendering, out: Path) -> None:
    """Word document. Notes are a numbered list after the text (endnotes), not Word footnotes:
    python-docx has no footnote API and its default template lacks the footnotes part."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = docx.Document()
    normal = doc.styles["Normal"]
    normal.font.name = "DejaVu Serif"
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), "WenQuanYi Micro Hei")
    doc.core_properties.title = r.title
    _docx_blocks(doc, _md().parse(_with_marks(r)), r)
    if r.footnotes:
        doc.add_heading("Notes", level=2)
        for fn in sorted(r.footnotes.values(), key=lambda f: f.number):
            p = doc.add_paragraph()
            p.add_run(f"{fn.number}. ").bold = True
            run = p.add_run(fn.text)
            run.font.size = Pt(9)
    doc.add_heading("Annex: cited exhibits", level=2)
    for a in r.annex:
        doc.add_heading(a.id, level=3)
        rows = a.rows()
        table = doc.add_table(rows=len(rows), cols=2)
        table.style = "Table Grid"
        for i, (k, v) in enumerate(rows):
            table.cell(i, 0).text = k
            table.cell(i, 1).text = v
    doc.add_paragraph(r.statement)
    doc.save(str(out))


def _docx_blocks(doc: Any, tokens: list[Token], r: Rendering) -> None:
    lists: list[str] = []
    quote = 0
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.type == "heading_open":
            p = doc.add_heading("", level=min(int(t.tag[1]), 9))
            _docx_inline(p, tokens[i + 1], r)
            i += 3
            continue
        if t.type == "paragraph_open":
            style = ("List Bullet" if lists and lists[-1] == "bullet" else "List Number" if lists
                     else "Quote" if quote else None)
            p = doc.add_paragraph(style=style)
            _docx_inline(p, tokens[i + 1], r)
            i += 3
            continue
        if t.type in ("bullet_list_open", "ordered_list_open"):
            lists.append("bullet" if t.type.startswith("bullet") else "ordered")
        elif t.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif t.type == "blockquote_open":
            quote += 1
        elif t.type == "blockquote_close":
            quote -= 1
        elif t.type in ("fence", "code_block"):
            run = doc.add_paragraph().add_run(t.content.rstrip("\n"))
            run.font.name = "DejaVu Sans Mono"
        elif t.type == "hr":
            doc.add_paragraph("⁂")
        elif t.type == "table_open":
            i = _docx_table(doc, tokens, i, r)
            continue
        i += 1


def _docx_table(doc: Any, tokens: list[Token], i: int, r: Rendering) -> int:
    rows: list[list[Token]] = []
    while tokens[i].type != "table_close":
        if tokens[i].type == "tr_open":
            rows.append([])
        elif tokens[i].type == "inline":
            rows[-1].append(tokens[i])
        i += 1
    if rows:
        table = doc.add_table(rows=len(rows), cols=max(len(x) for x in rows))
        table.style = "Table Grid"
        for ri, row in enumerate(rows):
            for ci, tok in enumerate(row):
                cell = table.cell(ri, ci)
                _docx_inline(cell.paragraphs[0], tok, r)
    return i + 1


def _docx_inline(p: Any, inline: Token, r: Rendering) -> None:
    bold = italic = False
    for child in inline.children or []:
        if child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type == "em_open":
            italic = True
        elif child.type == "em_close":
            italic = False
        elif child.type == "softbreak":
            p.add_run(" ")
        elif child.type == "hardbreak":
            p.add_run().add_break()
        elif child.type == "code_inline":
            p.add_run(child.content).font.name = "DejaVu Sans Mono"
        elif child.type == "image":
            p.add_run(child.content or "")
        elif child.type == "text":
            pos = 0
            for m in _MARK.finditer(child.content):
                _run(p, child.content[pos:m.start()], bold, italic)
                ref = p.add_run(str(r.footnotes[int(m.group(1))].number))
                ref.font.superscript = True
                pos = m.end()
            _run(p, child.content[pos:], bold, italic)


def _run(p: Any, text: str, bold: bool, italic: bool) -> None:
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold or None, italic or None
