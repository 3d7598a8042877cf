"""The investigator's workspace: tags, notes, highlights, saved searches and alerts, batch downloads, activity.

    from exhibit import workspace
    workspace.tag(arch, [workspace.target(arch, "EX-000012")], add=["key-evidence"], actor="ana")
    workspace.highlight(arch, "EX-000012", page=3, quote="...", actor="ana").citation

Its own workspace_* tables (store.py) in the catalog; every change is also a custody event.
"""

from __future__ import annotations

from exhibit.workspace import activity, download, saved
from exhibit.workspace.draft import draft
from exhibit.workspace.find import Marks, search
from exhibit.workspace.highlights import add as highlight
from exhibit.workspace.highlights import get as get_highlight
from exhibit.workspace.highlights import list_ as highlights
from exhibit.workspace.marks import (
    add_note,
    delete_note,
    edit_note,
    note,
    notes,
    render_note,
    tag,
    tag_counts,
    tags,
    target,
)
from exhibit.workspace.types import (
    Anchor,
    Highlight,
    HighlightKind,
    Note,
    Revision,
    SavedSearch,
    SharedTag,
    Tagging,
    Target,
    TargetKind,
)

__all__ = ["Marks", "activity", "download", "draft", "saved", "search", "Anchor", "Highlight", "HighlightKind", "Note", "Revision", "SavedSearch", "SharedTag", "Tagging",
           "Target", "TargetKind", "add_note", "delete_note", "edit_note", "get_highlight", "highlight",
           "highlights", "note", "notes", "render_note", "tag", "tag_counts", "tags", "target"]
