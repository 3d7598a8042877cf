"""Documents that hold up: the anatomy of every official document and telegram, its format checks against
GB/T 9704-2012, file forensics, versions, references between documents, and the dossier that shows them.

`sync(arch, progress)` catches up with the catalog since its own stored mark (after an ingest, a re-OCR):
anatomy and format checks of each changed exhibit, then the version signatures (`versions.sync`). Reads
(`anatomy`, `findings`, `refs.references`, `dossier.dossier`) use what it stored. Everything here describes
documents and files, never people, and no finding is a verdict: each says what was seen, where, and why.
"""

from __future__ import annotations

from exhibit.archive import Archive, Exhibit, PageSource, Status
from exhibit.documents import anatomy as _anatomy
from exhibit.documents import refs, seal, standard, store
from exhibit.documents.anatomy import Anatomy, Element, FieldName, Kind
from exhibit.documents.standard import Code, Finding
from exhibit.progress import SILENT, Progress

__all__ = ["Anatomy", "Code", "Element", "FieldName", "Finding", "Kind", "anatomy", "exhibits_with", "findings",
           "look_at", "sync"]

# The search filters and the anatomy fields they look in
FILTERS: dict[str, tuple[FieldName, ...]] = {
    "doc_number": (FieldName.DOC_NUMBER, FieldName.TELEGRAM_NUMBER),
    "issuer": (FieldName.ISSUER_MARK, FieldName.SIGNATURE, FieldName.SENDER, FieldName.PRINTER),
    "classification": (FieldName.CLASSIFICATION,),
    "signer": (FieldName.SIGNER,),
}
_BATCH = 200


def sync(arch: Archive, progress: Progress = SILENT) -> None:
    """Anatomy and format checks of the exhibits changed since the last sync, then the versions' sync."""
    store.create(arch)
    since, now = store.mark(arch), arch.feed.mark()
    if now != since:
        seqs = sorted(arch.feed.changed_since(since, now))
        if seqs:
            progress.start("documents", len(seqs))
        for i in range(0, len(seqs), _BATCH):
            with arch.transaction():
                for ex in arch.exhibits(seqs[i:i + _BATCH]):
                    look_at(arch, ex)
                    progress.advance(1, ex.id)
        with arch.transaction():
            store.set_mark(arch, now)
        if seqs:
            progress.finish()
    from exhibit.documents import versions

    versions.sync(arch, progress)


def look_at(arch: Archive, ex: Exhibit) -> Anatomy:
    """Read one exhibit's anatomy, check its format, note what it quotes, and store it (inside a transaction)."""
    pages = arch.pages(ex.seq) if ex.page_count and ex.status is not Status.UNREADABLE else []
    found = _anatomy.read(pages)
    if found.kind is not None:
        scanned = frozenset(p.number for p in pages if p.source is PageSource.OCR)
        found = found.with_element(seal.find(ex, arch.blob_path(ex.sha256), scanned))
    store.put(arch, ex.seq, found, standard.check(found), refs.carried(found), refs.quoted(pages, found))
    return found


def anatomy(arch: Archive, seq: int) -> Anatomy:
    """The exhibit's anatomy as the last sync stored it (read now when the sync has not reached it)."""
    store.create(arch)
    got = store.anatomy(arch, seq)
    if got is None:
        with arch.transaction():
            got = look_at(arch, arch.exhibit(seq))
    return got


def findings(arch: Archive, seq: int) -> list[Finding]:
    """The format findings of one exhibit, and the document numbers it shares with a different text."""
    anatomy(arch, seq)
    return store.findings(arch, seq) + list(refs.references(arch, seq).conflicts)


def exhibits_with(arch: Archive, field: str, value: str) -> list[int]:
    """The exhibits matching a search filter (`doc_number:`, `issuer:`, `classification:`, `signer:`)."""
    store.create(arch)
    return store.exhibits_with(arch, FILTERS[field], value)
