"""Batch download: the exhibits of a search, a tag or a selection as one streamed zip of their original
bytes, with manifest.json (hashes, paths, sources, first receipt, custody summary) and hits.csv; the
download itself is a custody event with actor and purpose."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from exhibit.archive import Archive, Exhibit, custody, ex_id
from exhibit.errors import UserError
from exhibit.records import idnumber
from exhibit.records import store as records_store
from exhibit.records.export import pseudonym
from exhibit.search import Hit
from exhibit.workspace import find, store

CHUNK = 1 << 20
MAX_FILES = 100_000
HIT_COLUMNS = ("id", "sha256", "path", "page", "sheet", "row", "score", "snippet")
_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])|(?<![0-9])[0-9]{15}(?![0-9])")
_UNSAFE = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True)
class Selection:
    """What to download: exhibit numbers in order and, for a search, its hits (for hits.csv)."""

    seqs: tuple[int, ...]
    hits: tuple[Hit, ...]
    what: dict[str, Any]   # {"query": ...} | {"tag": ...} | {"ids": [...]}, recorded in manifest and custody


def of_query(arch: Archive, query: str, viewer: str | None = None) -> Selection:
    res = find.search(arch, query, viewer=viewer, limit=MAX_FILES)
    seqs = tuple(dict.fromkeys(h.seq for h in res.hits))
    return Selection(seqs, res.hits, {"query": query, "total": res.total})


def of_tag(arch: Archive, tag: str) -> Selection:
    store.ensure(arch.catalog)
    seqs = tuple(store.exhibits_tagged(arch.catalog, tag))
    if not seqs:
        raise UserError(f"tag {tag!r}: no exhibit carries it (`exhibit tag ls` lists the tags).")
    return Selection(seqs, (), {"tag": tag})


def of_ids(arch: Archive, refs: Iterable[str]) -> Selection:
    seqs = tuple(dict.fromkeys(arch.resolve(r) for r in refs))
    return Selection(seqs, (), {"ids": [ex_id(s) for s in seqs]})


class _Sink(io.RawIOBase):
    """What zipfile writes, handed out as chunks: the zip streams instead of being built in memory.
    Unseekable on purpose, so zipfile writes data descriptors after each member instead of seeking back."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self.parts.append(bytes(b))
        return len(b)

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def member_name(ex: Exhibit) -> str:
    """`files/EX-000012_电报.pdf`: the ID keeps names unique, the last path part keeps them readable; no
    folder, `..` or control character of a hostile path reaches the unzipping machine."""
    last = ex.path_names[0].rsplit("/", 1)[-1] if ex.path_names else ""
    safe = _UNSAFE.sub("_", last).strip("._")[:100]
    return f"files/{ex.id}" + (f"_{safe}" if safe else "")


def _custody_summary(events: list[custody.CustodyEvent]) -> dict[str, Any]:
    return {"events": len(events), "first": events[0].time if events else None,
            "last": events[-1].time if events else None, "kinds": dict(Counter(e.event for e in events)),
            "last_hash": events[-1].hash if events else None}


def _entry(arch: Archive, ex: Exhibit) -> dict[str, Any]:
    events = arch.custody_events(ex.sha256)
    return {"id": ex.id, "sha256": ex.sha256, "size": ex.size, "paths": ex.path_names, "media_type": ex.media_type,
            "status": str(ex.status), "sources": sorted({p.source for p in ex.paths}),
            "first_receipt": ex.first_received, "custody": _custody_summary(events), "file": member_name(ex)}


class _Scrub:
    """Person data in hits.csv follows the records export rules: unless identified, a register row's
    recorded name becomes its pseudonym and every ID number keeps only region and birth year."""

    def __init__(self, arch: Archive, seqs: list[int], identified: bool) -> None:
        self.identified = identified
        self.names: dict[tuple[int, int], list[tuple[str, str]]] = {}
        if identified:
            return
        records_store.ensure(arch.catalog)
        secret = records_store.secret(arch.catalog)
        for r in records_store.stored_records(arch.catalog, seqs):
            swaps = self.names.setdefault((r.table_id, r.table_row), [])
            if r.name:
                swaps.append((r.name, pseudonym(r.name, secret) or ""))

    def __call__(self, h: Hit) -> str:
        # the snippet without its «match marks», which could split a name and hide it from the swap
        text = h.snippet.replace("«", "").replace("»", "")
        if self.identified:
            return text
        for old, new in self.names.get((h.table_id or 0, h.row or 0), []):
            text = text.replace(old, new)
        return _ID_NUMBER.sub(lambda m: idnumber.mask(m.group().upper()) or "", text)


def stream(arch: Archive, sel: Selection, purpose: str, actor: str | None = None,
           identified: bool = False) -> Iterator[bytes]:
    """The zip, chunk by chunk: one blob's bytes at a time (memory stays flat however many files). The
    custody event is written before the first byte leaves, so no download goes unrecorded."""
    who = actor or custody.os_user()
    if not purpose.strip():
        raise UserError("a download needs a purpose (--purpose TEXT): it is recorded in the custody log.")
    if len(sel.seqs) > MAX_FILES:
        raise UserError(f"{len(sel.seqs)} exhibits: download at most {MAX_FILES} at a time (narrow the search).")
    ids = [ex_id(s) for s in sel.seqs]
    arch.log_event("downloaded", None, who, {**sel.what, "purpose": purpose, "files": len(ids),
                                             "identified": identified, "pseudonymised": not identified,
                                             "ids": ids[:1000]})
    sink = _Sink()
    # manifest entries wait in a scratch file, not in memory: what stays in memory per file is only
    # zipfile's central-directory record (a few hundred bytes), whatever the files' sizes
    with tempfile.TemporaryFile(dir=arch.tmp_dir) as pending, \
            zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        count = 0
        for ex in arch.exhibits(list(sel.seqs)):
            entry = _entry(arch, ex)
            pending.write((b",\n" if count else b"") + json.dumps(entry, ensure_ascii=False).encode("utf-8"))
            count += 1
            with zf.open(entry["file"], "w", force_zip64=ex.size >= 1 << 31) as w, \
                    arch.blob_path(ex.sha256).open("rb") as f:
                while chunk := f.read(CHUNK):
                    w.write(chunk)
                    yield sink.take()
            yield sink.take()
        if sel.hits:
            scrub = _Scrub(arch, list(sel.seqs), identified)
            buf = io.StringIO()
            out = csv.writer(buf)
            out.writerow(HIT_COLUMNS)
            for h in sel.hits:
                out.writerow([h.id, h.sha256, h.path, h.page, h.sheet, h.row, h.score, scrub(h)])
            zf.writestr("hits.csv", buf.getvalue().encode("utf-8"))
        head = {"created": custody.utc_now(), "actor": who, "purpose": purpose, **sel.what,
                "pseudonymised": not identified, "count": count}
        with zf.open("manifest.json", "w", force_zip64=True) as w:
            w.write(json.dumps(head, ensure_ascii=False)[:-1].encode("utf-8") + b', "files": [\n')
            pending.seek(0)
            while chunk := pending.read(CHUNK):
                w.write(chunk)
                yield sink.take()
            w.write(b"\n]}\n")
    yield sink.take()


def write(arch: Archive, sel: Selection, out: Path | IO[bytes], purpose: str, actor: str | None = None,
          identified: bool = False) -> int:
    """Write the zip to a file or stream; the number of files in it."""
    f: IO[bytes] = out.open("wb") if isinstance(out, Path) else out
    try:
        for chunk in stream(arch, sel, purpose, actor, identified):
            f.write(chunk)
    finally:
        if isinstance(out, Path):
            f.close()
    return len(sel.seqs)
