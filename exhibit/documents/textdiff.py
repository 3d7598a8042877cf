"""Side-by-side text diff of two versions of a document, page by page, sentence by sentence."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from exhibit.archive import Archive, ex_id
from exhibit.text.chinese import fold_width

# Sentences end at Chinese and Latin full stops; lines also end segments, so a list keeps its items.
_SENTENCE = re.compile(r"(?<=[。！？；!?;])|(?<=\.)\s|\n")
_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[\W_]+")


class Op(StrEnum):
    """What happened to a segment between the two versions."""

    EQUAL = "equal"
    CHANGED = "changed"
    ONLY_LEFT = "only_left"     # in the first version, not in the second
    ONLY_RIGHT = "only_right"   # in the second version, not in the first


@dataclass(frozen=True)
class Segment:
    page: int
    text: str


@dataclass(frozen=True)
class DiffRow:
    """One row of the side-by-side view: a segment of each version (None where a side has none)."""

    op: Op
    left: Segment | None
    right: Segment | None

    def as_json(self) -> dict[str, Any]:
        return {"op": str(self.op),
                "left": None if self.left is None else {"page": self.left.page, "text": self.left.text},
                "right": None if self.right is None else {"page": self.right.page, "text": self.right.text}}


@dataclass(frozen=True)
class VersionDiff:
    """Two exhibits compared; `by_page` when both have the same number of pages and pages were paired."""

    left: int
    right: int
    by_page: bool
    rows: tuple[DiffRow, ...]

    @property
    def changed(self) -> list[DiffRow]:
        return [r for r in self.rows if r.op != Op.EQUAL]

    @property
    def identical(self) -> bool:
        return not self.changed

    def as_json(self) -> dict[str, Any]:
        return {"left": ex_id(self.left), "right": ex_id(self.right), "by_page": self.by_page,
                "identical": self.identical, "changes": len(self.changed),
                "rows": [r.as_json() for r in self.rows]}


def segments(text: str, page: int) -> list[Segment]:
    out = []
    for part in _SENTENCE.split(text):
        part = _SPACE.sub(" ", part).strip()
        if part and _PUNCT.sub("", part):
            out.append(Segment(page, part))
    return out


def _key(s: Segment) -> str:
    # OCR and re-typing change spacing, widths and punctuation far more often than words
    return _PUNCT.sub("", fold_width(s.text)).lower()


def diff_segments(left: list[Segment], right: list[Segment]) -> list[DiffRow]:
    rows: list[DiffRow] = []
    sm = difflib.SequenceMatcher(None, [_key(s) for s in left], [_key(s) for s in right], autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            rows.extend(DiffRow(Op.EQUAL, left[i], right[j]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True))
            continue
        a, b = left[i1:i2], right[j1:j2]
        for k in range(max(len(a), len(b))):
            la = a[k] if k < len(a) else None
            rb = b[k] if k < len(b) else None
            op = Op.CHANGED if la and rb else Op.ONLY_LEFT if la else Op.ONLY_RIGHT
            rows.append(DiffRow(op, la, rb))
    return rows


def diff_pages(left: list[tuple[int, str]], right: list[tuple[int, str]], left_seq: int = 0,
               right_seq: int = 0) -> VersionDiff:
    """Pages (number, text) of two versions compared: page with page when they have as many pages, else
    the whole texts, each segment keeping its page."""
    if len(left) == len(right):
        rows: list[DiffRow] = []
        for (pa, ta), (pb, tb) in zip(left, right, strict=True):
            rows.extend(diff_segments(segments(ta, pa), segments(tb, pb)))
        return VersionDiff(left_seq, right_seq, True, tuple(rows))
    la = [s for n, t in left for s in segments(t, n)]
    rb = [s for n, t in right for s in segments(t, n)]
    return VersionDiff(left_seq, right_seq, False, tuple(diff_segments(la, rb)))


def diff(arch: Archive, left: int, right: int) -> VersionDiff:
    """Two exhibits' texts side by side (`exhibit diff ID ID`, the web's version comparison)."""
    return diff_pages([(p.number, p.text) for p in arch.pages(left)],
                      [(p.number, p.text) for p in arch.pages(right)], left, right)
