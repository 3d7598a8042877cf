"""One linkage pass over a list of mentions: prepare, train, score, decide, cluster. No archive involved."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from exhibit.link import model, resolver
from exhibit.link.compare import prepare


@dataclass
class LinkResult:
    frame: pd.DataFrame  # the prepared mentions
    pairs: pd.DataFrame  # scored pairs at or above the review threshold
    decisions: list[resolver.Decision]
    clusters: dict[str, list[str]]
    linker: Any

    def linked_pairs(self) -> set[tuple[str, str]]:
        return {(d.a, d.b) for d in self.decisions if d.decision == "link"}


def link(mentions: Sequence[Mapping[str, Any]], settings: model.LinkSettings | None = None,
         judgements: Mapping[tuple[str, str], str] | None = None, db_api: Any | None = None) -> LinkResult:
    s = settings or model.LinkSettings()
    frame = prepare(mentions)
    linker = model.build(frame, s, db_api)
    pairs = model.predict(linker, s.review_threshold * 0.5)
    decisions = resolver.decide(pairs.to_dict("records"), judgements or {}, s.link_threshold, s.review_threshold)
    return LinkResult(frame, pairs, decisions, resolver.clusters(frame["unique_id"], decisions), linker)
