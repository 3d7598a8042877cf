"""Checking a report: every citation must resolve to an exhibit, page or row, every quotation be there."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from exhibit.archive import Archive, ex_id
from exhibit.errors import UserError
from exhibit.ingest.types import Cell
from exhibit.reports import translations
from exhibit.reports.citations import Citation, CitationGroup, parse
from exhibit.reports.folding import Folded, fold, fold_text
from exhibit.text.script import Script, script_counts

# verdict -> severity. "resolved" and the quote verdicts found* are what a correct citation gets.
SEVERITY = {
    "resolved": "ok", "not_an_exhibit": "info",
    "unknown_exhibit": "error", "ambiguous_exhibit": "error", "missing_page": "error",
    "missing_sheet": "error", "missing_row": "error",
    "found": "ok", "found_in_translation": "ok", "found_in_original": "ok",
    "found_elsewhere": "warning", "found_in_translation_elsewhere": "warning", "found_approx": "warning",
    "not_found": "error", "no_text": "error",
}
_RANK = {"ok": 0, "info": 0, "warning": 1, "error": 2}
_EXCERPT_CONTEXT = 24
_APPROX_SCORE = 90.0   # an OCR page that nearly holds the quotation: a warning to check the image, not an error
_CACHE_ROWS = 20_000  # rows of one table kept folded in memory during a check
_TRAILING = ",.;:!?，。；：！？、"


@dataclass(frozen=True)
class Location:
    """Where text sits in an exhibit: a page, or a sheet's row."""

    exhibit: str
    page: int | None = None
    sheet: str | None = None
    row: int | None = None

    @property
    def label(self) -> str:
        if self.page is not None:
            return f"p. {self.page}"
        return f"sheet {self.sheet}, row {self.row}" if self.sheet else f"row {self.row}"

    def as_json(self) -> dict[str, Any]:
        return {"id": self.exhibit, "page": self.page, "sheet": self.sheet, "row": self.row}


@dataclass
class _Unit:
    """A searchable piece of an exhibit (a page or a row), folded once per check."""

    where: Location
    text: str
    ocr: bool = False
    _folded: Folded | None = None

    @property
    def folded(self) -> Folded:
        if self._folded is None:
            self._folded = fold(self.text)
        return self._folded


@dataclass
class CheckedCitation:
    """A citation with its verdicts; `severity` is the worse of the two."""

    citation: Citation
    verdict: str
    quote_verdict: str | None = None
    messages: list[str] = field(default_factory=list)
    id: str | None = None
    sha256: str | None = None
    title: str | None = None
    path: str | None = None
    sheet: str | None = None          # the sheet actually used (named, or the only one)
    found: list[Location] = field(default_factory=list)
    via: str | None = None            # the translation (or original) where the quotation was found
    excerpt: str | None = None
    matched: list[str] = field(default_factory=list)  # the quotation's parts as written in the exhibit
    closest: dict[str, Any] | None = None

    @property
    def severity(self) -> str:
        sev = [SEVERITY[self.verdict]]
        if self.quote_verdict:
            sev.append(SEVERITY[self.quote_verdict])
        if self.citation.problems:
            sev.append("warning")
        return max(sev, key=lambda s: _RANK[s])

    @property
    def message(self) -> str:
        return "; ".join(self.messages)

    def as_json(self) -> dict[str, Any]:
        c = self.citation
        return {
            "line": c.line, "column": c.column, "group": c.group, "ref": c.ref,
            "id": self.id, "sha256": self.sha256, "title": self.title, "path": self.path,
            "page": c.first_page, "last_page": c.last_page, "sheet": self.sheet or c.sheet,
            "row": c.first_row, "last_row": c.last_row, "quote": c.quote, "quote_source": c.quote_source,
            "verdict": self.verdict, "quote_verdict": self.quote_verdict, "severity": self.severity,
            "message": self.message, "found": [f.as_json() for f in self.found], "via": self.via,
            "excerpt": self.excerpt, "matched": self.matched, "closest": self.closest,
        }


@dataclass
class ReportCheck:
    path: str | None
    sha256: str
    groups: list[CitationGroup]
    citations: list[CheckedCitation]
    text: str = ""                     # the report as checked (newlines normalised); offsets refer to it

    @property
    def errors(self) -> int:
        return sum(1 for c in self.citations if c.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for c in self.citations if c.severity == "warning")

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def in_group(self, index: int) -> list[CheckedCitation]:
        return [c for c in self.citations if c.citation.group == index]

    def as_json(self) -> dict[str, Any]:
        return {"report": self.path, "sha256": self.sha256, "ok": self.ok, "citations": len(self.citations),
                "errors": self.errors, "warnings": self.warnings,
                "results": [c.as_json() for c in self.citations]}


class _Exhibits:
    """Per-check cache of what citations need from the archive: pages, tables, rows, folded text."""

    def __init__(self, arch: Archive) -> None:
        self.arch = arch
        self._pages: dict[int, dict[int, _Unit]] = {}
        self._uly: dict[int, dict[int, _Unit]] = {}
        self._tables: dict[int, list[dict[str, Any]]] = {}
        self._rows: dict[int, list[_Unit]] = {}

    def pages(self, seq: int) -> dict[int, _Unit]:
        if seq not in self._pages:
            self._load_pages(seq)
        return self._pages[seq]

    def transliterations(self, seq: int) -> dict[int, _Unit]:
        """Pages' Latin transliterations (ULY of Uyghur text, kept in page meta): a quotation in Latin
        Uyghur matches an Arabic-script page through them."""
        if seq not in self._uly:
            self._load_pages(seq)
        return self._uly[seq]

    def _load_pages(self, seq: int) -> None:
        pages, uly = {}, {}
        for p in self.arch.pages(seq):
            where = Location(ex_id(seq), page=p["number"])
            pages[p["number"]] = _Unit(where, p["text"], p["source"] == "ocr")
            if isinstance(p["meta"].get("uly"), str) and p["meta"]["uly"].strip():
                uly[p["number"]] = _Unit(where, p["meta"]["uly"], p["source"] == "ocr")
        self._pages[seq], self._uly[seq] = pages, uly

    def tables(self, seq: int) -> list[dict[str, Any]]:
        if seq not in self._tables:
            self._tables[seq] = self.arch.tables(seq)
        return self._tables[seq]

    def rows(self, seq: int, table: dict[str, Any]) -> Iterator[_Unit]:
        """A table's rows as units; kept in memory for small tables only, a large register streams."""
        if table["id"] in self._rows:
            yield from self._rows[table["id"]]
            return
        keep = table["row_count"] <= _CACHE_ROWS
        kept: list[_Unit] = []
        for r in self.arch.table_rows(table["id"]):
            u = _row_unit(seq, table, r.number, r.cells)
            if keep:
                kept.append(u)
            yield u
        if keep:
            self._rows[table["id"]] = kept

    def row_units(self, seq: int, table: dict[str, Any], first: int, last: int) -> list[_Unit]:
        rs = self.arch.db.execute("SELECT number, cells FROM table_rows WHERE table_id=? AND number BETWEEN ? AND ?"
                                  " ORDER BY number", (table["id"], first, last)).fetchall()
        return [_row_unit(seq, table, r["number"], tuple(Cell(*c) for c in json.loads(r["cells"]))) for r in rs]

    def row_range(self, table: dict[str, Any]) -> tuple[int, int] | None:
        r = self.arch.db.execute("SELECT min(number), max(number) FROM table_rows WHERE table_id=?",
                                 (table["id"],)).fetchone()
        return None if r[0] is None else (int(r[0]), int(r[1]))

    def has_row(self, table: dict[str, Any], number: int) -> bool:
        # A direct lookup: streaming a million-row sheet to test one row number would be wasteful.
        return self.arch.db.execute("SELECT 1 FROM table_rows WHERE table_id=? AND number=?",
                                    (table["id"], number)).fetchone() is not None

    def all_units(self, seq: int) -> Iterator[_Unit]:
        yield from self.pages(seq).values()
        yield from self.transliterations(seq).values()
        for t in self.tables(seq):
            yield from self.rows(seq, t)


def _row_unit(seq: int, table: dict[str, Any], number: int, cells: tuple[Cell, ...]) -> _Unit:
    return _Unit(Location(ex_id(seq), sheet=table["name"], row=number), " ".join(c.value for c in cells if c.value))


def _resolve(arch: Archive, ref: str) -> tuple[int | None, str | None]:
    """(seq, None) or (None, verdict)."""
    try:
        return arch.resolve(ref), None
    except UserError:
        m = re.match(r"^(?:sha256:)?([0-9a-f]{8,64})$", ref, re.IGNORECASE)
        if m:
            p = m.group(1).lower()
            n = arch.db.execute("SELECT count(*) FROM exhibits WHERE sha256 >= ? AND sha256 < ?",
                                (p, p + "g")).fetchone()[0]
            if n > 1:
                return None, "ambiguous_exhibit"
        return None, "unknown_exhibit"


def _quote_variants(quote: str) -> list[list[str]]:
    """The quotation's folded parts (split at elisions); then the same without outer punctuation that
    writers add inside quotation marks ("...surveillance." while the page goes on)."""
    parts = [fold_text(s) for s in re.split(r"\s*(?:…+|\.{3,}|\[\.\.\.\]|\[…\])\s*", quote) if s.strip()]
    parts = [p for p in parts if p]
    variants = [parts] if parts else []
    trimmed = [p.strip(_TRAILING + "\"'") for p in parts]
    trimmed = [p for p in trimmed if p]
    if trimmed and trimmed != parts:
        variants.append(trimmed)
    return variants


def _parts(variants: list[list[str]], text: str) -> list[tuple[int, int]] | None:
    """The folded spans of the quotation's parts, found in order, or None."""
    for parts in variants:
        spans: list[tuple[int, int]] = []
        pos = 0
        for p in parts:
            i = text.find(p, pos)
            if i < 0:
                break
            spans.append((i, i + len(p)))
            pos = i + len(p)
        else:
            if spans:
                return spans
    return None


def _find(variants: list[list[str]], text: str) -> tuple[int, int] | None:
    """The folded span holding every part in order, or None."""
    spans = _parts(variants, text)
    return (spans[0][0], spans[-1][1]) if spans else None


def _joined(units: list[_Unit]) -> _Unit:
    """Several pages as one searchable text, so that a quotation may run across a page break."""
    if len(units) == 1:
        return units[0]
    return _Unit(units[0].where, "\n".join(u.text for u in units), any(u.ocr for u in units))


def _excerpt(unit: _Unit, span: tuple[int, int], context: int = _EXCERPT_CONTEXT) -> str:
    a, b = unit.folded.span(*span)
    text = unit.text
    han = bool(context) and _script(text[max(0, a - context):b + context]) == "han"
    if han:
        context //= 2  # a Chinese character carries about as much as a short English word
    lo, hi = max(0, a - context), min(len(text), b + context)
    while not han and 0 < lo < a and not text[lo - 1].isspace() and a - lo < context + 12:
        lo -= 1  # cut at word boundaries
    while not han and b < hi < len(text) and not text[hi].isspace() and hi - b < context + 12:
        hi += 1
    if b - a > 3 * _EXCERPT_CONTEXT:  # a long (elided) quotation: its start and its end are enough
        s = _collapse(text[lo:a + _EXCERPT_CONTEXT]) + " … " + _collapse(text[b - _EXCERPT_CONTEXT:hi])
    else:
        s = _collapse(text[lo:hi])
    return ("…" if lo > 0 else "") + s + ("…" if hi < len(text) else "")


def _script(s: str) -> str:
    """"han", "latin" or "other": enough to tell an English quotation of a Chinese page."""
    counts = script_counts(s)
    han, latin = counts[Script.HANI], counts[Script.LATN]
    return "han" if han > latin else "latin" if latin else "other"


def _collapse(s: str) -> str:
    s = re.sub(r"[\ufb00-\ufb06]", lambda m: unicodedata.normalize("NFKC", m.group()), s)  # PDF ligatures ﬁ ﬀ
    s = re.sub(r"\s+", " ", s).strip()
    # A line break inside a Chinese sentence is not a space.
    return re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])", "", s)


def _search(units: list[_Unit], variants: list[list[str]]) -> tuple[_Unit, tuple[int, int]] | None:
    for u in units:
        span = _find(variants, u.folded.text)
        if span:
            return u, span
    return None


def _search_all(units: Iterator[_Unit], variants: list[list[str]], skip: set[Location]) -> list[
        tuple[_Unit, tuple[int, int]]]:
    hits = []
    for u in units:
        if u.where in skip:
            continue
        span = _find(variants, u.folded.text)
        if span:
            hits.append((u, span))
    return hits


def _closest(units: list[_Unit], quote: str) -> tuple[_Unit, float, tuple[int, int]] | None:
    q = fold_text(quote)
    best: tuple[_Unit, float, tuple[int, int]] | None = None
    for u in units:
        if not q or not u.folded.text:
            continue
        al = fuzz.partial_ratio_alignment(q, u.folded.text)
        if al is not None and (best is None or al.score > best[1]):
            best = (u, al.score, (al.dest_start, al.dest_end))
    return best


class Checker:
    """Checks citations against one archive, caching pages and rows across a report's citations."""

    def __init__(self, arch: Archive) -> None:
        self.arch = arch
        self.ex = _Exhibits(arch)

    def check(self, c: Citation) -> CheckedCitation:
        out = CheckedCitation(c, "resolved")
        out.messages.extend(c.problems)
        if not c.is_exhibit:
            out.verdict = "not_an_exhibit"
            out.messages.append(f"@{c.ref} is not an exhibit reference (EX-000012, sha256:1a2b3c4d); not checked")
            return out
        seq, bad = _resolve(self.arch, c.ref)
        if seq is None:
            out.verdict = bad or "unknown_exhibit"
            out.messages.append(f"{c.ref}: no such exhibit" if out.verdict == "unknown_exhibit"
                                else f"{c.ref}: several exhibits' SHA-256 start with this; give more digits")
            return out
        info = self.arch.exhibit(seq)
        out.id, out.sha256, out.title = info["id"], info["sha256"], info["title"]
        out.path = info["paths"][0] if info["paths"] else None
        cited = self._locate(seq, c, out)
        if c.quote is None:
            return out
        variants = _quote_variants(c.quote)
        if not variants:
            return out
        if cited is None:  # the locator is wrong: say where the quotation is, if anywhere
            hits = _search_all(self.ex.all_units(seq), variants, set())
            if hits:
                out.messages.append("the quotation is at " + ", ".join(h[0].where.label for h in hits[:5]))
            return out
        self._check_quote(seq, c, variants, cited, out)
        return out

    def _locate(self, seq: int, c: Citation, out: CheckedCitation) -> list[_Unit] | None:
        """The units the locator points at (all of the exhibit's without a locator), or None on an error."""
        pages = self.ex.pages(seq)
        if (c.last_page or 0) < (c.first_page or 0) or (c.last_row or 0) < (c.first_row or 0):
            out.verdict = "missing_page" if (c.last_page or 0) < (c.first_page or 0) else "missing_row"
            out.messages.append(f"the range {c.locator} runs backwards")
            return None
        if c.first_page is not None and c.first_row is None and c.sheet is None:
            last = c.last_page or c.first_page
            missing = [n for n in range(c.first_page, last + 1) if n not in pages]
            if missing:
                out.verdict = "missing_page"
                status = self.arch.exhibit(seq)["status"]
                has = (f"has {len(pages)} page{'s' * (len(pages) != 1)}" if pages
                       else "has no pages" + ("; it is a register: cite `sheet NAME, row N`"
                                              if self.ex.tables(seq) else "")
                       + (f" (its status is {status})" if status != "ok" else ""))
                out.messages.append(f"{out.id} {has}; p. {missing[0]} does not exist")
                return None
            numbers = range(c.first_page, last + 1)
            uly = self.ex.transliterations(seq)
            return [_joined([pages[n] for n in numbers])] + (
                [_joined([uly[n] for n in numbers])] if all(n in uly for n in numbers) else [])
        if c.sheet is None and c.first_row is None:
            return list(self.ex.all_units(seq))
        tables = self.ex.tables(seq)
        if c.sheet is not None:
            want = fold_text(c.sheet)
            named = [t for t in tables if t["name"] == c.sheet] or [t for t in tables if fold_text(t["name"]) == want]
            if not named:
                out.verdict = "missing_sheet"
                names = ", ".join(t["name"] for t in tables[:20]) or "none"
                out.messages.append(f"{out.id} has no sheet named {c.sheet!r}; its sheets: {names}")
                return None
            table = named[0]
        else:
            on_page = [t for t in tables if c.first_page is not None and t["page"] == c.first_page]
            candidates = on_page or tables
            if len(candidates) != 1:
                out.verdict = "missing_sheet"
                out.messages.append(f"{out.id} has no tables; cite a page" if not candidates else
                                    f"{out.id} has {len(candidates)} sheets; name one with `sheet NAME`: "
                                    + ", ".join(t["name"] for t in candidates[:20]))
                return None
            table = candidates[0]
        if c.sheet is not None or table["kind"] == "sheet":  # a CSV's one table needs no name in a note
            out.sheet = table["name"]
        if c.first_row is None:
            return list(self.ex.rows(seq, table))
        last = c.last_row or c.first_row
        for n in range(c.first_row, last + 1):
            if not self.ex.has_row(table, n):
                out.verdict = "missing_row"
                rr = self.ex.row_range(table)
                span = f"rows {rr[0]}-{rr[1]}" if rr else "no rows"
                out.messages.append(f"{out.id} sheet {table['name']} has {span}; row {n} does not exist")
                return None
        return self.ex.row_units(seq, table, c.first_row, last)

    def _related(self, seq: int) -> list[tuple[int, str]]:
        return ([(t, "found_in_translation") for t in translations.translations_of(self.arch, seq)]
                + [(o, "found_in_original") for o in translations.originals_of(self.arch, seq)])

    def _check_quote(self, seq: int, c: Citation, variants: list[list[str]], cited: list[_Unit],
                     out: CheckedCitation) -> None:
        hit = _search(cited, variants)
        if hit:
            out.quote_verdict = "found"
            out.found = [hit[0].where]
            self._hit(out, hit[0], hit[1], variants)
            if c.first_page is None and c.first_row is None:
                out.messages.append(f"found at {hit[0].where.label}")
            return
        pages_cited = c.first_page is not None and c.sheet is None and c.first_row is None
        related = self._related(seq)
        # Page by page: the cited page of the translation first.
        for other, verdict in related:
            opages = self.ex.pages(other)
            if pages_cited:
                last = c.last_page or c.first_page or 0
                units = [opages[n] for n in range(c.first_page or 0, last + 1) if n in opages]
            elif c.first_row is None and c.sheet is None:
                units = list(self.ex.all_units(other))
            else:
                units = []
            if units:
                hit = _search([_joined(units)] if pages_cited else units, variants)
                if hit:
                    out.quote_verdict, out.via = verdict, ex_id(other)
                    out.found = [hit[0].where]
                    self._hit(out, hit[0], hit[1], variants)
                    what = "translation" if verdict == "found_in_translation" else "original"
                    out.messages.append(f"found in the {what} {ex_id(other)} at {hit[0].where.label}")
                    return
        skip = {u.where for u in cited}
        hits = _search_all(self.ex.all_units(seq), variants, skip)
        if hits:
            out.quote_verdict = "found_elsewhere"
            out.found = [h[0].where for h in hits]
            self._hit(out, *hits[0], variants)
            out.messages.append(f"the quotation is not at {c.locator} but at "
                                + ", ".join(h[0].where.label for h in hits[:5]))
            return
        for other, verdict in related:
            hits = _search_all(self.ex.all_units(other), variants, set())
            if hits:
                out.quote_verdict, out.via = "found_in_translation_elsewhere", ex_id(other)
                out.found = [h[0].where for h in hits]
                self._hit(out, *hits[0], variants)
                what = "translation" if verdict == "found_in_translation" else "original"
                out.messages.append(f"found in the {what} {ex_id(other)}, but at "
                                    + ", ".join(h[0].where.label for h in hits[:5]) + f", not {c.locator}")
                return
        if not any(u.text.strip() for u in self.ex.all_units(seq)):
            out.quote_verdict = "no_text"
            out.messages.append(f"{out.id} has no text to check the quotation against (image without OCR?)")
            return
        best = _closest(cited, c.quote or "")
        if best and best[0].ocr and best[1] >= _APPROX_SCORE:
            out.quote_verdict = "found_approx"
            out.found = [best[0].where]
            out.excerpt = self._excerpt(best[0], best[2])
            out.messages.append(f"nearly matches the OCR text at {best[0].where.label} (score {best[1]:.0f}): "
                                f"“{out.excerpt}”; check against the page image")
            return
        out.quote_verdict = "not_found"
        quote_script, page_script = _script(c.quote or ""), _script("".join(u.text for u in cited)[:2000])
        if quote_script != page_script and not related:
            out.messages.append(f"the quotation is {quote_script} and {out.id} is {page_script}: if it quotes a "
                                f"translation, record it with `exhibit translation link {out.id} EX-TRANSLATION`")
        if best and best[1] >= 30:
            out.closest = {**best[0].where.as_json(), "text": self._excerpt(best[0], best[2], 8),
                           "score": round(best[1], 1)}
            out.messages.append(f"quotation not found at {c.locator or out.id}; closest passage "
                                f"({best[0].where.label}, similarity {best[1]:.0f}%): “{out.closest['text']}”")
        else:
            out.messages.append(f"quotation not found at {c.locator or out.id}")

    def _hit(self, out: CheckedCitation, unit: _Unit, span: tuple[int, int], variants: list[list[str]]) -> None:
        """Note the excerpt around a found quotation and its parts as the page writes them (for highlighting)."""
        out.excerpt = self._excerpt(unit, span)
        spans = _parts(variants, unit.folded.text[span[0]:]) or []
        out.matched = [_collapse(unit.text[slice(*unit.folded.span(a + span[0], b + span[0]))]) for a, b in spans]

    @staticmethod
    def _excerpt(unit: _Unit, span: tuple[int, int], context: int = _EXCERPT_CONTEXT) -> str:
        # A register row holds a person's name and ID number next to the quoted cell: show the matched
        # text only, never its neighbours.
        return _excerpt(unit, span, 0 if unit.where.row is not None else context)


def check_text(arch: Archive, text: str, path: str | None = None, sha256: str | None = None) -> ReportCheck:
    """Check every exhibit citation of a Markdown report's text (`sha256`: of the file's bytes, if read
    from one; else of the text)."""
    sha = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    groups = parse(text)
    checker = Checker(arch)
    results = [checker.check(c) for g in groups for c in g.citations]
    return ReportCheck(path, sha, groups, results, text)
