"""GB/T 2260 region codes (1981-2024, shipped in data/gb2260.tsv): what the first six digits of an ID name."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    prefecture: str
    province: str
    level: int          # 1 province, 2 prefecture, 3 county
    status: str         # U in use, C renamed (the code lives on), R retired
    first: int
    last: int | None    # last year of this name/code; None while in use

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "name": self.name, "prefecture": self.prefecture or None,
                "province": self.province, "first_year": self.first, "retired_year":
                self.last if self.status == "R" else None}


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[Region, ...]]:
    text = resources.files("exhibit.records").joinpath("data/gb2260.tsv").read_text(encoding="utf-8")
    out: dict[str, list[Region]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        code, prov, pref, name, level, status, first, last = line.split("\t")
        if pref == "直辖":
            pref = ""
        out.setdefault(code, []).append(
            Region(code, name, pref, prov, int(level), status, int(first), int(last) if last else None))
    return {k: tuple(v) for k, v in out.items()}


def entries(code: str) -> tuple[Region, ...]:
    """Every name this code has had (a code can be renamed or, rarely, reused)."""
    return _table().get(code, ())


def lookup(code: str, year: int | None = None) -> tuple[Region | None, str]:
    """(the region this code named in `year`, state) where state is
    "valid" (in use that year or no year given), "unknown" (the code never existed),
    "retired" (the code existed but had been retired before that year), or "later" (it came into use only
    after that year, which happens when an ID is first issued years after birth)."""
    es = entries(code)
    if not es:
        return None, "unknown"
    if year is None:
        live = [e for e in es if e.status != "R"]
        return (live or list(es))[-1], "valid"
    for e in es:
        if e.first <= year and (e.last is None or year <= e.last):
            return e, "valid"
    before = [e for e in es if e.first <= year]  # all ended before `year`, or none began yet
    if before:
        return max(before, key=lambda e: e.last or 0), "retired"
    return min(es, key=lambda e: e.first), "later"


def stable_codes() -> list[str]:
    """Codes that were never retired: every entry in use or renamed (the code lives on)."""
    return [code for code, es in _table().items() if all(e.status != "R" for e in es)]
