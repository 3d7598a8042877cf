"""The tantivy index in the archive's index/ folder: schema, catch-up from the catalog's changes, rebuild.

The index is derived data. `index/exhibit-search.json` records the last catalog change and path row it
has applied; it is written only after tantivy's commit, so a crash leaves an index that simply replays
the changes again (each changed exhibit's documents are deleted and re-added, so replays are harmless).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import tantivy

from exhibit.archive import Archive
from exhibit.search import analysis

VERSION = 5
STATE_FILE = "exhibit-search.json"
# Facet and filter fields: raw (untokenised) strings, fast for aggregations.
RAW_FIELDS = ("lang", "media", "type", "path", "folder", "source", "status", "ocr", "year", "unit")
WRITER_HEAP = 256_000_000
CHUNK = 256  # pages analysed together (numpy per-call overhead dominated one page at a time)

_FAMILIES = {
    "pdf": "pdf", "msword": "word", "vnd.openxmlformats-officedocument.wordprocessingml.document": "word",
    "vnd.oasis.opendocument.text": "word", "rtf": "word",
    "vnd.ms-excel": "spreadsheet", "vnd.openxmlformats-officedocument.spreadsheetml.sheet": "spreadsheet",
    "vnd.oasis.opendocument.spreadsheet": "spreadsheet", "csv": "spreadsheet",
    "tab-separated-values": "spreadsheet", "html": "html", "xhtml+xml": "html", "rfc822": "email",
    "mbox": "email", "vnd.ms-outlook": "email", "zip": "archive", "x-7z-compressed": "archive",
    "vnd.rar": "archive", "x-rar-compressed": "archive", "x-tar": "archive", "gzip": "archive",
    "plain": "text",
}
_EXT_FAMILIES = {"doc": "word", "docx": "word", "odt": "word", "xls": "spreadsheet", "xlsx": "spreadsheet",
                 "csv": "spreadsheet", "tsv": "spreadsheet", "eml": "email", "msg": "email", "mbox": "email",
                 "htm": "html", "html": "html", "zip": "archive", "rar": "archive", "7z": "archive",
                 "jpg": "image", "jpeg": "image", "png": "image", "tif": "image", "tiff": "image",
                 "txt": "text", "pdf": "pdf"}


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("uni", tokenizer_name=analysis.UNI, index_option="position")
    sb.add_text_field("han", tokenizer_name=analysis.HAN, index_option="freq")
    sb.add_text_field("bi", tokenizer_name=analysis.BI, index_option="position")
    sb.add_text_field("quad", tokenizer_name=analysis.HAN, index_option="freq")  # see analysis.Common
    sb.add_integer_field("ex", indexed=True, fast=True)
    sb.add_integer_field("page", fast=True)     # page number; 0 for a table row
    sb.add_integer_field("tid", fast=True)      # table id; 0 for a page
    sb.add_integer_field("row", fast=True)      # row number in the table
    for name in RAW_FIELDS:
        sb.add_text_field(name, tokenizer_name="raw", fast=True)
    sb.add_date_field("date", indexed=True, fast=True)
    sb.add_date_field("received", indexed=True, fast=True)
    return sb.build()


@dataclass
class SyncReport:
    exhibits: int = 0
    units: int = 0
    text_chars: int = 0
    seconds: float = 0.0
    rebuilt: bool = False


class SearchIndex:
    """An open index: the tantivy Index with exhibit's analyzers registered, and its catch-up state."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = build_schema()
        path.mkdir(parents=True, exist_ok=True)
        if not self._compatible():
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        analysis.register(self.index)
        self._searcher: tantivy.Searcher | None = None
        self._known: tuple[int, int] | None = None  # (change_seq, path_id) the index is known to have
        self.common = self._common()

    def _compatible(self) -> bool:
        state = self.state()
        if state is None:
            return not any(self.path.iterdir())  # an empty folder is fine; a stateless index is rebuilt
        return bool(state.get("version") == VERSION)

    # -- state ---------------------------------------------------------------------------------
    def state(self) -> dict[str, Any] | None:
        try:
            return dict(json.loads((self.path / STATE_FILE).read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (ValueError, OSError):
            return None

    def _write_state(self, change_seq: int, path_id: int, common: analysis.Common) -> None:
        tmp = self.path / (STATE_FILE + ".tmp")
        tmp.write_text(json.dumps({"version": VERSION, "change_seq": change_seq, "path_id": path_id,
                                   "common_bigrams": common.bigrams, "common_words": common.words},
                                  ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path / STATE_FILE)

    def _common(self) -> analysis.Common:
        state = self.state() or {}
        return analysis.Common(list(state.get("common_bigrams", [])), list(state.get("common_words", [])))

    def searcher(self) -> tantivy.Searcher:
        if self._searcher is None:
            self.index.reload()
            self.common = self._common()  # a rebuild by another process may have chosen another list
            self._searcher = self.index.searcher()
        return self._searcher

    # -- catching up ---------------------------------------------------------------------------
    def behind(self, db: sqlite3.Connection) -> bool:
        """Has the catalog changed since the index last caught up? (Checked before every search: the state
        file is read again only when the catalog is ahead of what this process last saw.)"""
        change_seq, path_id = _catalog_marks(db)
        known = self._known
        if known is not None and known[0] >= change_seq and known[1] >= path_id:
            return False
        state = self.state()
        if state is None:
            return True
        self._known = (int(state["change_seq"]), int(state["path_id"]))
        if self._known[0] > (known or (-1, -1))[0] or self._known[1] > (known or (-1, -1))[1]:
            self._searcher = None  # another process caught up: see its commit
        return self._known[0] < change_seq or self._known[1] < path_id

    def sync(self, arch: Archive, progress: bool = False, rebuild: bool = False,
             writer_threads: int = 1) -> SyncReport:
        """Apply the catalog changes the index has not seen (all of them when rebuilding)."""
        db = arch.db
        report = SyncReport()
        t0 = time.perf_counter()
        change_seq, path_id = _catalog_marks(db)
        state = None if rebuild else self.state()
        if state is not None and state["change_seq"] >= change_seq and state["path_id"] >= path_id:
            return report
        writer = self.index.writer(WRITER_HEAP, writer_threads)
        if state is None:
            report.rebuilt = True
            # The common-bigram list is chosen now and recorded before any document is written, with
            # marks that replay every change: a crash before the final state leaves an index that is
            # caught up entirely with this same list.
            common = analysis.common_from_sample(_sample_pages(db, analysis.COMMON_SAMPLE))
            self._write_state(-1, -1, common)
            writer.delete_all_documents()
            seqs: set[int] | None = None
            count = _unit_count(db, "")
        else:
            common = analysis.Common(list(state.get("common_bigrams", [])), list(state.get("common_words", [])))
            seqs = {r[0] for r in db.execute(
                "SELECT exhibit_seq FROM changes WHERE seq > ? AND seq <= ? "
                "UNION SELECT exhibit_seq FROM paths WHERE id > ? AND id <= ?",
                (state["change_seq"], change_seq, state["path_id"], path_id))}
            for seq in seqs:
                writer.delete_documents_by_term("ex", seq)
            count = _unit_count(db, ",".join(map(str, seqs)) or "NULL")
        report.exhibits = len(seqs) if seqs is not None else db.execute("SELECT count(*) FROM exhibits"
                                                                         ).fetchone()[0]
        with _progress(progress, count) as advance:
            for doc, size in _documents(db, seqs, common):
                writer.add_document(doc)
                advance()
                report.units += 1
                report.text_chars += size
            writer.commit()
            writer.wait_merging_threads()
        self._write_state(change_seq, path_id, common)
        self._known = (change_seq, path_id)
        self._searcher = None
        self.common = common
        report.seconds = time.perf_counter() - t0
        return report


def _sample_pages(db: sqlite3.Connection, n: int) -> list[str]:
    """About `n` page texts from exhibits spread over the archive (seeded, so a rebuild is repeatable)."""
    seqs = [r[0] for r in db.execute("SELECT DISTINCT exhibit_seq FROM pages")]
    pages = db.execute("SELECT count(*) FROM pages").fetchone()[0]
    k = min(len(seqs), max(1, n * len(seqs) // max(pages, 1)) * 2)
    chosen = sorted(random.Random(0).sample(seqs, k))
    return [r[0] for r in db.execute(
        f"SELECT text FROM pages WHERE exhibit_seq IN ({','.join(map(str, chosen))}) LIMIT {n}")] if chosen else []


def _unit_count(db: sqlite3.Connection, ids: str) -> int:
    pw = f" WHERE exhibit_seq IN ({ids})" if ids else ""
    tw = f" WHERE exhibit_seq IN ({ids})" if ids else ""
    return int(db.execute(f"SELECT (SELECT count(*) FROM pages{pw}) + "
                          f"(SELECT ifnull(sum(row_count), 0) FROM tables{tw})").fetchone()[0])


def _catalog_marks(db: sqlite3.Connection) -> tuple[int, int]:
    r = db.execute("SELECT (SELECT ifnull(max(seq), 0) FROM changes), (SELECT ifnull(max(id), 0) FROM paths)"
                   ).fetchone()
    return int(r[0]), int(r[1])


class _progress:
    """A Rich progress bar on stderr counting exhibits, or nothing."""

    def __init__(self, show: bool, total: int) -> None:
        self.show = show and total > 0
        self.total = total

    def __enter__(self) -> Callable[[], None]:
        if not self.show:
            return lambda: None
        from rich.progress import Progress

        from exhibit.cli.common import console

        self._bar = Progress(console=console, transient=True)
        self._bar.start()
        task = self._bar.add_task("indexing for search", total=self.total)
        bar = self._bar
        step = max(1, self.total // 200)
        done = [0]

        def advance() -> None:  # Rich redraws are costly: advance in steps of 0.5%
            done[0] += 1
            if done[0] % step == 0:
                bar.advance(task, step)
        return advance

    def __exit__(self, *exc: object) -> None:
        if self.show:
            self._bar.stop()


# -- documents --------------------------------------------------------------------------------
def _exhibit_fields(db: sqlite3.Connection, seqs: Iterable[int] | None) -> dict[int, dict[str, Any]]:
    """Per exhibit: the filter/facet values every one of its pages and rows carries."""
    if seqs is None:
        ex_rows = db.execute("SELECT seq, media_type, status, lang, doc_date, first_received FROM exhibits")
        path_rows = db.execute("SELECT exhibit_seq, path, source FROM paths ORDER BY id")
    else:
        ids = ",".join(str(int(s)) for s in seqs) or "NULL"
        ex_rows = db.execute("SELECT seq, media_type, status, lang, doc_date, first_received FROM exhibits "
                             f"WHERE seq IN ({ids})")
        path_rows = db.execute(f"SELECT exhibit_seq, path, source FROM paths WHERE exhibit_seq IN ({ids}) "
                               "ORDER BY id")
    out: dict[int, dict[str, Any]] = {}
    for r in ex_rows:
        media = (r["media_type"] or "").lower()
        f: dict[str, Any] = {"media": media or "unknown", "status": r["status"] or "ok",
                             "type": set(), "path": [], "folder": set(), "source": set(),
                             "lang": r["lang"]}
        if media:
            sub = media.split("/", 1)[-1].split(";")[0]
            f["type"].update({media, sub})
            f["type"].add(_FAMILIES.get(sub, media.split("/", 1)[0] if media.startswith("image/") else sub))
            if media.startswith("image/"):
                f["type"].add("image")
        d = _parse_date(r["doc_date"])
        if d is not None:
            f["date"] = d
            f["year"] = str(d.year)
        rcv = _parse_date(r["first_received"])
        if rcv is not None:
            f["received"] = rcv
        out[r["seq"]] = f
    for r in path_rows:
        if r["exhibit_seq"] not in out:
            continue
        f = out[r["exhibit_seq"]]
        path = r["path"]
        f["path"].append(path)
        f["folder"].add(path.split("/", 1)[0] if "/" in path else "")
        if r["source"]:
            f["source"].add(r["source"])
        name = path.rsplit("/", 1)[-1].lower()
        if "." in name:
            ext = name.rsplit(".", 1)[1]
            f["type"].add(ext)
            if ext in _EXT_FAMILIES:
                f["type"].add(_EXT_FAMILIES[ext])
    for f in out.values():
        for k in ("type", "folder", "source"):
            f[k] = sorted(f[k])
    return out


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value[:19].replace("Z", ""))
    except ValueError:
        try:
            return datetime.fromisoformat(value[:10])
        except ValueError:
            return None


def _base(f: dict[str, Any], seq: int, lang: str | None, ocr: bool) -> dict[str, Any]:
    d: dict[str, Any] = {"ex": seq, "media": f["media"], "status": f["status"], "type": f["type"],
                         "path": f["path"], "folder": f["folder"], "source": f["source"],
                         "ocr": "true" if ocr else "false", "lang": (lang or f["lang"] or "und").lower()}
    for k in ("date", "received", "year"):
        if k in f:
            d[k] = f[k]
    return d


def _text_fields(d: dict[str, Any], text: str, prepared: analysis.Prepared, common: analysis.Common | None,
                 extra_latin: str | None = None) -> None:
    uly = analysis.uly_text(analysis.fold(text)) if prepared.arabic else None
    if extra_latin:
        uly = extra_latin if uly is None else uly + "\n" + extra_latin
    d["uni"] = [prepared.uni, uly] if uly else prepared.uni
    d["han"] = prepared.han
    d["bi"] = prepared.bi
    # The quad field: common Han quads and common word pairs (of each uni value: values are apart).
    quad = [prepared.quad] if prepared.quad else []
    if common is not None and common.word_set:
        quad += [p for p in (common.word_pairs(prepared.uni, prepared.ascii_words), common.word_pairs(uly or ""))
                 if p]
    if quad:
        d["quad"] = quad if len(quad) > 1 else quad[0]


def row_text(cells_json: str) -> str:
    """A table row's searchable text: its cell values joined with tabs."""
    return "\t".join(str(c[0]) for c in json.loads(cells_json) if c and c[0] not in (None, ""))


def _documents(db: sqlite3.Connection, seqs: set[int] | None,
               common: analysis.Common | None = None) -> Iterator[tuple[tantivy.Document, int]]:
    """Every page and table row of the given exhibits (all when None), as tantivy documents."""
    schema = build_schema()
    todo = sorted(seqs) if seqs is not None else None
    # A few thousand exhibits are read one by one; a whole catalog is streamed in one pass.
    batches: list[list[int] | None] = [todo[i:i + 500] for i in range(0, len(todo), 500)] if todo else [None]
    if todo == []:
        return
    for batch in batches:
        info = _exhibit_fields(db, batch)
        where = "" if batch is None else f" WHERE exhibit_seq IN ({','.join(map(str, batch))})"
        cur = db.execute(f"SELECT exhibit_seq, number, text, source, lang, meta FROM pages{where} "
                         "ORDER BY exhibit_seq, number")
        while rows := cur.fetchmany(CHUNK):
            rows = [r for r in rows if r[0] in info]
            for r, prepared in zip(rows, analysis.prepare_many([r[2] for r in rows], common), strict=True):
                seq = r[0]
                d = _base(info[seq], seq, r[4], r[3] == "ocr")
                d["page"] = r[1]
                d["unit"] = "page"
                meta_uly = None
                if r[5] and '"uly"' in r[5]:
                    meta_uly = json.loads(r[5]).get("uly") or None
                _text_fields(d, r[2], prepared, common, meta_uly)
                yield tantivy.Document.from_dict(d, schema), len(r[2])
        twhere = "" if batch is None else f" WHERE t.exhibit_seq IN ({','.join(map(str, batch))})"
        cur = db.execute("SELECT t.exhibit_seq, t.id, tr.number, tr.cells FROM tables t "
                         f"JOIN table_rows tr ON tr.table_id = t.id{twhere} ORDER BY t.exhibit_seq, t.id")
        while rows := cur.fetchmany(CHUNK):
            rows = [r for r in rows if r[0] in info]
            texts = [row_text(r[3]) for r in rows]
            for r, text, prepared in zip(rows, texts, analysis.prepare_many(texts, common), strict=True):
                d = _base(info[r[0]], r[0], None, False)
                d["tid"] = r[1]
                d["row"] = r[2]
                d["unit"] = "row"
                _text_fields(d, text, prepared, common)
                yield tantivy.Document.from_dict(d, schema), len(text)
