"""The team's activity: what was ingested, tagged, noted, judged and exported, by whom and when, read from
the custody log (the one record of every change, the workspace's included)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from exhibit.archive import Archive, custody


class Activity(StrEnum):
    INGESTED = "ingested"
    TAGGED = "tagged"
    NOTED = "noted"
    JUDGED = "judged"
    EXPORTED = "exported"
    SEARCHED = "searched"

    @classmethod
    def of(cls, event: str) -> Activity | None:
        return _KINDS.get(event) or (cls.NOTED if event.startswith("highlight_") else None)


_KINDS = {"received": Activity.INGESTED, "ocr": Activity.INGESTED,
          "tagged": Activity.TAGGED, "untagged": Activity.TAGGED,
          "noted": Activity.NOTED, "note_edited": Activity.NOTED, "note_deleted": Activity.NOTED,
          "highlighted": Activity.NOTED,
          "link_judgement": Activity.JUDGED, "coding_judgement": Activity.JUDGED, "link_run": Activity.JUDGED,
          "coding_run": Activity.JUDGED, "translation_linked": Activity.JUDGED,
          "exported": Activity.EXPORTED, "downloaded": Activity.EXPORTED, "report_rendered": Activity.EXPORTED,
          "search_saved": Activity.SEARCHED, "search_unsaved": Activity.SEARCHED}


@dataclass(frozen=True)
class Entry:
    kind: Activity
    event: custody.CustodyEvent

    def as_json(self) -> dict[str, Any]:
        e = self.event
        return {"kind": str(self.kind), "event": e.event, "time": e.time, "actor": e.actor, "sha256": e.exhibit_sha256,
                "details": e.details, "seq": e.seq}


def timeline(arch: Archive, kinds: set[Activity] | None = None, actor: str | None = None,
             since: str | None = None, until: str | None = None, limit: int = 500) -> list[Entry]:
    """Newest first; `since`/`until` compare with the events' ISO times (a date works: 2026-03-01)."""
    out: list[Entry] = []
    for e in reversed(arch.custody_events()):
        kind = Activity.of(e.event)
        if kind is None or (kinds and kind not in kinds) or (actor and e.actor != actor):
            continue
        if (since and e.time < since) or (until and e.time[:len(until)] > until):
            continue
        out.append(Entry(kind, e))
        if len(out) >= limit:
            break
    return out
