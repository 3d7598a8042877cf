"""Verifying a report: every citation must resolve to an exhibit, page or row, every quotation be there."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rapidfuzz import fuzz

from exhibit.archive import Archive, ex_id, overview
from exhibit.archive.types import Cell, TableInfo
from exhibit.errors import UserError
from exhibit.reports import translations
from exhibit.reports.citations import Citation, CitationGroup, parse
from exhibit.reports.folding import Folded, fold, fold_text
from exhibit.text.script import Script, script_counts


class Severity(StrEnum):
    """How much a verdict matters: an error makes the report fail its check (and refuses rendering)."""

    OK = "ok"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.OK: 0, Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Verdict(StrEnum):
    """What verifying a citation found: first of its reference and locator, then of its quotation.
    `resolved` and the `found*` quotation verdicts are what a correct citation gets."""

    # the reference and its locator
    RESOLVED = "resolved"
    NOT_AN_EXHIBIT = "not_an_exhibit"              # @smith2020: someone else's citation, left alone
    UNKNOWN_EXHIBIT = "unknown_exhibit"
    AMBIGUOUS_EXHIBIT = "ambiguous_exhibit"        # a SHA-256 prefix several exhibits share
    MISSING_PAGE = "missing_page"
    MISSING_SHEET = "missing_sheet"
    MISSING_ROW = "missing_row"
    # the quotation
    FOUND = "found"
    FOUND_IN_TRANSLATION = "found_in_translation"  # in a linked translation of the cited exhibit
    FOUND_IN_ORIGINAL = "found_in_original"        # in the original the cited exhibit translates
    FOUND_ELSEWHERE = "found_elsewhere"            # in the exhibit, not where the locator says
    FOUND_IN_TRANSLATION_ELSEWHERE = "found_in_translation_elsewhere"
    FOUND_APPROX = "found_approx"                  # nearly, on an OCR page: check against the image
    NOT_FOUND = "not_found"
    NO_TEXT = "no_text"                            # the exhibit has no text to look in

    @property
    def severity(self) -> Severity:
        return _SEVERITY[self]

    @property
    def passes(self) -> bool:
        """Whether a citation with this verdict checks out (warnings do, and are worth a look)."""
        return self.severity is not Severity.ERROR

    @property
    def in_translation(self) -> bool:
        """Whether the quotation was found in a translation rather than in the cited exhibit."""
        return self in (Verdict.FOUND_IN_TRANSLATION, Verdict.FOUND_IN_TRANSLATION_ELSEWHERE)


_SEVERITY = {
    Verdict.RESOLVED: Severity.OK, Verdict.NOT_AN_EXHIBIT: Severity.INFO,
    Verdict.UNKNOWN_EXHIBIT: Severity.ERROR, Verdict.AMBIGUOUS_EXHIBIT: Severity.ERROR,
    Verdict.MISSING_PAGE: Severity.ERROR, Verdict.MISSING_SHEET: Severity.ERROR, Verdict.MISSING_ROW: Severity.ERROR,
    Verdict.FOUND: Severity.OK, Verdict.FOUND_IN_TRANSLATION: Severity.OK, Verdict.FOUND_IN_ORIGINAL: Severity.OK,
    Verdict.FOUND_ELSEWHERE: Severity.WARNING, Verdict.FOUND_IN_TRANSLATION_ELSEWHERE: Severity.WARNING,
    Verdict.FOUND_APPROX: Severity.WARNING, Verdict.NOT_FOUND: Severity.ERROR, Verdict.NO_TEXT: Severity.ERROR,
}
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


@dataclass(frozen=True)
class CheckedCitation:
    """A citation with its verdicts (of the reference, of the quotation); `severity` is the worse of the two."""

    citation: Citation
    verdict: Verdict
    quote_verdict: Verdict | None = None
    messages: tuple[str, ...] = ()
    id: str | None = None
    sha256: str | None = None
    title: str | None = None
    path: str | None = None
    sheet: str | None = None          # the sheet actually used (named, or the only one)
    found: tuple[Location, ...] = ()
    via: str | None = None            # the translation (or original) where the quotation was found
    excerpt: str | None = None
    matched: tuple[str, ...] = ()     # the quotation's parts as written in the exhibit
    closest: dict[str, Any] | None = None

    @property
    def severity(self) -> Severity:
        sev = [self.verdict.severity]
        if self.quote_verdict:
            sev.append(self.quote_verdict.severity)
        if self.citation.problems:
            sev.append(Severity.WARNING)
        return max(sev, key=lambda s: s.rank)

    @property
    def outcome(self) -> Verdict:
        """The one verdict to show: the quotation's once the reference resolved, else the reference's."""
        return self.quote_verdict if self.verdict is Verdict.RESOLVED and self.quote_verdict else self.verdict

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
            "verdict": str(self.verdict), "quote_verdict": str(self.quote_verdict) if self.quote_verdict else None,
            "severity": str(self.severity), "message": self.message, "found": [f.as_json() for f in self.found],
            "via": self.via, "excerpt": self.excerpt, "matched": list(self.matched), "closest": self.closest,
        }


@dataclass
class _Draft:
    """A citation's verdicts while the checker works them out; frozen into a CheckedCitation when done."""

    citation: Citation
    verdict: Verdict = Verdict.RESOLVED
    quote_verdict: Verdict | None = None
    messages: list[str] = field(default_factory=list)
    id: str | None = None
    sha256: str | None = None
    title: str | None = None
    path: str | None = None
    sheet: str | None = None
    found: list[Location] = field(default_factory=list)
    via: str | None = None
    excerpt: str | None = None
    matched: list[str] = field(default_factory=list)
    closest: dict[str, Any] | None = None

    def freeze(self) -> CheckedCitation:
        return CheckedCitation(self.citation, self.verdict, self.quote_verdict, tuple(self.messages), self.id,
                               self.sha256, self.title, self.path, self.sheet, tuple(self.found), self.via,
                               self.excerpt, tuple(self.matched), self.closest)


@dataclass(frozen=True)
class ReportCheck:
    """A report's citations, each with its verdicts: the report passes when none is an error."""

    path: str | None
    sha256: str
    groups: tuple[CitationGroup, ...]
    citations: tuple[CheckedCitation, ...]
    text: str = ""                     # the report as checked (newlines normalised); offsets refer to it

    @property
    def errors(self) -> int:
        return sum(1 for c in self.citations if c.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for c in self.citations if c.severity is Severity.WARNING)

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
        self._tables: dict[int, list[TableInfo]] = {}
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
            where = Location(ex_id(seq), page=p.number)
            pages[p.number] = _Unit(where, p.text, p.source == "ocr")
            if isinstance(p.meta.get("uly"), str) and p.meta["uly"].strip():
                uly[p.number] = _Unit(where, p.meta["uly"], p.source == "ocr")
        self._pages[seq], self._uly[seq] = pages, uly

    def tables(self, seq: int) -> list[TableInfo]:
        if seq not in self._tables:
            self._tables[seq] = self.arch.tables(seq)
        return self._tables[seq]

    def rows(self, seq: int, table: TableInfo) -> Iterator[_Unit]:
        """A table's rows as units; kept in memory for small tables only, a large register streams."""
        if table.id in self._rows:
            yield from self._rows[table.id]
            return
        keep = table.row_count <= _CACHE_ROWS
        kept: list[_Unit] = []
        for r in self.arch.table_rows(table.id):
            u = _row_unit(seq, table, r.number, r.cells)
            if keep:
                kept.append(u)
            yield u
        if keep:
            self._rows[table.id] = kept

    def row_units(self, seq: int, table: TableInfo, first: int, last: int) -> list[_Unit]:
        return [_row_unit(seq, table, r.number, r.cells)
                for r in overview.rows_between(self.arch, table.id, first, last)]

    def row_range(self, table: TableInfo) -> tuple[int, int] | None:
        return overview.row_range(self.arch, table.id)

    def has_row(self, table: TableInfo, number: int) -> bool:
        # A direct lookup: streaming a million-row sheet to test one row number would be wasteful.
        return overview.has_row(self.arch, table.id, number)

    def all_units(self, seq: int) -> Iterator[_Unit]:
        yield from self.pages(seq).values()
        yield from self.transliterations(seq).values()
        for t in self.tables(seq):
            yield from self.rows(seq, t)


def _row_unit(seq: int, table: TableInfo, number: int, cells: tuple[Cell, ...]) -> _Unit:
    return _Unit(Location(ex_id(seq), sheet=table.name, row=number), " ".join(c.value for c in cells if c.value))


def _resolve(arch: Archive, ref: str) -> tuple[int | None, Verdict | None]:
    """(seq, None) or (None, verdict)."""
    try:
        return arch.resolve(ref), None
    except UserError:
        m = re.match(r"^(?:sha256:)?([0-9a-f]{8,64})$", ref, re.IGNORECASE)
        if m and overview.sha256_prefix_count(arch, m.group(1).lower()) > 1:
            return None, Verdict.AMBIGUOUS_EXHIBIT
        return None, Verdict.UNKNOWN_EXHIBIT


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
        out = _Draft(c)
        self._check(c, out)
        return out.freeze()

    def _check(self, c: Citation, out: _Draft) -> None:
        out.messages.extend(c.problems)
        if not c.is_exhibit:
            out.verdict = Verdict.NOT_AN_EXHIBIT
            out.messages.append(f"@{c.ref} is not an exhibit reference (EX-000012, sha256:1a2b3c4d); not checked")
            return
        seq, bad = _resolve(self.arch, c.ref)
        if seq is None:
            out.verdict = bad or Verdict.UNKNOWN_EXHIBIT
            out.messages.append(f"{c.ref}: no such exhibit" if out.verdict is Verdict.UNKNOWN_EXHIBIT
                                else f"{c.ref}: several exhibits' SHA-256 start with this; give more digits")
            return
        info = self.arch.exhibit(seq)
        out.id, out.sha256, out.title = info.id, info.sha256, info.title
        out.path = info.path_names[0] if info.path_names else None
        cited = self._locate(seq, c, out)
        if c.quote is None:
            return
        variants = _quote_variants(c.quote)
        if not variants:
            return
        if cited is None:  # the locator is wrong: say where the quotation is, if anywhere
            hits = _search_all(self.ex.all_units(seq), variants, set())
            if hits:
                out.messages.append("the quotation is at " + ", ".join(h[0].where.label for h in hits[:5]))
            return
        self._check_quote(seq, c, variants, cited, out)

    def _locate(self, seq: int, c: Citation, out: _Draft) -> list[_Unit] | None:
        """The units the locator points at (all of the exhibit's without a locator), or None on an error."""
        pages = self.ex.pages(seq)
        if (c.last_page or 0) < (c.first_page or 0) or (c.last_row or 0) < (c.first_row or 0):
            out.verdict = (Verdict.MISSING_PAGE if (c.last_page or 0) < (c.first_page or 0)
                           else Verdict.MISSING_ROW)
            out.messages.append(f"the range {c.locator} runs backwards")
            return None
        if c.first_page is not None and c.first_row is None and c.sheet is None:
            last = c.last_page or c.first_page
            missing = [n for n in range(c.first_page, last + 1) if n not in pages]
            if missing:
                out.verdict = Verdict.MISSING_PAGE
                status = self.arch.exhibit(seq).status
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
            named = [t for t in tables if t.name == c.sheet] or [t for t in tables if fold_text(t.name) == want]
            if not named:
                out.verdict = Verdict.MISSING_SHEET
                names = ", ".join(t.name for t in tables[:20]) or "none"
                out.messages.append(f"{out.id} has no sheet named {c.sheet!r}; its sheets: {names}")
                return None
            table = named[0]
        else:
            on_page = [t for t in tables if c.first_page is not None and t.page == c.first_page]
            candidates = on_page or tables
            if len(candidates) != 1:
                out.verdict = Verdict.MISSING_SHEET
                out.messages.append(f"{out.id} has no tables; cite a page" if not candidates else
                                    f"{out.id} has {len(candidates)} sheets; name one with `sheet NAME`: "
                                    + ", ".join(t.name for t in candidates[:20]))
                return None
            table = candidates[0]
        if c.sheet is not None or table.kind == "sheet":  # a CSV's one table needs no name in a note
            out.sheet = table.name
        if c.first_row is None:
            return list(self.ex.rows(seq, table))
        last = c.last_row or c.first_row
        for n in range(c.first_row, last + 1):
            if not self.ex.has_row(table, n):
                out.verdict = Verdict.MISSING_ROW
                rr = self.ex.row_range(table)
                span = f"rows {rr[0]}-{rr[1]}" if rr else "no rows"
                out.messages.append(f"{out.id} sheet {table.name} has {span}; row {n} does not exist")
                return None
        return self.ex.row_units(seq, table, c.first_row, last)

    def _related(self, seq: int) -> list[tuple[int, Verdict]]:
        return ([(t, Verdict.FOUND_IN_TRANSLATION) for t in translations.translations_of(self.arch, seq)]
                + [(o, Verdict.FOUND_IN_ORIGINAL) for o in translations.originals_of(self.arch, seq)])

    def _check_quote(self, seq: int, c: Citation, variants: list[list[str]], cited: list[_Unit],
                     out: _Draft) -> None:
        hit = _search(cited, variants)
        if hit:
            out.quote_verdict = Verdict.FOUND
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
                    what = "translation" if verdict.in_translation else "original"
                    out.messages.append(f"found in the {what} {ex_id(other)} at {hit[0].where.label}")
                    return
        skip = {u.where for u in cited}
        hits = _search_all(self.ex.all_units(seq), variants, skip)
        if hits:
            out.quote_verdict = Verdict.FOUND_ELSEWHERE
            out.found = [h[0].where for h in hits]
            self._hit(out, *hits[0], variants)
            out.messages.append(f"the quotation is not at {c.locator} but at "
                                + ", ".join(h[0].where.label for h in hits[:5]))
            return
        for other, verdict in related:
            hits = _search_all(self.ex.all_units(other), variants, set())
            if hits:
                out.quote_verdict, out.via = Verdict.FOUND_IN_TRANSLATION_ELSEWHERE, ex_id(other)
                out.found = [h[0].where for h in hits]
                self._hit(out, *hits[0], variants)
                what = "translation" if verdict.in_translation else "original"
                out.messages.append(f"found in the {what} {ex_id(other)}, but at "
                                    + ", ".join(h[0].where.label for h in hits[:5]) + f", not {c.locator}")
                return
        if not any(u.text.strip() for u in self.ex.all_units(seq)):
            out.quote_verdict = Verdict.NO_TEXT
            out.messages.append(f"{out.id} has no text to check the quotation against (image without OCR?)")
            return
        best = _closest(cited, c.quote or "")
        if best and best[0].ocr and best[1] >= _APPROX_SCORE:
            out.quote_verdict = Verdict.FOUND_APPROX
            out.found = [best[0].where]
            out.excerpt = self._excerpt(best[0], best[2])
            out.messages.append(f"nearly matches the OCR text at {best[0].where.label} (score {best[1]:.0f}): "
                                f"“{out.excerpt}”; check against the page image")
            return
        out.quote_verdict = Verdict.NOT_FOUND
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

    def _hit(self, out: _Draft, unit: _Unit, span: tuple[int, int], variants: list[list[str]]) -> None:
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
    results = tuple(checker.check(c) for g in groups for c in g.citations)
    return ReportCheck(path, sha, tuple(groups), results, text)
