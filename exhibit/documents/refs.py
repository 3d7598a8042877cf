"""References between documents: the document numbers a text quotes (根据新党政法电〔2017〕419号文件精神),
resolved to the exhibits that carry them, the ones not in the cache listed as what to look for, and one
number on two documents whose texts differ as a finding.

A quoted number and a carried one are the same when their year and serial agree and one agency code ends
with the other: a quotation runs the code on from the words before it (按照县委办发〔2017〕3号), and a
bracket or 第 slip in one copy does not make it another document.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from exhibit.archive import Archive, Page, ex_id
from exhibit.documents import store
from exhibit.documents.anatomy import NUMBER, Anatomy, FieldName, unify
from exhibit.documents.standard import Code, Finding

# Words that run into an agency code in a quotation: 根据, 按照 ... and the particles before a number
_LEAD = re.compile(r"^(?:.*?(?:根据|按照|依据|依照|参照|遵照|贯彻落实|贯彻|落实|执行|转发|印发|详见|参见|见|经|对|和|与|及|、|的|以))+")
# Texts this alike (character bigrams, Jaccard) are one document read twice (a scan and its text copy)
SAME_TEXT = 0.8


def citation(m: re.Match[str], page: int) -> store.Citation | None:
    """A NUMBER match as a citation; None for a 'No.' form (no year to resolve by)."""
    if m["no"]:
        return None
    agency = _LEAD.sub("", m["agency"]) or m["agency"]
    year = m["year"] if len(m["year"]) == 4 else "20" + m["year"][-2:]
    rest = m.string[m.end("agency"):m.end()]
    return store.Citation("".join((agency + rest).split()), agency, year, int(m["serial"]), page)


def carried(anatomy: Anatomy) -> list[store.Citation]:
    """The numbers the document carries as its own (发文字号, 电报号)."""
    out = []
    for name in (FieldName.DOC_NUMBER, FieldName.TELEGRAM_NUMBER):
        el = anatomy.get(name)
        m = NUMBER.search(el.value) if el else None
        if el and m and (c := citation(m, el.page or 1)):
            out.append(c)
    return out


def quoted(pages: Sequence[Page], anatomy: Anatomy) -> list[store.Citation]:
    """The numbers quoted on the pages, leaving out the document's own header number."""
    own = {(e.page, e.start) for e in anatomy.elements if e.name in (FieldName.DOC_NUMBER, FieldName.TELEGRAM_NUMBER)}
    out = []
    for p in pages:
        text = unify(p.text)
        if "号" not in text and "No" not in text:
            continue
        for m in NUMBER.finditer(text):
            if m["no"] or any(pg == p.number and s is not None and m.start() <= s < m.end() for pg, s in own):
                continue
            if (c := citation(m, p.number)) is not None:
                out.append(c)
    return out


def _same(a: str, b: str) -> bool:
    return a.endswith(b) or b.endswith(a)


@dataclass(frozen=True)
class Reference:
    """One quoted number and the exhibit that carries it (None: not in the cache)."""

    doc_number: str
    seq: int | None
    page: int

    def as_json(self) -> dict[str, Any]:
        return {"doc_number": self.doc_number, "id": ex_id(self.seq) if self.seq else None, "page": self.page}


@dataclass(frozen=True)
class References:
    """What an exhibit cites and what cites it (`refs ID --json`)."""

    seq: int
    cites: tuple[Reference, ...]
    cited_by: tuple[Reference, ...]
    conflicts: tuple[Finding, ...]

    @property
    def missing(self) -> list[str]:
        """Numbers it quotes that no exhibit carries: what to look for."""
        return sorted({r.doc_number for r in self.cites if r.seq is None})

    def as_json(self) -> dict[str, Any]:
        return {"id": ex_id(self.seq), "cites": [r.as_json() for r in self.cites],
                "cited_by": [r.as_json() for r in self.cited_by], "missing": self.missing,
                "conflicts": [f.as_json() for f in self.conflicts]}


def references(arch: Archive, seq: int) -> References:
    """Resolve what the exhibit quotes, find who quotes its own numbers, and the numbers it shares with a
    different text."""
    cites: list[Reference] = []
    for key, number, page, year_serial in store.cites(arch, seq):
        agency = key.split("|", 1)[0]
        found = [s for s, k in store.carriers(arch, year_serial) if _same(k.split("|", 1)[0], agency) and s != seq]
        if found:
            cites.extend(Reference(number, s, page) for s in found)
        else:
            cites.append(Reference(number, None, page))
    cited_by: list[Reference] = []
    conflicts: list[Finding] = []
    for key, number, year_serial in store.numbers(arch, seq):
        agency = key.split("|", 1)[0]
        cited_by.extend(Reference(n, s, p) for s, k, n, p in store.citers(arch, year_serial)
                        if s != seq and _same(k.split("|", 1)[0], agency))
        for other, k in store.carriers(arch, year_serial):
            if other != seq and _same(k.split("|", 1)[0], agency):
                sim = similarity(_text(arch, seq), _text(arch, other))
                if sim < SAME_TEXT:
                    conflicts.append(Finding(Code.DOC_NUMBER_CONFLICT,
                                             f"{number} is also the number of {ex_id(other)}, whose text differs "
                                             f"(similarity {sim:.2f})", None, number, FieldName.DOC_NUMBER))
    return References(seq, tuple(dict.fromkeys(cites)), tuple(dict.fromkeys(cited_by)), tuple(conflicts))


def _text(arch: Archive, seq: int) -> str:
    return "".join("".join(p.text.split()) for p in arch.pages(seq))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character bigrams (1.0 for the same text)."""
    x, y = {a[i:i + 2] for i in range(len(a) - 1)}, {b[i:i + 2] for i in range(len(b) - 1)}
    return len(x & y) / len(x | y) if x | y else 1.0
