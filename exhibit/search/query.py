"""The query language (quoted phrases, AND/OR/NOT, parentheses, prefix*, fuzzy~N, field filters) and its
translation into tantivy queries.

Hand-written recursive descent rather than tantivy's own query parser: every term must be analysed per
script (Chinese to a bigram phrase, Latin folded, Uyghur also in ULY, digits whole) before a tantivy query
can be built from it, and a malformed query must name the position of the problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeGuard

import tantivy

from exhibit.errors import QueryError
from exhibit.search import analysis
from exhibit.text import chinese, uyghur

# Filters on a document's anatomy (exhibit.documents): resolved to exhibits by the caller's lookup
DOCUMENT_FIELDS = ("doc_number", "issuer", "classification", "signer")
# Filters on the analyst's own marks (exhibit.workspace): resolved to exhibits by the caller's lookup too,
# since the workspace is downstream of search
WORKSPACE_FIELDS = ("tag", "note", "noted_by")
FILTER_FIELDS = ("lang", "type", "path", "source", "ocr", "date", "received", "status", "folder", "year",
                 "media", *DOCUMENT_FIELDS, *WORKSPACE_FIELDS)
MAX_FUZZY = 2
# Levels of parentheses and NOT inside one another. The parser and the compiler recurse once per level (four
# Python frames each), so 500 brackets would end in a RecursionError; no query a person writes needs more
# than a handful.
MAX_DEPTH = 32


# -- syntax tree ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    text: str
    pos: int
    quoted: bool = False
    prefix: bool = False
    fuzzy: int | None = None
    slop: int = 0


@dataclass(frozen=True)
class Filter:
    field: str
    value: str
    pos: int
    low: str | None = None   # ranges: date:[low TO high], "*" for open
    high: str | None = None


@dataclass(frozen=True)
class All:
    pos: int


@dataclass(frozen=True)
class Not:
    child: Node
    pos: int


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Filter | All | Not | And | Or


# -- lexer ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tok:
    kind: str   # ( ) AND OR NOT WORD PHRASE FILTER EOF
    pos: int
    text: str = ""
    node: Node | None = None


_FIELD_RE = re.compile(r"(" + "|".join(FILTER_FIELDS) + r"):", re.IGNORECASE)
_SUFFIX_RE = re.compile(r"~(\d*)$")
_RANGE_RE = re.compile(r"\s*(\S+)\s+TO\s+(\S+?)\s*$")


def _lex(q: str) -> list[Tok]:
    toks: list[Tok] = []
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
        elif c in "()":
            toks.append(Tok(c, i))
            i += 1
        elif c == '"':
            j = q.find('"', i + 1)
            if j < 0:
                raise QueryError(f"unclosed quote: the phrase starting at position {i} has no closing \"", i)
            text = q[i + 1:j]
            j += 1
            slop = 0
            m = re.match(r"~(\d+)", q[j:])
            if m:
                slop = int(m.group(1))
                j += m.end()
            if not text.strip():
                raise QueryError(f"empty phrase at position {i}", i)
            toks.append(Tok("PHRASE", i, text, Term(text, i + 1, quoted=True, slop=slop)))
            i = j
        elif c in "-!" and i + 1 < n and not q[i + 1].isspace() and q[i + 1] != ")":
            toks.append(Tok("NOT", i, c))
            i += 1
        elif c == "+" and i + 1 < n and not q[i + 1].isspace():
            i += 1  # "+term" means required, which every term already is
        else:
            m = _FIELD_RE.match(q, i)
            if m and (i == 0 or not (q[i - 1].isalnum())):
                tok, i = _lex_filter(q, i, m.group(1).lower(), m.end())
                toks.append(tok)
                continue
            j = i
            while j < n and not q[j].isspace() and q[j] not in '()"':
                j += 1
            word = q[i:j]
            if word in ("AND", "&&"):
                toks.append(Tok("AND", i, word))
            elif word in ("OR", "||"):
                toks.append(Tok("OR", i, word))
            elif word == "NOT":
                toks.append(Tok("NOT", i, word))
            else:
                toks.append(Tok("WORD", i, word, _word(word, i)))
            i = j
    toks.append(Tok("EOF", n))
    return toks


def _word(word: str, pos: int) -> Node:
    if word == "*":
        return All(pos)
    fuzzy = None
    m = _SUFFIX_RE.search(word)
    if m:
        fuzzy = int(m.group(1)) if m.group(1) else MAX_FUZZY
        if fuzzy > MAX_FUZZY:
            raise QueryError(f"fuzzy distance ~{fuzzy} at position {pos + m.start()}: use ~1 or ~2",
                             pos + m.start())
        word = word[:m.start()]
        if not word:
            raise QueryError(f"'~' at position {pos} needs a word before it", pos)
    prefix = word.endswith("*")
    if prefix:
        word = word[:-1]
        if not word:
            raise QueryError(f"'*' at position {pos} needs a word before it (prefix search)", pos)
    bad = min((k for k in (word.find("*"), word.find("?")) if k >= 0), default=-1)
    if bad >= 0:
        raise QueryError(f"a wildcard can only end a word (prefix search like 653222198*); "
                         f"found one inside at position {pos + bad}", pos + bad)
    return Term(word, pos, prefix=prefix, fuzzy=fuzzy)


def _lex_filter(q: str, start: int, name: str, i: int) -> tuple[Tok, int]:
    n = len(q)
    if i < n and q[i] in "[{":
        close = "]" if q[i] == "[" else "}"
        j = q.find(close, i)
        if j < 0:
            raise QueryError(f"unclosed range: {name}:{q[i]} at position {i} has no closing {close}", i)
        m = _RANGE_RE.match(q[i + 1:j])
        if not m:
            raise QueryError(f"a range is written {name}:[2017-01-01 TO 2018-12-31] (position {i})", i)
        return Tok("FILTER", start, q[start:j + 1], Filter(name, "", start, m.group(1), m.group(2))), j + 1
    if i < n and q[i] == '"':
        j = q.find('"', i + 1)
        if j < 0:
            raise QueryError(f"unclosed quote: the value starting at position {i} has no closing \"", i)
        value, end = q[i + 1:j], j + 1
    else:
        j = i
        while j < n and not q[j].isspace() and q[j] not in "()":
            j += 1
        value, end = q[i:j], j
    if not value:
        raise QueryError(f"{name}: at position {start} needs a value, e.g. {_EXAMPLES[name]}", start)
    return Tok("FILTER", start, q[start:end], Filter(name, value, start)), end


_EXAMPLES = {"lang": "lang:zh", "type": "type:pdf", "path": "path:registers/*", "source": "source:LABEL",
             "ocr": "ocr:true", "date": "date:[2017-01-01 TO 2018-12-31]", "status": "status:ok",
             "received": "received:[2024-01-01 TO 2024-12-31]", "folder": "folder:registers",
             "year": "year:2018", "media": "media:application/pdf", "doc_number": "doc_number:新党政法电〔2017〕419号",
             "issuer": "issuer:自治区党委政法委*", "classification": "classification:机密", "signer": "signer:NAME"}


# -- parser -----------------------------------------------------------------------------------
class _Parser:
    def __init__(self, q: str) -> None:
        self.q = q
        self.toks = _lex(q)
        self.i = 0
        self.depth = 0

    def peek(self) -> Tok:
        return self.toks[self.i]

    def take(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def parse(self) -> Node:
        if self.peek().kind == "EOF":
            raise QueryError("empty query: give words, a \"quoted phrase\" or a filter like lang:zh", 0)
        node = self.parse_or()
        t = self.peek()
        if t.kind == ")":
            raise QueryError(f"unexpected ')' at position {t.pos}: no parenthesis is open", t.pos)
        if t.kind != "EOF":
            raise QueryError(f"unexpected {t.text!r} at position {t.pos}", t.pos)
        return node

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while self.peek().kind == "OR":
            op = self.take()
            self._need_operand(op)
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self) -> Node:
        items = [self.parse_unary()]
        while True:
            t = self.peek()
            if t.kind == "AND":
                self.take()
                self._need_operand(t)
                items.append(self.parse_unary())
            elif t.kind in ("WORD", "PHRASE", "FILTER", "(", "NOT"):
                items.append(self.parse_unary())
            else:
                break
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_unary(self) -> Node:
        t = self.peek()
        if t.kind == "NOT":
            self.take()
            self._need_operand(t)
            self._enter(t)
            node = Not(self.parse_unary(), t.pos)
            self.depth -= 1
            return node
        return self.parse_primary()

    def parse_primary(self) -> Node:
        t = self.take()
        if t.kind == "(":
            if self.peek().kind == ")":
                raise QueryError(f"empty parentheses at position {t.pos}", t.pos)
            self._enter(t)
            node = self.parse_or()
            if self.peek().kind != ")":
                raise QueryError(f"unclosed parenthesis: '(' at position {t.pos} has no matching ')'", t.pos)
            self.take()
            self.depth -= 1
            return node
        if t.kind in ("WORD", "PHRASE", "FILTER"):
            assert t.node is not None
            return t.node
        if t.kind in ("AND", "OR"):
            raise QueryError(f"{t.text} at position {t.pos} needs a term before it", t.pos)
        if t.kind == ")":
            raise QueryError(f"unexpected ')' at position {t.pos}: no parenthesis is open", t.pos)
        raise QueryError(f"the query ends too early at position {t.pos}: a term is missing", t.pos)

    def _enter(self, t: Tok) -> None:
        """One level deeper (a '(' or a NOT); a QueryError at `t` beyond MAX_DEPTH."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            what = "'('" if t.kind == "(" else repr(t.text)
            raise QueryError(f"the query nests too deeply: {what} at position {t.pos} opens level {self.depth}; "
                             f"at most {MAX_DEPTH} levels of parentheses and NOT fit inside one another, so "
                             f"write it flatter (a OR b OR c needs no brackets)", t.pos)

    def _need_operand(self, op: Tok) -> None:
        nxt = self.peek()
        if nxt.kind in ("EOF", ")", "AND", "OR"):
            raise QueryError(f"{op.text} at position {op.pos} needs a term after it", op.pos)


def parse(q: str) -> Node:
    """The syntax tree of a query; QueryError(message, position) when it is malformed."""
    return _Parser(q).parse()


# -- compiling to tantivy ---------------------------------------------------------------------
@dataclass
class Highlights:
    """What to mark in snippets: Han sequences, whole words, word prefixes, fuzzy words."""

    han: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    fuzzy: dict[str, int] = field(default_factory=dict)


_META = set(".+*?()|[]{}^$#&-~\\\"")


def regex_escape(s: str) -> str:
    """Escape for tantivy's (Rust) regex syntax."""
    return "".join("\\" + c if c in _META else c for c in s)


class Compiler:
    def __init__(self, schema: tantivy.Schema, common: analysis.Common | None = None,
                 documents: Callable[[str, str], list[int]] | None = None,
                 marks: Callable[[str, str], list[int]] | None = None) -> None:
        self.schema = schema
        self.common = common
        self.documents = documents
        self.marks = marks
        self.hl = Highlights()

    def compile(self, node: Node, negated: bool = False) -> tantivy.Query:
        if isinstance(node, Term):
            return self.term(node, negated)
        if isinstance(node, Filter):
            return tantivy.Query.const_score_query(self.filter(node), 0.0)
        if isinstance(node, All):
            return tantivy.Query.all_query()
        if isinstance(node, Not):
            return self._not_alone(node, negated)
        if isinstance(node, Or):
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, self._not_alone(c, negated)) for c in node.children])
        if isinstance(node, And):
            clauses = []
            for c in node.children:
                if isinstance(c, Not):
                    clauses.append((tantivy.Occur.MustNot, self.compile(c.child, not negated)))
                else:
                    clauses.append((tantivy.Occur.Must, self.compile(c, negated)))
            if all(o == tantivy.Occur.MustNot for o, _ in clauses):
                clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
            return tantivy.Query.boolean_query(clauses)
        raise TypeError(node)

    def top(self, node: Node) -> tantivy.Query:
        if isinstance(node, Not):
            return self._not_alone(node, False)
        return self.compile(node)

    def split(self, node: Node) -> tuple[tantivy.Query, list[list[int]], list[Filter]]:
        """The query without its top-level exhibit filters (tag:, doc_number:, ...), their exhibits, and
        the filters: search() then chooses how to apply them (Compiled.exhibits)."""
        children = node.children if isinstance(node, And) else (node,)
        filters = [c for c in children if _is_exhibit_filter(c)]
        sets = [self._exhibit_set(c) for c in filters]
        rest = [c for c in children if not _is_exhibit_filter(c)]
        if not sets:
            return self.top(node), [], []
        if not rest:
            return tantivy.Query.all_query(), sets, filters
        return self.top(rest[0] if len(rest) == 1 else And(tuple(rest))), sets, filters

    def _exhibit_set(self, f: Filter) -> list[int]:
        if f.field in DOCUMENT_FIELDS:
            return self.documents(f.field, f.value) if self.documents else []
        return self.marks(f.field, f.value) if self.marks else []

    def _not_alone(self, node: Node, negated: bool) -> tantivy.Query:
        if isinstance(node, Not):
            return tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.all_query()),
                                                (tantivy.Occur.MustNot, self.compile(node.child, not negated))])
        return self.compile(node, negated)

    # -- terms: per-script analysis ---------------------------------------------------------------
    def term(self, t: Term, negated: bool) -> tantivy.Query:
        folded = analysis.fold(t.text)
        q = self._analysed(t, folded, negated)
        if q is None:
            raise QueryError(f"{t.text!r} at position {t.pos} has no letters, digits or characters to search for",
                             t.pos)
        if uyghur.has_arabic(folded):  # Arabic script also finds the same words written in ULY Latin
            latin = uyghur.to_uly(folded)
            alt = self._analysed(t, analysis.fold(latin), negated)
            if alt is not None:
                q = tantivy.Query.boolean_query([(tantivy.Occur.Should, q), (tantivy.Occur.Should, alt)])
        return q

    def _analysed(self, t: Term, folded: str, negated: bool) -> tantivy.Query | None:
        s = self.schema
        parts: list[tantivy.Query] = []
        # Han: the bigram phrase of every run of two or more characters, the character of a lone one.
        stream = analysis.bigram_stream(folded)
        while stream and stream[0] == analysis.BOUNDARY:
            stream.pop(0)
        grams: list[str | tuple[int, str]] = list(_covering(stream))
        core = stream[:len(stream) - next((i for i, g in enumerate(reversed(stream)) if g != analysis.BOUNDARY), 0)]
        quad = self.common.quad_of(core[0][0] + core[1] + core[2][1]) \
            if self.common is not None and len(core) == 3 and analysis.BOUNDARY not in core else None
        if quad is not None:  # two common bigrams: their four characters are one indexed token
            parts.append(tantivy.Query.term_query(s, "quad", quad))
        elif len(grams) == 1:
            parts.append(tantivy.Query.term_query(s, "bi", stream[_first_gram(stream)]))
        elif grams:
            parts.append(tantivy.Query.phrase_query(s, "bi", grams))
        runs = chinese.HAN_RUN_RE.findall(analysis.join_han_whitespace(folded))
        for run in runs:
            if len(run) == 1:
                parts.append(tantivy.Query.term_query(s, "han", run))
            if not negated:
                self.hl.han.add(run)
        # Everything else: folded words of the uni field.
        words: list[str | tuple[int, str]] = list(analysis.uni_tokens(folded))
        if words:
            if t.prefix:
                last = tantivy.Query.regex_query(s, "uni", regex_escape(str(words[-1])) + ".*")
                if len(words) == 1:
                    parts.append(last)
                else:
                    parts.append(tantivy.Query.phrase_prefix_query(s, "uni", words))
                if not negated:
                    self.hl.words.update(map(str, words[:-1]))
                    self.hl.prefixes.add(str(words[-1]))
            elif t.fuzzy:
                for w in map(str, words):
                    parts.append(tantivy.Query.fuzzy_term_query(s, "uni", w, t.fuzzy, True))
                    if not negated:
                        self.hl.fuzzy[w] = t.fuzzy
            else:
                pair = self.common.pair_of(str(words[0]), str(words[1])) \
                    if self.common is not None and len(words) == 2 and not t.slop else None
                if len(words) == 1:
                    parts.append(tantivy.Query.term_query(s, "uni", words[0]))
                elif pair is not None:  # two common words: one indexed token (see analysis.Common)
                    parts.append(tantivy.Query.term_query(s, "quad", pair))
                else:
                    parts.append(tantivy.Query.phrase_query(s, "uni", words, t.slop))
                if not negated:
                    self.hl.words.update(map(str, words))
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, p) for p in parts])

    # -- filters ----------------------------------------------------------------------------------
    def filter(self, f: Filter) -> tantivy.Query:
        s = self.schema
        name, value = f.field, f.value
        if name in ("date", "received"):
            return self._date(f)
        if name in DOCUMENT_FIELDS or name in WORKSPACE_FIELDS:
            return exhibits_query(s, self._exhibit_set(f))
        if name == "ocr":
            v = value.lower()
            if v not in ("true", "false", "yes", "no"):
                raise QueryError(f"ocr: takes true or false (position {f.pos})", f.pos)
            return tantivy.Query.term_query(s, "ocr", "true" if v in ("true", "yes") else "false")
        if name == "path":
            if "*" in value or "?" in value:
                rx = "".join(".*" if c == "*" else "." if c == "?" else regex_escape(c) for c in value)
            else:
                rx = regex_escape(value.rstrip("/")) + "(/.*)?"
            return tantivy.Query.regex_query(s, "path", rx)
        if name in ("lang", "type", "status", "media"):
            value = value.lower()
        if name == "year" and not re.fullmatch(r"\d{4}", value):
            raise QueryError(f"year: takes four digits, e.g. year:2018 (position {f.pos})", f.pos)
        if "*" in value:
            rx = "".join(".*" if c == "*" else regex_escape(c) for c in value)
            return tantivy.Query.regex_query(s, name, rx)
        return tantivy.Query.term_query(s, name, value)

    def _date(self, f: Filter) -> tantivy.Query:
        if f.low is not None:
            lo = None if f.low == "*" else _date_bound(f.low, f.pos, upper=False)
            hi = None if f.high == "*" else _date_bound(f.high or "", f.pos, upper=True)
        else:
            lo = _date_bound(f.value, f.pos, upper=False)
            hi = _date_bound(f.value, f.pos, upper=True)
        return tantivy.Query.range_query(self.schema, f.field, tantivy.FieldType.Date, lo, hi,
                                         include_lower=True, include_upper=True)


def _covering(stream: list[str]) -> Iterator[tuple[int, str]]:
    """The bigrams that pin a Han sequence down, with their positions: every other one of each run and
    its last. Pinned positions keep it exact (AB at p and CD at p+2 is ABCD), with half the posting lists
    to intersect."""
    run: list[tuple[int, str]] = []
    for i, g in enumerate([*stream, analysis.BOUNDARY]):
        if g != analysis.BOUNDARY:
            run.append((i, g))
            continue
        yield from (x for k, x in enumerate(run) if k % 2 == 0 or k == len(run) - 1)
        run = []


def _first_gram(stream: list[str]) -> int:
    return next(i for i, g in enumerate(stream) if g != analysis.BOUNDARY)


def _date_bound(value: str, pos: int, upper: bool) -> datetime:
    """2018 -> the year, 2018-06 -> the month, 2018-06-04 -> the day (its first or last moment)."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", value)
    if not m:
        raise QueryError(f"{value!r} at position {pos} is not a date: write 2018, 2018-06 or 2018-06-04", pos)
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    try:
        if d:
            start = datetime(y, int(mo), int(d))
            end = start + timedelta(days=1)
        elif mo:
            start = datetime(y, int(mo), 1)
            end = datetime(y + (int(mo) == 12), int(mo) % 12 + 1, 1)
        else:
            start, end = datetime(y, 1, 1), datetime(y + 1, 1, 1)
    except ValueError as e:
        raise QueryError(f"{value!r} at position {pos} is not a valid date ({e})", pos) from None
    return end - timedelta(microseconds=1) if upper else start


# Below this many exhibits a filter is a disjunction of their `ex` terms; above it, one term-set query.
# Measured on 100,000 pages (a word within N exhibits, median ms): N=20 term set 0.39, disjunction 0.03;
# N=110 0.54 vs 0.20; N=512 0.71 vs 1.22; N=2000 1.4 vs 8.0. The crossover is near 300.
SMALL_EXHIBIT_SET = 200


def exhibits_query(schema: tantivy.Schema, seqs: Iterable[int]) -> tantivy.Query:
    """Pages and rows of these exhibits, as a filter: it matches or not and adds nothing to the score."""
    seqs = sorted(set(seqs))
    if not seqs:
        return tantivy.Query.empty_query()
    if len(seqs) <= SMALL_EXHIBIT_SET:
        inner = tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(schema, "ex", x))
                                             for x in seqs])
    else:
        inner = tantivy.Query.term_set_query(schema, "ex", seqs)
    return tantivy.Query.const_score_query(inner, 0.0)


def _is_exhibit_filter(node: Node) -> TypeGuard[Filter]:
    return isinstance(node, Filter) and (node.field in DOCUMENT_FIELDS or node.field in WORKSPACE_FIELDS)


@dataclass(frozen=True)
class TagFilter:
    """A top-level `tag:` filter: the tag names it matched and the exhibits carrying them now."""

    names: tuple[str, ...]
    exhibits: frozenset[int]

    def query(self, schema: tantivy.Schema, labelled: Mapping[str, frozenset[int]],
              unsure: frozenset[int] | None) -> tuple[tantivy.Query, int]:
        """This filter as a tantivy query, and how many exhibits it names one by one (a term set, costly
        when large): the index's `label` terms of the names (one posting list each, cheap whatever the
        number of exhibits), less the exhibits whose documents carry a name they no longer have, plus those
        tagged since their documents were written. `labelled`, `unsure`: what the index's documents carry
        (SearchIndex.labelled); without labels (`unsure` None) it is the term set of all its exhibits."""
        if unsure is None or not self.names:
            return exhibits_query(schema, self.exhibits), len(self.exhibits)
        stale, fresh = self._corrections(labelled, unsure)
        terms = [tantivy.Query.term_query(schema, "label", n) for n in self.names]
        q = terms[0] if len(terms) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Should, t) for t in terms])
        if stale:
            q = tantivy.Query.boolean_query([(tantivy.Occur.Must, q),
                                             (tantivy.Occur.MustNot, exhibits_query(schema, stale))])
        if fresh:
            q = tantivy.Query.boolean_query([(tantivy.Occur.Should, q),
                                             (tantivy.Occur.Should, exhibits_query(schema, fresh))])
        return tantivy.Query.const_score_query(q, 0.0), len(stale) + len(fresh)

    def _corrections(self, labelled: Mapping[str, frozenset[int]],
                     unsure: frozenset[int]) -> tuple[frozenset[int], frozenset[int]]:
        """(exhibits whose documents may carry a name they no longer have, exhibits that have one their
        documents may not carry)."""
        carried: frozenset[int] = frozenset().union(*(labelled.get(n, frozenset()) for n in self.names))
        return (carried - self.exhibits) | (unsure - self.exhibits), (self.exhibits - carried) | (unsure & self.exhibits)


@dataclass(frozen=True)
class ExhibitFilter:
    """The top-level exhibit filters of a compiled query as one tantivy query, built once per search.
    `by_label`: every part goes through the index's `label` field with few corrections, so intersecting
    with it costs about one posting list: cheaper than counting the query's hits to choose a plan."""

    query: tantivy.Query
    by_label: bool


@dataclass(frozen=True)
class Compiled:
    """A query string compiled: `text`, the tantivy query without its top-level exhibit filters;
    `exhibits`, the exhibits those filters allow (None: no such filter); `hl`, what to highlight; `tags`,
    the `tag:` filters among them, and `others` the exhibits the rest allow (None: no other)."""

    text: tantivy.Query
    exhibits: frozenset[int] | None
    hl: Highlights
    tags: tuple[TagFilter, ...] = ()
    others: frozenset[int] | None = None

    def filter(self, schema: tantivy.Schema, labelled: Mapping[str, frozenset[int]] | None = None,
               unsure: frozenset[int] | None = None) -> ExhibitFilter | None:
        """The exhibit filters (None: there are none); with the index's labels, each `tag:` filter goes
        through the `label` field (TagFilter.query)."""
        if self.exhibits is None:
            return None
        if labelled is None or not self.tags:
            return ExhibitFilter(exhibits_query(schema, self.exhibits), False)
        parts, named = [], 0
        for t in self.tags:
            q, n = t.query(schema, labelled, unsure)
            parts.append(q)
            named += n
        if self.others is not None:
            parts.append(exhibits_query(schema, self.others))
        by_label = unsure is not None and self.others is None and named <= SMALL_EXHIBIT_SET
        if len(parts) == 1:
            return ExhibitFilter(parts[0], by_label)
        return ExhibitFilter(tantivy.Query.boolean_query([(tantivy.Occur.Must, p) for p in parts]), by_label)

    def query(self, f: ExhibitFilter | None) -> tantivy.Query:
        """The whole query as one tantivy query, with its filters `f` (self.filter)."""
        if f is None:
            return self.text
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, self.text), (tantivy.Occur.Must, f.query)])


def compile_parts(q: str, schema: tantivy.Schema, common: analysis.Common | None = None,
                  documents: Callable[[str, str], list[int]] | None = None,
                  marks: Callable[[str, str], list[int]] | None = None,
                  within: Iterable[int] | None = None,
                  tag_names: Callable[[str], list[str]] | None = None) -> Compiled:
    """compile_query with the top-level exhibit filters (and `within`) kept apart as one set of exhibits.
    `tag_names`: the tag names a `tag:` value matches (exhibit.workspace.Marks.tag_names); with it, the
    top-level `tag:` filters are also kept as TagFilters."""
    c = Compiler(schema, common, documents, marks)
    text, sets, filters = c.split(parse(q))
    tags: list[TagFilter] = []
    others: list[list[int]] = []
    for f, s in zip(filters, sets, strict=True):
        if tag_names is not None and f.field == "tag":
            tags.append(TagFilter(tuple(tag_names(f.value)), frozenset(s)))
        else:
            others.append(s)
    if within is not None:
        sets.append(list(within))
        others.append(list(within))
    return Compiled(text, _intersect(sets), c.hl, tuple(tags), _intersect(others))


def _intersect(sets: list[list[int]]) -> frozenset[int] | None:
    keep: frozenset[int] | None = None
    for s in sets:
        keep = frozenset(s) if keep is None else keep & frozenset(s)
    return keep


def compile_query(q: str, schema: tantivy.Schema, common: analysis.Common | None = None,
                  documents: Callable[[str, str], list[int]] | None = None,
                  marks: Callable[[str, str], list[int]] | None = None) -> tuple[tantivy.Query, Highlights]:
    """Parse and translate a query string: (tantivy query, what to highlight). `common`: the index's
    common bigrams (SearchIndex.common), whose four-character sequences are single tokens. `documents`: the
    exhibits matching a document filter (doc_number:, issuer:, ...), exhibit.documents.exhibits_with; `marks`:
    the exhibits matching a workspace filter (tag:, note:, noted_by:), exhibit.workspace.Marks.exhibits_with."""
    c = Compiler(schema, common, documents, marks)
    query = c.top(parse(q))
    return query, c.hl
