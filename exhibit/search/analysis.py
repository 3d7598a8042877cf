"""Text analysis for the search index: folding, Han bigram streams, and the tantivy analyzers.

Every page or table row is indexed into three tantivy fields from one folded string:
  uni  tantivy's regex tokenizer (Rust): runs of letters, marks and digits other than Han (Latin, Arabic,
       Cyrillic words, whole digit strings), lower-cased and ASCII-folded; with positions, for phrases.
  han  one token per Han character, frequencies only: one-character queries.
  bi   the overlapping Han bigrams with positions, built here with numpy, and a boundary token wherever
       a Han run breaks, which tantivy drops while keeping its position as a gap.
A Chinese query of two or more characters is a phrase of its bigrams: the exact sequence, answered from
short posting lists (a unigram phrase over common characters was 100x slower). Python never loops over
characters when indexing: folding is a numpy lookup table, bigrams are numpy, tokenising is Rust.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import NamedTuple

import numpy as np
import regex
import tantivy

from exhibit.text import chinese, uyghur

# Where a Han run breaks: two tokens, dropped by the bi analyzer, their positions kept as a gap. Two, so that
# bigrams of different runs are always 3+ positions apart and a query may pin every other bigram (AB at p,
# CD at p+2 is ABCD) without matching AB, a break, CD.
BOUNDARY = "\x00"
UNI = "exhibit_uni"
HAN = "exhibit_han"
BI = "exhibit_bi"

_H = chinese.HAN_CLASS
_H_RUST = r"\x{3007}\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{3134F}"
UNI_PATTERN = f"[[\\p{{L}}\\p{{M}}\\p{{N}}]--[{_H_RUST}]]+"
MAX_TOKEN_BYTES = 80
_ASCII_WORD_RE = re.compile(r"[a-z0-9]+")
_UNI_RE = regex.compile(r"(?V1)[[\p{L}\p{M}\p{N}]--[\u3007\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF"
                        r"\U00020000-\U0003134F]]+")

# Chinese is written without spaces: whitespace that PDF extraction or OCR puts between two Han characters
# (line wraps, spaced glyphs) does not separate words; any other character does.


@cache
def _lut() -> np.ndarray:
    """Code point -> code point: traditional to simplified, full-width to ASCII, compatibility ideographs."""
    lut = np.arange(0x110000, dtype=np.uint32)
    for c in range(0xFF01, 0xFF5F):  # full-width ASCII
        lut[c] = c - 0xFEE0
    lut[0x3000] = 0x20  # ideographic space
    lut[0x00A0] = 0x20
    for c in range(0xF900, 0xFB00):  # CJK compatibility ideographs to their unified form
        n = unicodedata.normalize("NFKC", chr(c))
        if len(n) == 1:
            lut[c] = ord(n)
    table = chinese.simplified_table()
    for k, v in table.items():
        lut[k] = ord(v)
    for c in range(0xF900, 0xFB00):
        lut[c] = ord(table.get(int(lut[c]), chr(int(lut[c]))))
    return lut


@cache
def _han_lut() -> np.ndarray:
    han = np.zeros(0x110000, dtype=bool)
    for a, b in ((0x3007, 0x3007), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F)):
        han[a:b + 1] = True
    return han


@cache
def _word_lut() -> np.ndarray:
    """Code points outside ASCII that the uni analyzer puts in words (letters, marks, numbers; not Han)."""
    lut = np.zeros(0x110000, dtype=bool)
    cat = unicodedata.category
    lut[0x80:] = [cat(chr(c))[0] in "LMN" for c in range(0x80, 0x110000)]
    lut[_han_lut()] = False
    return lut


def _codes(s: str) -> np.ndarray:
    return np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32)


def _text(a: np.ndarray) -> str:
    if a.size and a.max() < 0x10000:  # UTF-16 decodes twice as fast as UTF-32
        return a.astype(np.uint16).tobytes().decode("utf-16-le")
    return a.tobytes().decode("utf-32-le")


def _fold_codes(s: str) -> np.ndarray:
    lut = _lut()
    a: np.ndarray = lut[_codes(s)]
    if uyghur.has_arabic(s):
        a = lut[_codes(uyghur.normalize(_text(a)))]
        return a
    t = _text(a)
    if not unicodedata.is_normalized("NFKC", t):  # rare after the table: ligatures, circled digits...
        a = lut[_codes(unicodedata.normalize("NFKC", t))]
    return a


def fold(s: str) -> str:
    """Index and query folding: simplified Chinese, half-width, Uyghur letters normalised (NFKC).

    Case and Latin diacritics are folded later by tantivy's analyzer (lowercase, ascii_fold)."""
    return _text(_fold_codes(s)) if s else s


def _bigram_rows(a: np.ndarray, doc: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Rows [first, second, space, space] of the overlapping Han bigrams of folded code points, and
    [0, space, 0, space] (two boundary tokens) where a Han run breaks; and for each row the document it belongs to (when several are batched)."""
    keep = (a > 0x20) | ((a != 0x20) & ((a < 0x09) | (a > 0x0D)))  # whitespace between Han joins them
    a = a[keep]
    if doc is not None:
        doc = doc[keep]
    a = np.where(_han_lut()[a], a, 0)          # every other character breaks the run
    z = a == 0
    if a.size:
        keep = ~(z & np.concatenate(([False], z[:-1])))  # one boundary per break
        a = a[keep]
        if doc is not None:
            doc = doc[keep]
    nxt = np.empty_like(a)
    nxt[:-1] = a[1:]
    if a.size:
        nxt[-1] = 0
    if doc is not None and a.size:  # a bigram never spans two documents
        nxt[:-1][doc[1:] != doc[:-1]] = 0
    rows = np.empty((a.size, 4), dtype=np.uint32)
    rows[:, 0] = a
    rows[:, 1] = np.where(a == 0, 0x20, nxt)
    rows[:, 2] = np.where(a == 0, 0, 0x20)
    rows[:, 3] = 0x20
    sel = (a == 0) | (nxt != 0)
    return np.compress(sel, rows, axis=0), (doc[sel] if doc is not None else None)


def _bigrams(a: np.ndarray) -> str:
    """Overlapping Han bigrams of folded code points, space-separated, with BOUNDARY where a run breaks.

    Vectorised (numpy) because this is the indexing hot path: a regex findall with a lookahead ran at
    ~15 MB/s, this several times faster."""
    if a.size == 0:
        return ""
    return _text(_bigram_rows(a, None)[0])


class Common:
    """The archive's commonest Han bigrams, and the four-character tokens (the `quad` field) they make.

    A Chinese phrase of four characters is two pinned bigrams, AB at p and CD at p+2. When both are among
    the commonest bigrams of the archive, their posting lists cover most pages and tantivy checks positions
    on every one of them: 100x the median query. So wherever a common bigram is followed, two positions
    on, by another, the four characters are also indexed as one token, and such a query reads one posting
    list. (Lucene's CommonGrams does this for frequent English words.) The list is chosen from a sample of
    the archive when the index is rebuilt and kept in the index state: every page is indexed against the
    same list, so a query knows whether its token exists."""

    def __init__(self, bigrams: list[str], words: list[str] | None = None) -> None:
        self.bigrams = sorted(set(bigrams))
        self.set = frozenset(self.bigrams)
        self.words = sorted(set(words or []))
        self.word_set = frozenset(self.words)
        self._tables: tuple[np.ndarray, np.ndarray] | None = None

    def pair_of(self, first: str, second: str) -> str | None:
        """The pair token for a two-word phrase of common words (uni field tokens), if it is indexed."""
        return first + PAIR_SEP + second if first in self.word_set and second in self.word_set else None

    def word_pairs(self, text: str, ascii_words: bool = False) -> str:
        """Pair tokens for each two adjacent tokens of the uni field that are both common words,
        space-separated. The uni analyzer's tokens are found again with the same pattern (`regex` knows
        \\p{M} and set difference like Rust's regex); a token too long for it breaks adjacency as in
        tantivy, which leaves its position empty."""
        if not self.word_set or not text:
            return ""
        words = self.word_set
        if ascii_words or text.isascii():  # the common case, 4x faster: ASCII tokens are [A-Za-z0-9] runs
            toks = _ASCII_WORD_RE.findall(text.lower())
        else:
            toks = [raw.lower() if raw.isascii() else (_fold_token(raw) or "") for raw in _UNI_RE.findall(text)]
        # A token not common (a word too long for the analyzer included) breaks the pair, as its position
        # does in tantivy.
        flags = [w in words for w in toks]
        return " ".join([a + PAIR_SEP + b for a, b, fa, fb in zip(toks, toks[1:], flags, flags[1:], strict=False)
                         if fa and fb])

    def _lookup(self) -> tuple[np.ndarray, np.ndarray]:
        """Character -> small id (0: in no common bigram), and an id x id matrix: vectorised membership."""
        if self._tables is None:
            chars = sorted({c for b in self.bigrams for c in b})
            ids = np.zeros(0x110000, dtype=np.uint16)
            ids[[ord(c) for c in chars]] = np.arange(1, len(chars) + 1, dtype=np.uint16)
            m = np.zeros((len(chars) + 1, len(chars) + 1), dtype=bool)
            for b in self.bigrams:
                m[ids[ord(b[0])], ids[ord(b[1])]] = True
            self._tables = ids, m
        return self._tables

    def quad_of(self, run: str) -> str | None:
        """The quad token for a four-character Han run, if it is indexed."""
        return run if len(run) == 4 and run[:2] in self.set and run[2:] in self.set else None

    def quads(self, rows: np.ndarray, row_doc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """From bigram rows (see _bigram_rows): rows [A, B, C, D, space] of each quad token, and its doc."""
        ids, m = self._lookup()
        real = rows[:, 0] != 0
        common = m[ids[rows[:, 0]], ids[rows[:, 1]]] & real
        # Rows i, i+1, i+2 real and of one document are three overlapping bigrams of one Han run.
        at = common[:-2] & common[2:] & real[1:-1] & (row_doc[:-2] == row_doc[2:])
        idx = np.flatnonzero(at)
        out = np.empty((idx.size, 5), dtype=np.uint32)
        out[:, 0:2] = rows[idx, 0:2]
        out[:, 2:4] = rows[idx + 2, 0:2]
        out[:, 4] = 0x20
        return out, row_doc[idx]


PAIR_SEP = "\x01"  # joins a pair's two words into one token (not whitespace, not a word character)
COMMON_DF = 0.2          # a bigram on at least this share of the sampled pages is common
COMMON_WORD_DF = 0.1     # a word likewise (pairs of words are few per page: a lower bar costs little)
COMMON_SAMPLE = 2000     # pages sampled
COMMON_MIN_PAGES = 1000  # below this many, no list: a small archive is fast anyway
COMMON_MAX = 400         # at most this many bigrams (the commonest)


def common_words(unis: list[str]) -> list[str]:
    """ASCII words of the uni field present on at least COMMON_WORD_DF of the sampled pages' uni texts."""
    if len(unis) < COMMON_MIN_PAGES:
        return []
    counts: dict[str, int] = {}
    for u in unis:
        for w in {raw.lower() for raw in _UNI_RE.findall(u) if raw.isascii() and len(raw) < MAX_TOKEN_BYTES}:
            counts[w] = counts.get(w, 0) + 1
    need = COMMON_WORD_DF * len(unis)
    return sorted(w for _, w in sorted(((n, w) for w, n in counts.items() if n >= need), reverse=True)[:COMMON_MAX])


def common_from_sample(texts: list[str]) -> Common:
    """The common bigrams and words of a sample of the archive's pages."""
    unis = [p.uni for i in range(0, len(texts), 256) for p in prepare_many(texts[i:i + 256])]
    return Common(common_bigrams(texts), common_words(unis))


def common_bigrams(texts: list[str]) -> list[str]:
    """The bigrams present on at least COMMON_DF of `texts` (a sample of the archive's pages)."""
    if len(texts) < COMMON_MIN_PAGES:
        return []
    counts: dict[int, int] = {}
    for i in range(0, len(texts), 256):
        chunk = texts[i:i + 256]
        lens = np.fromiter((len(t) for t in chunk), dtype=np.int64, count=len(chunk))
        codes = _lut()[_codes("".join(chunk))]
        doc = np.repeat(np.arange(len(chunk), dtype=np.int64), lens)
        rows, row_doc = _bigram_rows(codes, doc)
        assert row_doc is not None
        real = rows[:, 0] != 0
        key = (rows[real, 0].astype(np.int64) << 21) | rows[real, 1].astype(np.int64)
        per_doc = np.unique((row_doc[real].astype(np.int64) << 42) | key) & ((1 << 42) - 1)
        u, c = np.unique(per_doc, return_counts=True)
        for k, n in zip(u.tolist(), c.tolist(), strict=True):
            counts[k] = counts.get(k, 0) + n
    need = COMMON_DF * len(texts)
    best = sorted((n, k) for k, n in counts.items() if n >= need)[::-1][:COMMON_MAX]
    return sorted(chr(k >> 21) + chr(k & ((1 << 21) - 1)) for _, k in best)


class Prepared(NamedTuple):
    """One page or row, ready for the index's three text fields."""

    uni: str      # the folded text with Han characters blanked: tantivy's regex tokenizer takes the words
    han: str      # the Han characters, space-separated: tantivy's whitespace tokenizer
    bi: str       # the Han bigrams and run boundaries, space-separated
    arabic: bool  # has Arabic script (then ULY Latin is indexed too)
    quad: str = ""  # the four-character sequences made of two common bigrams, space-separated
    ascii_words: bool = False  # every word character of `uni` is ASCII (then its words are [a-z0-9] runs)


def _han_text(a: np.ndarray) -> str:
    rows = np.empty((a.size, 2), dtype=np.uint32)
    rows[:, 0] = a
    rows[:, 1] = 0x20
    return _text(rows)


def prepare(text: str, common: Common | None = None) -> Prepared:
    """The index fields' texts for one page or row (see the module docstring)."""
    if not text:
        return Prepared("", "", "", False, "", True)
    a = _fold_codes(text)
    han = _han_lut()[a]
    rows, _ = _bigram_rows(a, None)
    quad = ""
    if common is not None and common.bigrams and rows.size:
        quads, _ = common.quads(rows, np.zeros(len(rows), dtype=np.int32))
        quad = _text(quads)
    return Prepared(_text(np.where(han, 0x20, a).astype(np.uint32)), _han_text(a[han]), _text(rows),
                    uyghur.has_arabic(text), quad, not _word_lut()[a].any())


def prepare_many(texts: list[str], common: Common | None = None) -> list[Prepared]:
    """prepare() of many pages at once: numpy's per-call overhead, not the characters, dominated a
    page-at-a-time loop. Same results as prepare() on each text.

    Splitting Han from the rest here and feeding tantivy's whitespace tokenizer doubled the Rust side's
    speed over regex tokenizers scanning the whole text for each field."""
    if len(texts) < 4:
        return [prepare(t, common) for t in texts]
    joined = "".join(texts)
    lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    ends = np.cumsum(lens)
    starts = ends - lens
    lut = _lut()
    codes = lut[_codes(joined)]
    out: list[Prepared | None] = [None] * len(texts)
    doc = np.repeat(np.arange(len(texts), dtype=np.int32), lens)
    arabic = set(np.unique(doc[(codes >= 0x0600) & (codes <= 0x06FF) | (codes >= 0x0750) & (codes <= 0x077F) |
                               (codes >= 0xFB50) & (codes <= 0xFDFF) | (codes >= 0xFE70) & (codes <= 0xFEFF)]
                           ).tolist())
    han = _han_lut()[codes]
    uni_all = _text(np.where(han, 0x20, codes).astype(np.uint32))
    special = [i for i in range(len(texts))
               if i in arabic or not unicodedata.is_normalized("NFKC", uni_all[starts[i]:ends[i]])]
    for i in special:  # Arabic script or other compatibility characters: the one-by-one path
        out[i] = prepare(texts[i], common)
    if special:
        mask = np.ones(codes.size, dtype=bool)
        for i in special:
            mask[starts[i]:ends[i]] = False
        codes_b, doc_b = codes[mask], doc[mask]
    else:
        codes_b, doc_b = codes, doc
    rows, row_doc = _bigram_rows(codes_b, doc_b)
    assert row_doc is not None
    bounds = np.searchsorted(row_doc, np.arange(len(texts) + 1))
    bi_all = _text(rows)
    han_doc = doc[han]
    hbounds = np.searchsorted(han_doc, np.arange(len(texts) + 1))
    han_all = _han_text(codes[han])
    wide = np.zeros(len(texts), dtype=bool)
    wide[np.unique(doc[_word_lut()[codes]])] = True
    quad_all, qbounds = "", np.zeros(len(texts) + 1, dtype=np.int64)
    if common is not None and common.bigrams and rows.size:
        quads, quad_doc = common.quads(rows, row_doc)
        quad_all = _text(quads)
        qbounds = np.searchsorted(quad_doc, np.arange(len(texts) + 1))
    for i in range(len(texts)):
        if out[i] is None:
            out[i] = Prepared(uni_all[starts[i]:ends[i]], han_all[2 * hbounds[i]:2 * hbounds[i + 1]],
                              bi_all[4 * bounds[i]:4 * bounds[i + 1]], False,
                              quad_all[5 * qbounds[i]:5 * qbounds[i + 1]], not wide[i])
    return out  # type: ignore[return-value]


def bigram_stream(folded: str) -> list[str]:
    """Overlapping Han bigrams in order, with BOUNDARY wherever a Han run breaks (query side).

    Queries are short: a plain loop beats numpy's per-call overhead; tests check both agree."""
    if len(folded) > 200:
        return _bigrams(_codes(folded)).split()
    out: list[str] = []
    prev = ""
    for c in _WS_RE.sub("", folded):
        if chinese.HAN_RE.match(c):
            if prev:
                out.append(prev + c)
            prev = c
        else:
            if not out or out[-1] != BOUNDARY or prev:  # a break is two boundary tokens (see BOUNDARY)
                out += [BOUNDARY, BOUNDARY]
            prev = ""
    return out


_WS_RE = re.compile(r"[ \t\n\v\f\r]+")
_JOIN_WS_RE = re.compile(f"(?<=[{_H}])[ \t\r\n\v\f]+(?=[{_H}])")


def join_han_whitespace(s: str) -> str:
    """Whitespace between two Han characters removed, as the bigram stream does (query side)."""
    return _JOIN_WS_RE.sub("", s)


def bigram_text(folded: str) -> str:
    return _bigrams(_codes(folded))


def uly_text(folded: str) -> str | None:
    """ULY Latin for the Arabic-script parts of a page, indexed alongside so a Latin query finds them."""
    return "\n".join(uyghur.to_uly(run) for run in uyghur.ARABIC_RUN_RE.findall(folded)) or None


@cache
def uni_analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(UNI_PATTERN))
            .filter(tantivy.Filter.remove_long(MAX_TOKEN_BYTES))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .build())


@cache
def han_analyzer() -> tantivy.TextAnalyzer:
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


@cache
def bi_analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
            .filter(tantivy.Filter.custom_stopword([BOUNDARY]))
            .build())


@lru_cache(maxsize=65536)
def _fold_token(raw: str) -> str | None:
    """A non-ASCII token as the uni analyzer folds it (None when the analyzer drops it)."""
    out = list(uni_analyzer().analyze(raw))
    return str(out[0]) if len(out) == 1 else None


def register(index: tantivy.Index) -> None:
    index.register_tokenizer(UNI, uni_analyzer())
    index.register_tokenizer(HAN, han_analyzer())
    index.register_tokenizer(BI, bi_analyzer())


def uni_tokens(folded: str) -> list[str]:
    """The uni field's tokens (everything but Han) of a folded query, from the analyzer the index uses."""
    return list(uni_analyzer().analyze(folded))


def is_han_token(tok: str) -> bool:
    return len(tok) <= 2 and chinese.HAN_RE.fullmatch(tok) is not None
