"""Cross-script name search: the records and mentions whose names match a query in any script.

The order of hits is the order of name similarity to the query: it ranks search results, never people.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rapidfuzz.distance import JaroWinkler

from exhibit.archive import Archive
from exhibit.errors import UserError
from exhibit.link.names import parse_name


def _sim(qk: str | None, qs: str | None, mk: str | None, ms: str | None) -> float:
    if not qk or not mk:
        return 0.0
    if qk == mk:
        return 1.0
    if qs and qs == ms:
        return 0.9
    return 0.8 * JaroWinkler.similarity(qk, mk)


def name_similarity(q: Mapping[str, Any], m: Mapping[str, Any]) -> float:
    """0..1 between two prepared name feature dicts (given_key, given_skel, father_key, father_skel)."""
    qg = (q["given_key"], q["given_skel"])
    qf = (q.get("father_key") or None, q.get("father_skel") or None)
    mg = (m.get("given_key"), m.get("given_skel"))
    mf = (m.get("father_key") or None, m.get("father_skel") or None)
    if qf[0] is None:  # one word: either of the person's names
        return 0.9 * max(_sim(*qg, *mg), _sim(*qg, *mf))
    straight = (_sim(*qg, *mg) + _sim(*qf, *mf)) / 2
    swapped = 0.97 * (_sim(*qg, *mf) + _sim(*qf, *mg)) / 2  # diaspora order: father's name first
    return max(straight, swapped)


def people_search(arch: Archive, query: str, limit: int = 20, min_similarity: float = 0.75) -> dict[str, Any]:
    """{"query", "read_as", "total", "hits": [{"record_id"|"mention_id", "name", "id_number", "source",
    "score", "cluster_id"}]}; score is the name similarity of the hit to the query (0..1)."""
    from exhibit.link import store
    from exhibit.link.compare import features

    n = parse_name(query)
    if n is None:
        raise UserError("people search needs a name, e.g. `exhibit people search \"Mamat Tursun\"`.")
    q = features({"unique_id": "query", "name": query})
    rows = [(r["unique_id"], r["kind"], r["name"], r["id_number"], json.loads(r["source"]), json.loads(r["features"]))
            for r in store.mentions(arch.catalog).values()]
    if not rows:  # no link run yet: read the records and mentions now
        from exhibit.link.sources import from_archive

        rows = []
        for m in from_archive(arch):
            f = features(m)
            rows.append((f["unique_id"], f["kind"], f["name"], f["id_number"], m.get("source") or {}, f))
    cluster_of = store.cluster_of(arch.catalog)
    hits = []
    for uid, kind, name, idn, source, f in rows:
        s = name_similarity(q, f)
        if s >= min_similarity:
            key = "record_id" if kind == "record" else "mention_id"
            hits.append({key: uid, "kind": kind, "name": name, "id_number": idn, "source": source,
                         "score": round(s, 4), "cluster_id": cluster_of.get(uid)})
    hits.sort(key=lambda h: (-h["score"], h.get("record_id") or h.get("mention_id")))
    return {"query": query, "read_as": n.display, "total": len(hits), "hits": hits[:limit]}
