"""Finding a register's header row among title and filler rows, and mapping its columns to record fields."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from exhibit.records import idnumber
from exhibit.records.mapping import IGNORE, MappingFile, TableMapping
from exhibit.records.values import clean, date, find_date, is_total_row
from exhibit.records.vocab import field_for_header, header_key, vocab, without_note

SCAN_ROWS = 30        # how far down a header is looked for (titles, notes and blank rows come first)
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$|^\d{15}$")
_FAMILY_FIELDS = ("relation", "relative_name", "relative_id", "relative_status")

Cells = Sequence[Sequence[Any]]  # [value, type, raw]


def _score(values: Sequence[str], extra: dict[str, str]) -> tuple[int, dict[int, tuple[str, int]]]:
    """How header-like a row is: matched fields (exact 2, contained 1), each field counted once."""
    found: dict[int, tuple[str, int]] = {}
    best: dict[str, int] = {}
    for i, v in enumerate(values):
        if not v:
            continue
        key = header_key(v)
        if key in extra:
            f, s = extra[key], 3
        else:
            f0, s = field_for_header(v)
            if f0 is None:
                continue
            f = f0
        found[i] = (f, s)
        best[f] = max(best.get(f, 0), s)
    return sum(s for f, s in best.items() if f != IGNORE), found


def _has_data(values: Sequence[str]) -> bool:
    return any(_ID_SHAPE.match(idnumber.normalise(v)) for v in values if v)


def _merged_fill(values: list[str], row_number: int, meta: dict[str, Any]) -> list[str]:
    """A header cell merged across columns shows its text only in the first: repeat it over the range."""
    merged = meta.get("merged") or meta.get("merged_cells") or []
    out = list(values)
    for m in merged:
        rng = _parse_range(m)
        if rng is None:
            continue
        r1, c1, r2, c2 = rng
        if r1 <= row_number <= r2 and c2 > c1:
            text = out[c1] if c1 < len(out) else ""
            for c in range(c1 + 1, min(c2, len(out) - 1) + 1):
                if not out[c]:
                    out[c] = text
    return out


def _parse_range(m: Any) -> tuple[int, int, int, int] | None:
    """'A1:K1' or [r1, c1, r2, c2] (1-based rows, 0-based columns out)."""
    if isinstance(m, (list, tuple)) and len(m) == 4:
        r1, c1, r2, c2 = (int(x) for x in m)
        return r1, c1 - 1, r2, c2 - 1
    if isinstance(m, dict) and {"min_row", "min_col", "max_row", "max_col"} <= set(m):
        return int(m["min_row"]), int(m["min_col"]) - 1, int(m["max_row"]), int(m["max_col"]) - 1
    mm = re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)(\d+)", str(m).upper())
    if not mm:
        return None

    def col(s: str) -> int:
        n = 0
        for ch in s:
            n = n * 26 + ord(ch) - 64
        return n - 1
    return int(mm.group(2)), col(mm.group(1)), int(mm.group(4)), col(mm.group(3))


def _assign(found: dict[int, tuple[str, int]]) -> dict[int, str]:
    """One column per field: the strongest match wins, then the leftmost; losers stay verbatim-only."""
    winner: dict[str, tuple[int, int]] = {}
    for i, (f, s) in sorted(found.items()):
        if f == IGNORE:
            continue
        if f not in winner or s > winner[f][1]:
            winner[f] = (i, s)
    return {i: f for f, (i, _) in winner.items()}


def _sniff_id_column(rows: Sequence[Sequence[str]], taken: set[int]) -> int | None:
    """A column whose values are mostly ID-number shaped, for a header nobody anticipated."""
    counts: dict[int, list[int]] = {}
    for values in rows:
        for i, v in enumerate(values):
            if i in taken or not v:
                continue
            c = counts.setdefault(i, [0, 0])
            c[1] += 1
            if _ID_SHAPE.match(idnumber.normalise(v)):
                c[0] += 1
    good = [(c[0] / c[1], i) for i, c in counts.items() if c[1] >= 2 and c[0] / c[1] >= 0.6]
    return max(good)[1] if good else None


def _sniff_birth_column(texts: Sequence[tuple[int, list[str]]], types: Sequence[Sequence[str]],
                        tm: TableMapping) -> int | None:
    """A column without a header whose values are dates that agree with the row's ID number: the birth date.
    (Any other date column without a header could be any event, and stays verbatim.)"""
    id_col = tm.field_columns()["id_number"]
    for i in range(max((len(v) for _, v in texts), default=0)):
        if i in tm.fields or (i < len(tm.headers) and tm.headers[i]):
            continue
        agree = total = 0
        for (_, values), kinds in zip(texts, types, strict=False):
            if i >= len(values) or not values[i] or id_col >= len(values):
                continue
            total += 1
            d = date(values[i], kinds[i] if i < len(kinds) else "s")
            born = idnumber.decode(idnumber.normalise(values[id_col])).birth_date
            if d and born and born.startswith(d):
                agree += 1
        if total >= 2 and agree / total >= 0.6:
            return i
    return None


def _stated_date(above: Sequence[tuple[int, list[str]]]) -> str | None:
    """The date the register gives itself in its title or filler rows ("填报时间：2018年9月1日" in one cell or
    across two, "as of 1 September 2018"): the first row above the header that gives one."""
    for _, values in above:
        d = find_date(" ".join(v for v in values if v))
        if d:
            return d
    return None


def detect(rows: Sequence[tuple[int, Cells]], meta: dict[str, Any], mf: MappingFile | None = None,
           entry: dict[str, Any] | None = None) -> TableMapping:
    """Read the first rows of a table and decide how it maps to person records.

    `entry`, from the user's mapping file, overrides what it names (header_row, columns, date, register).
    """
    extra = dict(mf.headers) if mf else {}
    texts = [(n, [clean(c[0]) for c in cells]) for n, cells in rows[:SCAN_ROWS]]
    if entry is not None and entry.get("register") is False:
        return TableMapping("excluded", "left out by the mapping file (register: false)", from_file=True)

    # 1. the header row: the most header-like row that holds no ID-number-shaped value
    best: tuple[int, int, dict[int, tuple[str, int]]] | None = None  # (score, index, found)
    forced = entry.get("header_row") if entry else None
    for idx, (n, values) in enumerate(texts):
        if forced is not None and n != int(forced):
            continue
        if forced is None and _has_data(values):
            continue
        values = _merged_fill(values, n, meta)
        score, found = _score(values, extra)
        if best is None or score > best[0]:
            best = (score, idx, found)
    tm = TableMapping("skipped")
    if best is None or (forced is None and (best[0] < 3 or len({f for f, _ in best[2].values()}) < 2)):
        tm.reason = "no header row naming people's details (name, ID number, gender, ...) in the first " \
                    f"{min(len(texts), SCAN_ROWS)} rows"
        tm.title = _title(texts, len(texts))
        return _apply_entry(tm, entry, texts) if entry and entry.get("columns") else tm
    score, idx, found = best
    if forced is None and idx > 0 and _repeats_above(texts[idx - 1][1], texts[idx][1]):
        # a two-row header whose merged cells a reader repeats in both rows (DOCX): the sub-headings row
        # scores higher, but the row above is the header's first row
        idx -= 1
        found = _score(_merged_fill(texts[idx][1], texts[idx][0], meta), extra)[1]
    header_top = idx
    n, values = texts[idx]
    headers = _merged_fill(values, n, meta)

    # 2. a second header row below the first ("户籍地址" over "乡镇 | 村", "家庭成员" over "姓名 | 关系 | 现状")
    if idx + 1 < len(texts) and forced is None:
        n2, sub = texts[idx + 1]
        s2, found2 = _score(sub, extra)
        if found2 and s2 >= 2 and not _has_data(sub) and not _looks_numbered(sub):
            width = max(len(headers), len(sub))
            headers = _spread_groups(headers + [""] * (width - len(headers)), sub + [""] * (width - len(sub)))
            groups = vocab().groups
            for i, (f, s) in found2.items():
                if sub[i] == headers[i]:
                    continue  # a cell merged down over both rows, repeated by the reader
                group = (extra.get(header_key(headers[i])) or field_for_header(headers[i])[0] or "") \
                    if headers[i] else ""
                found[i] = (groups.get(group, {}).get(f, f), s)
                headers[i] = sub[i] if not headers[i] else f"{headers[i]}/{sub[i]}"
            n, idx = n2, idx + 1

    tm.header_row = n
    tm.headers = headers
    tm.fields = _assign(found)
    tm.title = _title(texts, header_top)
    data_rows = [v for _, v in texts[idx + 1:] if any(v) and not is_total_row(v)]
    if "id_number" not in tm.fields.values():
        sniffed = _sniff_id_column(data_rows, set(tm.fields))
        if sniffed is not None:
            tm.fields[sniffed] = "id_number"
    if "birth_date" not in tm.fields.values() and "id_number" in tm.fields.values():
        typed = [[str(c[1] or "s") if len(c) > 1 else "s" for c in cells] for _, cells in rows[idx + 1:SCAN_ROWS]]
        born = _sniff_birth_column(texts[idx + 1:], typed, tm)
        if born is not None:
            tm.fields[born] = "birth_date"
    tm.date = _stated_date(texts[:header_top])
    if entry is not None:
        tm = _apply_entry(tm, entry, texts)
    return classify(tm)


def _repeats_above(above: Sequence[str], row: Sequence[str]) -> bool:
    """Whether `above` is the first row of a two-row header over `row`: the same text in most columns (merged
    down), other text over the rest (a group heading)."""
    pairs = [(a, b) for a, b in zip(above, row, strict=False) if a or b]
    same = sum(1 for a, b in pairs if a == b)
    return len(pairs) > 2 and same >= 2 and same < len(pairs) and all(a for a, _ in pairs)


def _spread_groups(top: list[str], sub: list[str]) -> list[str]:
    """A group heading over several sub-headings, where no merge is recorded (CSV, PDF, or a heading simply
    written once): it stands over every following sub-heading whose own top cell is empty."""
    out = list(top)
    for i in range(1, len(out)):
        if not out[i] and sub[i] and out[i - 1] and sub[i - 1]:
            out[i] = out[i - 1]
    return out


def _looks_numbered(values: Sequence[str]) -> bool:
    first = next((v for v in values if v), "")
    return bool(re.fullmatch(r"\d+", first))


def _title(texts: Sequence[tuple[int, list[str]]], upto: int) -> str | None:
    """The register's title: the longest text above the header (a merged title row), if any."""
    above = [v for _, vs in texts[:upto] for v in vs if v and not re.fullmatch(r"[\d.]+", v)]
    return max(above, key=len) if above else None


def _apply_entry(tm: TableMapping, entry: dict[str, Any], texts: Sequence[tuple[int, list[str]]]) -> TableMapping:
    tm.from_file = True
    cols = entry.get("columns") or {}
    if cols:
        if not tm.headers:
            # The header row was not found: the entry names it or columns by number
            hr = entry.get("header_row")
            for n, values in texts:
                if hr is not None and n == int(hr):
                    tm.header_row, tm.headers = n, values
                    break
        keys = [header_key(h) for h in tm.headers]
        fields: dict[int, str] = {}
        for h, f in cols.items():
            h = str(h)
            if re.fullmatch(r"#\d+", h):
                i = int(h[1:]) - 1
            elif header_key(h) in keys:
                i = keys.index(header_key(h))
            else:
                continue
            if f not in (None, IGNORE):
                fields[i] = str(f)
        # columns the entry does not mention keep what detection found, unless their field is now taken
        for i, f in tm.fields.items():
            named = any(header_key(str(h)) == keys[i] if i < len(keys) else False for h in cols) or \
                f"#{i + 1}" in cols
            if not named and f not in fields.values():
                fields[i] = f
        tm.fields = fields
    if entry.get("date"):
        tm.date = str(entry["date"])
    if entry.get("title"):
        tm.title = str(entry["title"])
    tm = classify(tm)
    if entry.get("register") is True and tm.status != "register":
        tm.status, tm.reason = "register", None
    return tm


def classify(tm: TableMapping) -> TableMapping:
    fields = set(tm.fields.values())
    person = fields & vocab().person_fields
    if "id_number" in fields:
        tm.status, tm.reason = "register", None
    elif "name" in fields and len(person) >= 2:
        named = ", ".join(tm.headers[i] for i, f in sorted(tm.fields.items()) if f in person)
        tm.status = "no_id_column"
        tm.reason = (f"lists people ({named}) but no ID-number column was found; if it has one, name it in "
                     "a mapping file: `exhibit records extract --show-mapping > m.yaml`, edit, then "
                     "`--mapping m.yaml`")
    elif "name" in fields:
        tm.status = "skipped"
        tm.reason = ("a list of names with no ID number or other personal details (gender, age, address, "
                     "reason...); if it is a register, map its columns in a mapping file (--mapping)")
    else:
        tm.status = "skipped"
        tm.reason = "no column holds names or ID numbers"
    return tm


def is_family_table(tm: TableMapping) -> bool:
    return any(f in tm.fields.values() for f in ("relative_name", "relative_id"))


def register_date(tm: TableMapping, names: Sequence[str | None]) -> str | None:
    """The date a register speaks from: the mapping's, else the first date in its title, sheet or file
    names. (Document timestamps are not used: tools stamp copies and templates with unrelated dates.)"""
    if tm.date:
        return tm.date
    for text in (tm.title, *names):
        d = find_date(text or "")
        if d:
            return d
    return None


@dataclass(frozen=True)
class Unmapped:
    """A register's header that no field was found for: where it is, and the mapping line that would map it."""

    column: int            # 0-based
    header: str            # as shown
    suggestion: str | None  # the field whose synonyms it resembles most, if any does closely

    def mapping_line(self) -> str:
        """The `headers:` line of a mapping file that maps it (the field to check, or a placeholder)."""
        return f"{yaml.safe_dump({self.header: self.suggestion or 'FIELD'}, allow_unicode=True).strip()}"

    def as_json(self) -> dict[str, Any]:
        return {"column": self.column + 1, "header": self.header, "suggestion": self.suggestion,
                "mapping": self.mapping_line()}


SUGGEST_SCORE = 80  # rapidfuzz WRatio: below this the nearest synonym is a guess, and none is offered


def unmapped(tm: TableMapping, mf: MappingFile | None = None, entry: dict[str, Any] | None = None) -> list[Unmapped]:
    """The headers of a register left unread: not a known synonym, not known to be verbatim-only (备注,
    remarks), not named by the mapping file. A column that lost its field to a better one is not listed."""
    if tm.status != "register":
        return []
    v = vocab()
    named = (set(mf.headers) if mf else set()) | {header_key(str(h)) for h in (entry or {}).get("columns") or {}}
    # one-character synonyms (性, 族, 序) are contained in too many words to be a suggestion
    choices = [k for k in v.exact if len(k) > 1]
    out = []
    for i, h in enumerate(tm.headers):
        label = clean(h)
        key = header_key(label)
        if not key or i in tm.fields or key in v.verbatim or key in named or field_for_header(label)[0]:
            continue
        # imported here: most registers have no such header, and rapidfuzz adds 4 MB to every extract
        from rapidfuzz import fuzz, process

        bare = header_key(without_note(label))
        best = process.extractOne(bare, choices, scorer=fuzz.WRatio, score_cutoff=SUGGEST_SCORE)
        out.append(Unmapped(i, label, v.exact[best[0]] if best else None))
    return out
