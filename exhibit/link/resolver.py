"""Judgements and decisions: which scored pairs are links, which go to a person, and the clusters they make.

A person's judgement (accept, reject, unsure) always outranks the model: a rejected pair is never
linked by a later run, an accepted one always is. Automatic links need the model's probability at or
above the link threshold and must be each side's best candidate in the other's source (so a
testimony links to at most one record of a register, and a near namesake stays unlinked).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Judgement(StrEnum):
    """A person's verdict on a candidate pair; it outranks the model in every later run."""

    ACCEPT = "accept"   # the same person: always linked
    REJECT = "reject"   # not the same person: never linked
    UNSURE = "unsure"   # looked at, undecided: stays for review

    @classmethod
    def parse(cls, verdict: str) -> Judgement | None:
        """The judgement a verdict names, or None if it names none."""
        try:
            return cls(verdict)
        except ValueError:
            return None


def pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True, slots=True)
class Decision:
    a: str
    b: str
    probability: float
    weight: float
    decision: str  # "link", "review", "none"
    why: str  # "model", "judgement:accept", "judgement:reject", "ambiguous", "below threshold"


def decide(pairs: Iterable[Mapping[str, Any]], judgements: Mapping[tuple[str, str], str],
           link_threshold: float, review_threshold: float) -> list[Decision]:
    """pairs: dicts with unique_id_l, unique_id_r, dataset_l, dataset_r, match_probability, match_weight."""
    rows = [p for p in pairs if p["dataset_l"] != p["dataset_r"] or p["dataset_l"] == ""]
    best: dict[tuple[str, str], float] = defaultdict(float)  # (node, other dataset) -> best probability
    ties: dict[tuple[str, str], int] = defaultdict(int)  # ... and how many candidates reach it
    for p in rows:
        prob = float(p["match_probability"])
        for node, other in ((p["unique_id_l"], p["dataset_r"]), (p["unique_id_r"], p["dataset_l"])):
            if prob > best[(node, other)] + 1e-9:
                best[(node, other)], ties[(node, other)] = prob, 1
            elif prob >= best[(node, other)] - 1e-9:
                ties[(node, other)] += 1
    out: list[Decision] = []
    for p in rows:
        a, b = pair_key(str(p["unique_id_l"]), str(p["unique_id_r"]))
        prob, weight = float(p["match_probability"]), float(p["match_weight"])
        verdict = judgements.get((a, b))
        # each side's single best candidate in the other's source; two equally good candidates are a
        # question for a person, not a link
        mutual = all(prob >= best[k] - 1e-9 and ties[k] == 1
                     for k in ((p["unique_id_l"], p["dataset_r"]), (p["unique_id_r"], p["dataset_l"])))
        if verdict == "accept":
            out.append(Decision(a, b, prob, weight, "link", "judgement:accept"))
        elif verdict == "reject":
            out.append(Decision(a, b, prob, weight, "none", "judgement:reject"))
        elif verdict == "unsure":
            out.append(Decision(a, b, prob, weight, "review", "judgement:unsure"))
        elif prob >= link_threshold and mutual:
            out.append(Decision(a, b, prob, weight, "link", "model"))
        elif prob >= review_threshold:
            out.append(Decision(a, b, prob, weight, "review", "ambiguous" if prob >= link_threshold else "model"))
    seen = {(d.a, d.b) for d in out}
    for (a, b), verdict in judgements.items():  # accepted pairs the model did not even compare
        if verdict == "accept" and (a, b) not in seen:
            out.append(Decision(a, b, 0.0, 0.0, "link", "judgement:accept"))
    return out


def clusters(nodes: Iterable[str], decisions: Iterable[Decision]) -> dict[str, list[str]]:
    """Connected components of the linked pairs -> {cluster_id: [unique_id, ...]} (singletons included).
    The cluster id is a hash of its smallest member, so it stays put while the cluster grows."""
    parent: dict[str, str] = {n: n for n in nodes}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for d in decisions:
        if d.decision == "link":
            ra, rb = find(d.a), find(d.b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for n in list(parent):
        groups[find(n)].append(n)
    return {cluster_id(min(m)): sorted(m) for m in groups.values()}


def cluster_id(anchor: str) -> str:
    return "P-" + hashlib.sha256(anchor.encode()).hexdigest()[:10]
