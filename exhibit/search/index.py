"""The tantivy index in the archive's index/ folder: schema, catch-up from the catalog's changes, rebuild.

The index is derived data. `index/exhibit-search.json` records the last catalog change and path row it
has applied; it is written only after tantivy's commit, so a crash leaves an index that simply replays
the changes again (each changed exhibit's documents are deleted and re-added, so replays are harmless).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import tantivy

from exhibit.archive import Archive
from exhibit.archive.feed import ExhibitFacts, IndexFeed, Mark
from exhibit.progress import SILENT, Progress
from exhibit.search import analysis

VERSION = 6
STATE_FILE = "exhibit-search.json"
# Facet and filter fields: raw (untokenised) strings, fast for aggregations.
RAW_FIELDS = ("lang", "media", "type", "path", "folder", "source", "status", "ocr", "year", "unit")
WRITER_HEAP = 256_000_000
MAX_WRITER_THREADS = 8  # tantivy's own limit on indexing threads per writer
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
    sb.add_text_field("label", tokenizer_name="raw")  # the exhibit's tags when it was indexed (Labels)
    return sb.build()


class Labels(Protocol):
    """Where the index reads the analyst's tags of each exhibit (exhibit.workspace.Marks implements it).

    Tags change without the catalog changing, so the tags an exhibit's documents carry may be older than
    its tags now: the index records exactly which ones it wrote (SearchIndex.labelled), and a `tag:`
    filter corrects the difference by exhibit (query.TagFilter). Each sync given a Labels writes the
    exhibits whose tags changed again."""

    def labels_of(self, seqs: Collection[int] | None) -> dict[int, list[str]]: ...

    def labels_head(self) -> int:
        """A number every change of tags moves forward (the custody head): the index records the one read
        before the tags it wrote."""
        ...

    def changed_since(self, head: int) -> Collection[int] | None:
        """The exhibits whose tags changed after `head` (None: too many to list cheaply)."""
        ...


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
        self._known: Mark | None = None  # the catalog mark the index is known to have applied
        self._labelled: tuple[dict[str, frozenset[int]], frozenset[int] | None] | None = None
        self._labels_head: int | None = None
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

    def _write_state(self, mark: Mark, common: analysis.Common, labels: dict[int, list[str]],
                     unsure: set[int] | None, head: int | None) -> None:
        """`labels`: the tags each exhibit's documents carry; `unsure`: exhibits whose documents may carry
        other tags (being written when this state was recorded; None: every exhibit); `head`: the tags'
        labels_head when `labels` were read from them (None: unknown), so that the exhibits outside `unsure`
        carry the tags they had then."""
        by_tag: dict[str, list[int]] = {}
        for seq in sorted(labels):
            for name in labels[seq]:
                by_tag.setdefault(name, []).append(seq)
        tmp = self.path / (STATE_FILE + ".tmp")
        tmp.write_text(json.dumps({"version": VERSION, "change_seq": mark.change, "path_id": mark.path,
                                   "common_bigrams": common.bigrams, "common_words": common.words,
                                   "labels": by_tag, "unsure": None if unsure is None else sorted(unsure),
                                   "labels_head": head},
                                  ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path / STATE_FILE)

    def labelled(self) -> tuple[dict[str, frozenset[int]], frozenset[int] | None]:
        """(tag -> the exhibits whose documents carry it, the exhibits that may carry other tags: None when
        any may), as the last state written records them."""
        if self._labelled is None:
            state = self.state() or {}
            unsure = state.get("unsure", [])
            self._labelled = ({str(k): frozenset(v) for k, v in dict(state.get("labels", {})).items()},
                              None if unsure is None else frozenset(unsure))
            head = state.get("labels_head")
            self._labels_head = None if head is None else int(head)
        return self._labelled

    def labels_head(self) -> int | None:
        """The tags' Labels.labels_head when the labels of SearchIndex.labelled were read (None: unknown): an
        exhibit outside the unsure ones and without a change of tags since carries its tags of now."""
        self.labelled()
        return self._labels_head

    def _labels_by_exhibit(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for name, seqs in sorted(self.labelled()[0].items()):
            for seq in seqs:
                out.setdefault(seq, []).append(name)
        return out

    def _common(self) -> analysis.Common:
        state = self.state() or {}
        return analysis.Common(list(state.get("common_bigrams", [])), list(state.get("common_words", [])))

    def searcher(self) -> tantivy.Searcher:
        if self._searcher is None:
            # The labels are read before the reload, so they are never newer than the documents the
            # searcher sees; older is fine, since a sync records the exhibits it rewrites as unsure before
            # its commit (only a whole sync run between these two lines could fool it).
            self._labelled = None
            self.labelled()
            self.index.reload()
            self.common = self._common()  # a rebuild by another process may have chosen another list
            self._searcher = self.index.searcher()
        return self._searcher

    # -- catching up ---------------------------------------------------------------------------
    def behind(self, catalog: Mark) -> bool:
        """Has the catalog (at mark `catalog`) changed since the index last caught up? (Checked before every
        search: the state file is read again only when the catalog is ahead of what this process last saw.)"""
        known = self._known
        if known is not None and known.covers(catalog):
            return False
        state = self.state()
        if state is None:
            return True
        self._known = Mark(int(state["change_seq"]), int(state["path_id"]))
        before = known or Mark(-1, -1)
        if self._known.change > before.change or self._known.path > before.path:
            self._searcher = None  # another process caught up: see its commit
        return not self._known.covers(catalog)

    def sync(self, arch: Archive, progress: Progress = SILENT, rebuild: bool = False,
             jobs: int | None = None, labels: Labels | None = None) -> SyncReport:
        """Apply the catalog changes the index has not seen (all of them when rebuilding), on `jobs` cores
        (all this process may use when None). With `labels`, the documents carry each exhibit's tags, and
        the exhibits whose tags changed since they were written are written again; without, an exhibit's
        documents keep the tags they had.

        Tokenising runs in tantivy's indexing threads (Rust, outside the GIL), one per job: they took
        about two thirds of the CPU time of a rebuild, and this thread's preparation of the documents
        (folding, bigrams, the quad field) overlaps them. The search results do not depend on the
        number of threads: BM25 statistics are summed over all segments."""
        feed = arch.feed
        report = SyncReport()
        t0 = time.perf_counter()
        mark = feed.mark()
        state = None if rebuild else self.state()
        self._labelled = None
        written = self._labels_by_exhibit() if state is not None else {}
        unsure = self.labelled()[1] if state is not None else None
        prior_head = self._labels_head if state is not None else None
        # the head before the tags: a change made in between is listed as changed since (Labels.changed_since)
        head = labels.labels_head() if labels is not None else None
        current = labels.labels_of(None) if labels is not None else None
        relabel: set[int] = set()
        if current is not None and state is not None:
            relabel = {s for s in current.keys() | written.keys() if current.get(s, []) != written.get(s, [])}
        if unsure is not None:
            relabel |= unsure
        if state is not None and Mark(state["change_seq"], state["path_id"]).covers(mark) and not relabel:
            if head is not None and head != prior_head and unsure == frozenset():
                # nothing to write, but the documents' tags are those of `head`: fewer changes since to correct
                self._write_state(Mark(state["change_seq"], state["path_id"]), self._common(), written, set(), head)
                self._labelled = None
            return report
        writer = self.index.writer(WRITER_HEAP, writer_threads(jobs))
        if state is None:
            report.rebuilt = True
            # The common-bigram list is chosen now and recorded before any document is written, with
            # marks that replay every change: a crash before the final state leaves an index that is
            # caught up entirely with this same list.
            common = analysis.common_from_sample(feed.sample_texts(analysis.COMMON_SAMPLE))
            old = self.state()
            same = old is not None and old.get("version") == VERSION
            carried = self._labels_by_exhibit() if same else {}
            prior_head = self._labels_head if same else None
            self._write_state(Mark(-1, -1), common, carried, None, None)
            writer.delete_all_documents()
            seqs: set[int] | None = None
            count = feed.unit_count()
            tags = current if current is not None else carried
            written = dict(tags)
        else:
            common = analysis.Common(list(state.get("common_bigrams", [])), list(state.get("common_words", [])))
            seqs = feed.changed_since(Mark(state["change_seq"], state["path_id"]), mark) | relabel
            # before the commit: the documents of these exhibits are about to change, tags and all
            self._write_state(Mark(state["change_seq"], state["path_id"]), common, written,
                              None if unsure is None else set(unsure) | seqs, prior_head)
            for seq in seqs:
                writer.delete_documents_by_term("ex", seq)
            count = feed.unit_count(seqs)
            tags = dict(written)
            if current is not None:
                for seq in seqs:
                    tags.pop(seq, None)
                    if seq in current:
                        tags[seq] = current[seq]
            written = tags
        report.exhibits = len(seqs) if seqs is not None else feed.exhibit_count()
        if count:
            progress.start("index for search", count)
        step = max(1, count // 200)  # a redraw per unit cost more than indexing it: advance in 0.5% steps
        pending = 0
        for doc, size in _documents(feed, seqs, common, tags):
            writer.add_document(doc)
            report.units += 1
            report.text_chars += size
            pending += 1
            if pending == step:
                progress.advance(pending)
                pending = 0
        writer.commit()
        writer.wait_merging_threads()
        if count:
            progress.advance(pending)
            progress.finish()
        # with Labels every document now carries the tags read after `head`; without, the old ones
        self._write_state(mark, common, written, set(), head if current is not None else prior_head)
        self._known = mark
        self._searcher = None
        self._labelled = None
        self.common = common
        report.seconds = time.perf_counter() - t0
        return report


def writer_threads(jobs: int | None) -> int:
    """Indexing threads for `jobs` cores: all the cores this process may run on when None."""
    if jobs is None:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(jobs, MAX_WRITER_THREADS))


# -- documents --------------------------------------------------------------------------------
def _exhibit_fields(facts: dict[int, ExhibitFacts]) -> dict[int, dict[str, Any]]:
    """Per exhibit: the filter/facet values every one of its pages and rows carries."""
    out: dict[int, dict[str, Any]] = {}
    for seq, ex in facts.items():
        media = (ex.media_type or "").lower()
        f: dict[str, Any] = {"media": media or "unknown", "status": ex.status or "ok",
                             "type": set(), "path": [], "folder": set(), "source": set(),
                             "lang": ex.lang}
        if media:
            sub = media.split("/", 1)[-1].split(";")[0]
            f["type"].update({media, sub})
            f["type"].add(_FAMILIES.get(sub, media.split("/", 1)[0] if media.startswith("image/") else sub))
            if media.startswith("image/"):
                f["type"].add("image")
        d = _parse_date(ex.doc_date)
        if d is not None:
            f["date"] = d
            f["year"] = str(d.year)
        rcv = _parse_date(ex.first_received)
        if rcv is not None:
            f["received"] = rcv
        for path, source in ex.paths:
            f["path"].append(path)
            f["folder"].add(path.split("/", 1)[0] if "/" in path else "")
            if source:
                f["source"].add(source)
            name = path.rsplit("/", 1)[-1].lower()
            if "." in name:
                ext = name.rsplit(".", 1)[1]
                f["type"].add(ext)
                if ext in _EXT_FAMILIES:
                    f["type"].add(_EXT_FAMILIES[ext])
        for k in ("type", "folder", "source"):
            f[k] = sorted(f[k])
        out[seq] = f
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


def _base(f: dict[str, Any], seq: int, lang: str | None, ocr: bool, tags: list[str] | None) -> dict[str, Any]:
    d: dict[str, Any] = {"ex": seq, "media": f["media"], "status": f["status"], "type": f["type"],
                         "path": f["path"], "folder": f["folder"], "source": f["source"],
                         "ocr": "true" if ocr else "false", "lang": (lang or f["lang"] or "und").lower()}
    if tags:
        d["label"] = tags
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


def _documents(feed: IndexFeed, seqs: set[int] | None, common: analysis.Common | None = None,
               tags: dict[int, list[str]] | None = None) -> Iterator[tuple[tantivy.Document, int]]:
    """Every page and table row of the given exhibits (all when None), as tantivy documents, each carrying
    its exhibit's `tags`."""
    tags = tags or {}
    schema = build_schema()
    todo = sorted(seqs) if seqs is not None else None
    # A few thousand exhibits are read one by one; a whole catalog is streamed in one pass.
    batches: list[list[int] | None] = [todo[i:i + 500] for i in range(0, len(todo), 500)] if todo else [None]
    if todo == []:
        return
    for batch in batches:
        info = _exhibit_fields(feed.facts(batch))
        for chunk in feed.pages(batch, CHUNK):
            pages = [p for p in chunk if p.exhibit_seq in info]
            for p, prepared in zip(pages, analysis.prepare_many([p.text for p in pages], common), strict=True):
                seq = p.exhibit_seq
                d = _base(info[seq], seq, p.lang, p.source == "ocr", tags.get(seq))
                d["page"] = p.number
                d["unit"] = "page"
                meta_uly = None
                if p.meta_json and '"uly"' in p.meta_json:  # parse an OCR page's boxes only when it has one
                    meta_uly = json.loads(p.meta_json).get("uly") or None
                _text_fields(d, p.text, prepared, common, meta_uly)
                yield tantivy.Document.from_dict(d, schema), len(p.text)
        for rchunk in feed.rows(batch, CHUNK):
            rows = [r for r in rchunk if r.exhibit_seq in info]
            texts = [row_text(r.cells_json) for r in rows]
            for r, text, prepared in zip(rows, texts, analysis.prepare_many(texts, common), strict=True):
                d = _base(info[r.exhibit_seq], r.exhibit_seq, None, False, tags.get(r.exhibit_seq))
                d["tid"] = r.table_id
                d["row"] = r.number
                d["unit"] = "row"
                _text_fields(d, text, prepared, common)
                yield tantivy.Document.from_dict(d, schema), len(text)
