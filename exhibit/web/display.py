"""How the templates show things: highlighted terms and snippets, text direction, the viewer's query strings,
facets (template globals registered in app.py, and the search page's additions to the hits)."""

from __future__ import annotations

import bisect
import html
import itertools
import re
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup, escape

from exhibit.text.script import Script, has_script
from exhibit.web.bounds import MAX_HL_CHARS, MAX_HL_TERMS

MARK_RE = re.compile(r"<mark>(.*?)</mark>", re.S)


# -- search ----------------------------------------------------------------------------------------
def terms_of(hit: dict[str, Any], query: str) -> list[str]:
    """The words to highlight on the page: the marked parts of the hit's snippet, else the query's words."""
    marked = hit.get("snippet_html") or hit.get("snippet_marked") or ""
    terms = [MARK_RE.sub(r"\1", m).strip() for m in MARK_RE.findall(marked)]
    if not terms:
        terms = [w.strip('"()+-') for w in query.split()
                 if w not in ("AND", "OR", "NOT") and ":" not in w and w.strip('"()+-')]
    return list(dict.fromkeys(t for t in terms if t))[:10]


def safe_snippet(hit: dict[str, Any]) -> Markup:
    """The snippet with its matches in <mark>, and nothing else of HTML: every other part is re-escaped here,
    whatever the search index stored."""
    marked = hit.get("snippet_html") or hit.get("snippet_marked")
    if not marked:
        return escape(hit.get("snippet") or "")
    parts = re.split(r"(</?mark>)", str(marked))
    return Markup("").join(Markup(p) if p in ("<mark>", "</mark>") else escape(html.unescape(p)) for p in parts)


# -- small helpers the templates use ---------------------------------------------------------------
def text_dir(lang: str | None, text: str | None) -> str:
    """rtl for Uyghur in Arabic script, ltr for Latin-script Uyghur (ULY), auto otherwise."""
    if (lang or "").lower().startswith("ug"):
        return "rtl" if not text or has_script(text, Script.ARAB) else "ltr"
    head = (text or "")[:200]
    return "rtl" if has_script(head, Script.ARAB) and not has_script(head, Script.HANI) else "auto"


def hit_query(hit: dict[str, Any]) -> str:
    q: list[tuple[str, Any]] = []
    if hit.get("page"):
        q.append(("page", hit["page"]))
    if hit.get("sheet") is not None or hit.get("row") is not None:
        q += [(k, hit[k]) for k in ("sheet", "row") if hit.get(k) is not None]
    q += [("hl", t) for t in hit.get("terms") or []]
    return urlencode(q)


def source_query(src: dict[str, Any], hl: str | None = None) -> str:
    """The viewer's query for a record's or mention's source (page, sheet, row), highlighting `hl`."""
    q = [(k, src[k]) for k in ("page", "sheet", "row") if src.get(k) is not None]
    return urlencode(q + ([("hl", hl)] if hl else []))


def facet_items(values: Any) -> list[dict[str, Any]]:
    """Facets as [{value, count}], whichever of the usual shapes the search capability returns."""
    if isinstance(values, dict):
        return [{"value": k, "count": v} for k, v in values.items()]
    out = []
    for v in values or []:
        if isinstance(v, dict):
            out.append({"value": v.get("value", v.get("key")), "count": v.get("count", "")})
        elif isinstance(v, list | tuple) and len(v) == 2:
            out.append({"value": v[0], "count": v[1]})
    return out


# facet name -> the query's filter field (exhibit.search's FACETS and FILTER_FIELDS)
_FACET_FIELD = {"media_type": "media", "ocr": "ocr"}


def facet_filter(name: str, value: Any) -> str:
    """The query filter that narrows the hits to one facet value, e.g. `lang:zh`."""
    s = str(value)
    if name == "ocr":
        s = "true" if s == "ocr" else "false"
    if re.search(r'[\s:()"]', s):
        s = '"' + s.replace('"', "") + '"'
    return f"{_FACET_FIELD.get(name, name)}:{s}"


_WORD = re.compile(r"\S+")


def _folded(s: str) -> str:
    """Lower case, one character for one (so positions stay those of the text): a character whose lower case
    is longer (İ) stays as it is."""
    low = s.lower()
    if len(low) == len(s):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in s)


def mark_terms(text: str | None, terms: list[str]) -> Markup:
    """The text escaped, with each occurrence of the terms in <mark> (also across the line breaks of a PDF's
    text layer, and ignoring case); where terms overlap, the leftmost and then the longest wins.

    In time linear in the text: the text without its white space is searched with str.find (linear in
    CPython, whatever the term) for each of at most MAX_HL_TERMS terms, instead of a regular expression with
    \\s* between every character, which backtracks term-length steps at every position (a 1,000-character
    hl= on a long page took 10 s and, holding the GIL, stopped every other request meanwhile).
    """
    text = text or ""
    needles = sorted({n for n in (_folded("".join(t.split())) for t in terms[:MAX_HL_TERMS]
                                  if len(t) <= MAX_HL_CHARS) if n}, key=len, reverse=True)
    if not needles:
        return escape(text)
    folded = _folded(text)
    runs = [(m.start(), m.end()) for m in _WORD.finditer(folded)]  # the words: text without white space
    hay = "".join(folded[a:b] for a, b in runs)
    offsets = list(itertools.accumulate((b - a for a, b in runs), initial=0))  # hay position of each run

    def at(i: int) -> int:  # hay position -> text position
        k = bisect.bisect_right(offsets, i) - 1
        return runs[k][0] + i - offsets[k]

    found = []
    for n in needles:
        i = hay.find(n)
        while i >= 0:
            found.append((i, -len(n)))
            i = hay.find(n, i + len(n))
    out: list[str] = []
    last, reached = 0, 0
    for i, neg in sorted(found):
        if i < reached:
            continue
        reached = i - neg
        a, b = at(i), at(reached - 1) + 1
        out += [html.escape(text[last:a]), "<mark>", html.escape(text[a:b]), "</mark>"]
        last = b
    out.append(html.escape(text[last:]))
    return Markup("".join(out))  # every part of the text escaped above
