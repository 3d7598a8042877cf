"""Finding exhibit citations in a Markdown report, in Pandoc's citation syntax, with their positions.

Written by hand on purpose: Pandoc (and citeproc) parse `[@key, p. 3]` to format a bibliography entry,
but they neither know exhibits nor keep source positions, and they treat `p. 3` as an opaque string.
We need the exhibit reference, the page/sheet/row locator and the quotation as data, and the line and
column of each citation for error messages. The grammar followed is Pandoc's: a bracket holding one
or more items separated by `;`, each `[prefix] @key[, locator][, suffix]`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

# Opening quote -> closing quote, for quotations in the text and inside citations.
QUOTES = {"“": "”", '"': '"', "「": "」", "『": "』", "«": "»"}
_CLOSERS = {v: k for k, v in QUOTES.items()}

# Pandoc citation keys: start with a letter, digit or _, internal punctuation allowed; or {anything}.
_KEY_RE = re.compile(r"-?@(\{[^}]*\}|[\w](?:[\w:.#$%&\-+?<>~/]*[\w])?)")
_ITEM_START_RE = re.compile(r"(?:^|(?<=[\s;\[]))-?@[\w{]")
_EXHIBIT_KEY_RE = re.compile(r"^(?:EX-\w+|sha256:[0-9a-f]*|[0-9a-f]{8,64})$", re.IGNORECASE)

_PAGE_RE = re.compile(r"(?:pp?\.?|pages?)\s*(\d+)(?:\s*[-–—]\s*(\d+))?(?=\s*(?:,|$))", re.IGNORECASE)
_ROW_RE = re.compile(r"rows?\s*(\d+)(?:\s*[-–—]\s*(\d+))?(?=\s*(?:,|$))", re.IGNORECASE)
_SHEET_RE = re.compile(r"sheet\s+", re.IGNORECASE)
_QUOTE_RE = re.compile(r"quote\s*:?\s*", re.IGNORECASE)
_ELLIPSIS_RE = re.compile(r"\s*(?:…+|\.{3,}|\[\.\.\.\]|\[…\])\s*")


@dataclass(frozen=True)
class Citation:
    """One cited item: `@ref` and what it points at. Lines and columns are 1-based, in characters."""

    ref: str                       # as written after @ (EX-000012, sha256:1a2b3c4d, ...)
    line: int
    column: int
    group: int                     # index of its bracket in the report (0-based): one footnote per bracket
    first_page: int | None = None
    last_page: int | None = None
    sheet: str | None = None
    first_row: int | None = None
    last_row: int | None = None
    quote: str | None = None
    quote_source: str | None = None  # "inline" (quote "..." in the bracket) | "before" (“...” [@..])
    prefix: str = ""
    suffix: str = ""
    problems: tuple[str, ...] = ()  # what the parser could not understand (warnings)

    @property
    def is_exhibit(self) -> bool:
        return bool(_EXHIBIT_KEY_RE.match(self.ref))

    @property
    def locator(self) -> str:
        """The locator as a reader writes it: `p. 3`, `pp. 3-4`, `sheet 扎瓦镇, row 14`."""
        parts: list[str] = []
        if self.first_page is not None:
            parts.append(f"p. {self.first_page}" if self.last_page in (None, self.first_page)
                         else f"pp. {self.first_page}-{self.last_page}")
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet}")
        if self.first_row is not None:
            parts.append(f"row {self.first_row}" if self.last_row in (None, self.first_row)
                         else f"rows {self.first_row}-{self.last_row}")
        return ", ".join(parts)

    def quote_segments(self) -> list[str]:
        """The quotation split at elisions (… or ...), each part to be found in order."""
        if not self.quote:
            return []
        return [s for s in _ELLIPSIS_RE.split(self.quote) if s.strip()]


@dataclass(frozen=True)
class CitationGroup:
    """A bracket `[...]` holding one or more citations; `start`/`end` are offsets into the report."""

    index: int
    start: int
    end: int
    line: int
    column: int
    text: str
    citations: tuple[Citation, ...]
    quote_start: int | None = None  # where a quotation written just before the bracket starts

    @property
    def cites_exhibits(self) -> bool:
        return any(c.is_exhibit for c in self.citations)


@dataclass
class _Positions:
    """Offset -> (line, column) in the report."""

    text: str
    starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", self.text)]

    def at(self, offset: int) -> tuple[int, int]:
        i = bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1


def _code_mask(text: str) -> list[bool]:
    """True for every character inside a code block or code span: citations there are examples."""
    mask = [False] * len(text)
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for ln in lines:
        offsets.append(offsets[-1] + len(ln))
    for tok in MarkdownIt("commonmark").parse(text):
        if tok.type in ("fence", "code_block") and tok.map:
            a, b = offsets[tok.map[0]], offsets[min(tok.map[1], len(lines))]
            mask[a:b] = [True] * (b - a)
    i = 0
    while i < len(text):
        if text[i] == "`" and not mask[i] and (i == 0 or text[i - 1] != "\\"):
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            close = re.compile(r"(?<!`)" + "`" * run + r"(?!`)").search(text, i + run)
            if close and "\n\n" not in text[i:close.start()]:
                mask[i:close.end()] = [True] * (close.end() - i)
                i = close.end()
                continue
            i += run
            continue
        i += 1
    return mask


def _read_quoted(s: str, i: int) -> tuple[str, int] | None:
    """If s[i] opens a quotation, its content and the index after the closing mark."""
    if i >= len(s) or s[i] not in QUOTES:
        return None
    close = s.find(QUOTES[s[i]], i + 1)
    if close < 0:
        return None
    return s[i + 1:close], close + 1


def _bracket_end(text: str, start: int, mask: list[bool]) -> int | None:
    """The index of the `]` closing the `[` at start (brackets nest, quotations are skipped), or None."""
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if mask[i]:
            return None
        if c == "\\":
            i += 2
            continue
        if text.startswith("\n\n", i):
            return None  # a citation never spans paragraphs
        if c in QUOTES and i > start:
            q = _read_quoted(text, i)
            if q and "\n\n" not in q[0]:
                i = q[1]
                continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _split_outside_quotes(s: str, sep: str) -> list[tuple[int, str]]:
    """Split at sep outside quotations; each part with its offset in s."""
    parts: list[tuple[int, str]] = []
    begin = i = 0
    while i < len(s):
        q = _read_quoted(s, i) if s[i] in QUOTES else None
        if q:
            i = q[1]
            continue
        if s[i] == sep:
            parts.append((begin, s[begin:i]))
            begin = i + 1
        i += 1
    parts.append((begin, s[begin:]))
    return parts


def _quote_before(text: str, bracket: int, mask: list[bool]) -> tuple[str, int] | None:
    """A quotation ending just before the bracket (white space allowed, not a blank line)."""
    j = bracket - 1
    while j >= 0 and text[j] in " \t\n":
        if text[j] == "\n" and j > 0 and text[j - 1] == "\n":
            return None
        j -= 1
    if j < 0 or text[j] not in _CLOSERS or mask[j]:
        return None
    opener = _CLOSERS[text[j]]
    k = text.rfind(opener, max(0, j - 2000), j)
    if k < 0 or "\n\n" in text[k:j] or mask[k]:
        return None
    return text[k + 1:j], k


@dataclass
class _Locators:
    first_page: int | None = None
    last_page: int | None = None
    sheet: str | None = None
    first_row: int | None = None
    last_row: int | None = None
    quote: str | None = None
    suffix: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _parse_locators(rest: str) -> _Locators:
    """The locator, quotation and suffix after a key (`, p. 3, quote "..."`)."""
    found = _Locators()
    i = 0
    while i < len(rest):
        while i < len(rest) and (rest[i].isspace() or rest[i] == ","):
            i += 1
        if i >= len(rest):
            break
        m = _QUOTE_RE.match(rest, i)
        if m and m.end() < len(rest) and rest[m.end()] in QUOTES:
            q = _read_quoted(rest, m.end())
            if q:
                found.quote = q[0]
                i = q[1]
                continue
        m = _PAGE_RE.match(rest, i)
        if m:
            found.first_page, found.last_page = int(m.group(1)), int(m.group(2) or m.group(1))
            i = m.end()
            continue
        m = _ROW_RE.match(rest, i)
        if m:
            found.first_row, found.last_row = int(m.group(1)), int(m.group(2) or m.group(1))
            i = m.end()
            continue
        m = _SHEET_RE.match(rest, i)
        if m:
            q = _read_quoted(rest, m.end())
            if q:
                found.sheet = q[0]
                i = q[1]
            else:
                end = rest.find(",", m.end())
                end = len(rest) if end < 0 else end
                found.sheet = rest[m.end():end].strip()
                i = end
            continue
        # Anything else is Pandoc "suffix" text (e.g. "emphasis added"), kept for the footnote.
        parts = _split_outside_quotes(rest[i:], ",")
        piece = parts[0][1].strip()
        found.suffix.append(piece)
        if re.search(r"\d", piece):
            found.problems.append(f"`{piece}` is not a locator exhibit understands (p. N, pp. N-M, sheet NAME, "
                            "row N, quote \"...\"); it was kept as text and not checked")
        i += len(parts[0][1])
    return found


def parse(text: str) -> list[CitationGroup]:
    """Every citation bracket of a Markdown report that holds at least one `@key`, in order."""
    mask = _code_mask(text)
    pos = _Positions(text)
    groups: list[CitationGroup] = []
    i = 0
    while True:
        start = text.find("[", i)
        if start < 0:
            break
        i = start + 1
        if mask[start] or (start > 0 and text[start - 1] == "\\"):
            continue
        end = _bracket_end(text, start, mask)
        if end is None:
            continue
        inner = text[start + 1:end]
        if not _ITEM_START_RE.search(inner) or text.startswith("(", end + 1):
            continue  # not a citation: a plain bracket, or a link `[text](url)`
        items: list[Citation] = []
        ok = True
        before = _quote_before(text, start, mask)
        for off, item in _split_outside_quotes(inner, ";"):
            m = next((k for k in _KEY_RE.finditer(item) if k.start() == 0 or item[k.start() - 1].isspace()),
                     None)
            if m is None:
                ok = False  # Pandoc: every item of a citation bracket has a key
                break
            key = m.group(1).strip("{}")
            loc = _parse_locators(item[m.end():])
            line, col = pos.at(start + 1 + off + m.start())
            quote, quote_source = (loc.quote, "inline") if loc.quote is not None else (None, None)
            if quote is None and before is not None:
                quote, quote_source = before[0], "before"
            items.append(Citation(
                ref=key, line=line, column=col, group=len(groups), first_page=loc.first_page,
                last_page=loc.last_page, sheet=loc.sheet, first_row=loc.first_row, last_row=loc.last_row,
                quote=quote, quote_source=quote_source, prefix=item[:m.start()].strip(),
                suffix=", ".join(loc.suffix), problems=tuple(loc.problems)))
        if not ok or not items:
            continue
        line, col = pos.at(start)
        groups.append(CitationGroup(index=len(groups), start=start, end=end + 1, line=line, column=col,
                                    text=text[start:end + 1], citations=tuple(items),
                                    quote_start=before[1] if before else None))
        i = end + 1
    return groups
