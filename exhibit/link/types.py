"""The results of linking as typed values: a cluster of records and mentions found to be one person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ClusterMember:
    """A record of a register (`kind` "record") or a mention in a document or testimony ("mention")."""

    unique_id: str
    kind: str
    id_number: str | None
    name: str | None
    source: dict[str, Any]
    score: float | None   # the member's match probability within its cluster, when a model scored it

    def as_json(self) -> dict[str, Any]:
        key = "record_id" if self.kind == "record" else "mention_id"
        return {key: self.unique_id, "kind": self.kind, "id_number": self.id_number, "name": self.name,
                "source": self.source, "score": None if self.score is None else round(self.score, 4)}


@dataclass(frozen=True)
class Cluster:
    """Records and mentions about the same person, as the latest run and the judgements since have it."""

    cluster_id: str
    members: tuple[ClusterMember, ...]

    def as_json(self) -> dict[str, Any]:
        """One entry of `link ls --json`."""
        return {"cluster_id": self.cluster_id, "members": [m.as_json() for m in self.members]}
