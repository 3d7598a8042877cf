"""Where person mentions come from: register records, tables read through a mapping (testimonies), documents."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from exhibit.archive import Archive
from exhibit.link.names import parse_name
from exhibit.link.names.arabic import arabic_to_uly
from exhibit.link.names.tables import fold, hanzi_sounds, lexicon
from exhibit.text.script import HANI_CLASS

# Tables read as mentions rather than records: (pattern on the exhibit path, {header: field}).
# The sample's testimonies CSV; a user passes their own with `link run --mentions PATTERN=MAPPING.yaml`.
DEFAULT_MENTION_TABLES: tuple[tuple[str, dict[str, str]], ...] = (
    (r"testimon", {"testimony_id": "seq", "victim_name": "name", "birth_year": "birth_year", "gender": "gender",
                   "hometown": "address", "relation_of_reporter": "reporter_relation", "statement": "statement"}),
)


def _dataset(source: Mapping[str, Any]) -> str:
    return str(source.get("path") or source.get("id") or "")


def mention(rec: Mapping[str, Any], kind: str, unique_id: str | None = None) -> dict[str, Any]:
    """A record-shaped dict (records ls --json) as a mention for linkage."""
    source = dict(rec.get("source") or {})
    return {
        "unique_id": unique_id or str(rec["record_id"]),
        "kind": kind,
        "dataset": _dataset(source),
        "name": rec.get("name"),
        "id_number": rec.get("id_number") or rec.get("id_number_raw"),
        "gender": rec.get("gender"),
        "birth_date": rec.get("birth_date"),
        "birth_year": rec.get("birth_year"),
        "address": rec.get("address") or ",".join(str(rec[k]) for k in ("county", "township") if rec.get(k)),
        "county": rec.get("county"),
        "township": rec.get("township"),
        "source": source,
    }


def from_records(arch: Archive, relatives: bool = False) -> Iterator[dict[str, Any]]:
    """Register records; with `relatives`, also the family members a record names (父亲玉素甫·伊布拉音),
    as mentions of their own source (the register's path + "#family"), linked like any other mention."""
    from exhibit.records import iter_records

    for rec in iter_records(arch):
        if rec.get("name") or rec.get("id_number"):
            yield mention(rec, "record")
        if not relatives:
            continue
        for k, rel in enumerate(rec.get("family") or [], 1):
            if not rel.get("name"):
                continue
            source = {**(rec.get("source") or {}), "relative_of": rec["record_id"], "relation": rel.get("relation")}
            yield {"unique_id": f"M-{str(rec['record_id']).removeprefix('R-')}-f{k}", "kind": "mention",
                   "dataset": f"{_dataset(rec.get('source') or {})}#family", "name": rel["name"],
                   "id_number": rel.get("id_number"), "source": source}


def from_tables(arch: Archive, specs: tuple[tuple[str, Mapping[str, str]], ...] = DEFAULT_MENTION_TABLES,
                ) -> Iterator[dict[str, Any]]:
    from exhibit.records import read_table

    for t in arch.tables():
        paths = arch.exhibit(t.exhibit_seq).path_names
        for pattern, mapping in specs:
            if any(re.search(pattern, p, re.IGNORECASE) for p in paths):
                for rec in read_table(arch, t.id, dict(mapping)):
                    yield mention(rec, "mention", "M-" + str(rec["record_id"]).removeprefix("R-"))
                break


_HANZI_NAME = re.compile(f"[{HANI_CLASS}]{{2,7}}[·・•‧][{HANI_CLASS}]{{2,7}}")
_WORD = re.compile(r"[^\W\d_]+")


def _trim_hanzi(name: str) -> str:
    """Cut the running text off a dotted name: 会议由买买提·吐尔逊主持 -> 买买提·吐尔逊 (characters outside
    the Uyghur syllable table end the name)."""
    sounds = hanzi_sounds()
    left, right = re.split(r"[·・•‧]", name, maxsplit=1)
    i = len(left)
    while i > 0 and left[i - 1] in sounds:
        i -= 1
    j = 0
    while j < len(right) and right[j] in sounds:
        j += 1
    return f"{left[i:]}·{right[:j]}"


def names_in_text(text: str) -> list[str]:
    """Person names in running text: Hanzi names with a middle dot, and pairs of known Uyghur given names
    in Arabic or Latin script (a name lexicon hit for both words). Cheap, and deliberately narrow."""
    found = [_trim_hanzi(m.group(0)) for m in _HANZI_NAME.finditer(text)]
    _, by_latin = lexicon()
    for line in text.splitlines():
        arabic = bool(re.search(r"[\u0600-\u06ff]", line))
        words = _WORD.findall(arabic_to_uly(line) if arabic else line)
        originals = _WORD.findall(line) if arabic else words
        i = 0
        while i < len(words) - 1:
            a, b = words[i], words[i + 1]
            if fold(a) in by_latin and fold(b) in by_latin and (arabic or (a[:1].isupper() and b[:1].isupper())):
                found.append(f"{originals[i]} {originals[i + 1]}" if len(originals) == len(words) else f"{a} {b}")
                i += 2
            else:
                i += 1
    return found


def from_documents(arch: Archive) -> Iterator[dict[str, Any]]:
    """Names on the pages of exhibits that are not tables (notices, letters, OCR'd scans)."""
    with_tables = {t.exhibit_seq for t in arch.tables()}
    for ex in arch.exhibits():
        seq = int(str(ex.id).removeprefix("EX-"))
        if seq in with_tables:
            continue
        for page in arch.pages(seq):
            for k, name in enumerate(names_in_text(page.text), 1):
                if parse_name(name) is None:
                    continue
                yield {
                    "unique_id": f"M-{ex.id}-p{page.number}-{k}",
                    "kind": "mention",
                    "dataset": ex.path_names[0] if ex.path_names else ex.id,
                    "name": name,
                    "source": {"id": ex.id, "sha256": ex.sha256, "path": ex.path_names[0] if ex.path_names else None,
                               "page": page.number, "sheet": None, "row": None},
                }


def from_archive(arch: Archive, documents: bool = True,
                 tables: tuple[tuple[str, Mapping[str, str]], ...] = DEFAULT_MENTION_TABLES,
                 relatives: bool = False) -> list[dict[str, Any]]:
    out = list(from_records(arch, relatives))
    out += list(from_tables(arch, tables))
    if documents:
        out += list(from_documents(arch))
    return out
