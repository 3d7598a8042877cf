"""Versions and near-duplicates: MinHash signatures over text shingles, LSH at sync, clusters of versions.

Identical bytes are one exhibit already; this finds the same document in other bytes (a scan of a printed
PDF, the DOCX draft of a PDF, a retyped copy, a later revision). Similarity is the Jaccard similarity of
the two texts' shingle sets as estimated by 128-permutation MinHash (datasketch): within about ±0.04 of
the true value at 0.8.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from exhibit.archive import Archive, ex_id
from exhibit.documents.versions_store import VersionsStore
from exhibit.progress import SILENT, Progress
from exhibit.text.chinese import fold_simplified, fold_width

NUM_PERM = 128
SCHEME = "affine32"   # datasketch 2.0's permutation scheme, named: stored signatures must stay comparable
SHINGLE = 3            # tokens per shingle: a Han character is a token, so is a Latin or Uyghur word
MIN_SHINGLES = 8       # texts shorter than this (a caption, a stamp) match too much to mean anything
FLOOR = 0.4            # pairs from this estimated similarity up are kept at sync (what `similar` can show)
DEFAULT_THRESHOLD = 0.6
_BATCH = 2000          # exhibits signed per transaction

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(f"[{_HAN}]|[^\\W{_HAN}_]+")


@dataclass(frozen=True)
class Similar:
    """Another exhibit whose text is a version of this one's, with the estimated similarity (0..1)."""

    seq: int
    similarity: float

    @property
    def id(self) -> str:
        return ex_id(self.seq)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "similarity": round(self.similarity, 4)}


@dataclass(frozen=True)
class VersionCluster:
    """Exhibits linked by similarity at or above the threshold, directly or through each other."""

    members: tuple[int, ...]
    pairs: tuple[tuple[int, int, float], ...]

    def as_json(self) -> dict[str, Any]:
        return {"members": [ex_id(s) for s in self.members],
                "pairs": [{"a": ex_id(a), "b": ex_id(b), "similarity": round(s, 4)} for a, b, s in self.pairs]}


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold_simplified(fold_width(text)).lower())


_TOKEN_IDS: dict[str, int] = {}  # token -> CRC-32, kept across pages of one process


def shingle_hashes(text: str) -> np.ndarray:
    """The distinct 32-bit hashes of the text's shingles (SHINGLE tokens each): each token's CRC-32 mixed
    position by position, in numpy, so that a page costs microseconds, not a Python call per shingle."""
    t = tokens(text)
    if len(t) < SHINGLE:
        return np.zeros(0, dtype=np.uint64)
    ids = _TOKEN_IDS
    if len(ids) > 1_000_000:  # a bound on memory: Han characters are few, words and numbers are not
        ids.clear()
    for x in set(t).difference(ids):
        ids[x] = zlib.crc32(x.encode())
    arr = np.fromiter(map(ids.__getitem__, t), dtype=np.uint64, count=len(t))
    h = np.zeros(len(t) - SHINGLE + 1, dtype=np.uint64)
    for k in range(SHINGLE):
        h = h * np.uint64(0x9E3779B1) + arr[k:len(arr) - SHINGLE + 1 + k]
    return np.unique(h & np.uint64(0xFFFFFFFF))


def shingles(text: str) -> set[int]:
    """The text's shingles as a set of hashes (what the similarity of two texts is the Jaccard index of)."""
    return {int(x) for x in shingle_hashes(text)}


_PERMUTATIONS: list[np.ndarray] = []


def signature(hashes: np.ndarray) -> np.ndarray:
    """The MinHash hash values of a set of shingle hashes (uint32, NUM_PERM of them)."""
    if not _PERMUTATIONS:  # the permutations are fixed by datasketch's seed; drawn once per process
        _PERMUTATIONS.append(MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations)
    # the shingles are hashed already: `int` (a C call) hands them over as they are
    m = MinHash(num_perm=NUM_PERM, hashfunc=int, permutations=_PERMUTATIONS[0], scheme=SCHEME)
    m.update_batch(hashes.tolist())
    return np.asarray(m.hashvalues, dtype=np.uint32)


def _lean(hv: np.ndarray) -> LeanMinHash:
    return LeanMinHash(seed=1, hashvalues=hv, scheme=SCHEME)


def estimate(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / len(a)


def _texts(arch: Archive, seqs: set[int]) -> Iterable[tuple[int, str]]:
    """Each exhibit's pages joined, in exhibit order, streamed."""
    current: int | None = None
    parts: list[str] = []
    for batch in arch.feed.pages(seqs, batch=1024):
        for p in batch:
            if p.exhibit_seq != current:
                if current is not None:
                    yield current, "\n".join(parts)
                current, parts = p.exhibit_seq, []
            parts.append(p.text)
    if current is not None:
        yield current, "\n".join(parts)


def sync(arch: Archive, progress: Progress = SILENT) -> None:
    """Sign the exhibits changed since the last sync and find their versions: earlier revisions of PDFs
    saved incrementally are first extracted as exhibits of their own (forensics), so they are signed too."""
    from exhibit.documents import forensics

    store = VersionsStore(arch)
    since, until = store.mark(), arch.feed.mark()
    changed = arch.feed.changed_since(since, until)
    if not changed:
        return
    forensics.extract_revisions(arch, sorted(changed), progress)
    after = arch.feed.mark()
    changed |= arch.feed.changed_since(until, after)
    progress.start("versions", len(changed))
    sigs: dict[int, np.ndarray] = {}
    rows: list[tuple[int, int, np.ndarray]] = []
    with arch.transaction():
        store.drop(changed)
    for seq, text in _texts(arch, changed):
        sh = shingle_hashes(text)
        if len(sh) >= MIN_SHINGLES:
            sigs[seq] = signature(sh)
            rows.append((seq, len(sh), sigs[seq]))
        if len(rows) >= _BATCH:
            with arch.transaction():
                store.put_signatures(rows)
            progress.advance(len(rows))
            rows = []
    with arch.transaction():
        store.put_signatures(rows)
    pairs = _pairs(store, sigs)
    with arch.transaction():
        store.put_pairs(pairs)
        store.set_mark(after)
    progress.advance(len(rows))
    progress.finish()


def _pairs(store: VersionsStore, new: dict[int, np.ndarray]) -> list[tuple[int, int, float]]:
    """Every pair of a new signature with any signature (new or old) whose estimate reaches FLOOR."""
    lsh = MinHashLSH(threshold=FLOOR, num_perm=NUM_PERM)
    every: dict[int, np.ndarray] = {}
    with lsh.insertion_session() as session:
        for batch in store.signatures():
            for seq, hv in batch:
                every[seq] = hv
                session.insert(seq, _lean(hv), check_duplication=False)
    found: dict[tuple[int, int], float] = {}
    for seq, hv in new.items():
        for other in lsh.query(_lean(hv)):
            if other == seq:
                continue
            key = (min(seq, other), max(seq, other))
            if key not in found:
                s = estimate(hv, every[other])
                if s >= FLOOR:
                    found[key] = s
    return [(a, b, s) for (a, b), s in found.items()]


def similar(arch: Archive, seq: int, threshold: float | None = None) -> list[Similar]:
    """The exhibits whose texts are versions of `seq`'s (estimated similarity at or above `threshold`,
    default DEFAULT_THRESHOLD), most similar first. Below FLOOR every signature is compared directly."""
    store = VersionsStore(arch)
    t = DEFAULT_THRESHOLD if threshold is None else threshold
    if t >= FLOOR:
        found = store.pairs_of(seq, t)
    else:
        mine = store.signature(seq)
        found = [] if mine is None else [
            (other, s) for batch in store.signatures() for other, hv in batch
            if other != seq and (s := estimate(mine, hv)) >= t]
    return sorted((Similar(o, s) for o, s in found), key=lambda x: (-x.similarity, x.seq))


def clusters(arch: Archive, threshold: float | None = None) -> list[VersionCluster]:
    """Every cluster of versions in the archive: exhibits joined by pairs at or above `threshold`
    (at least FLOOR: clusters come from the pairs found at sync)."""
    t = max(DEFAULT_THRESHOLD if threshold is None else threshold, FLOOR)
    pairs = VersionsStore(arch).pairs(t)
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _ in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    by_root: dict[int, list[tuple[int, int, float]]] = {}
    for a, b, s in pairs:
        by_root.setdefault(find(a), []).append((a, b, s))
    return [VersionCluster(tuple(sorted(m)), tuple(by_root.get(r, []))) for r, m in sorted(groups.items())]
