"""Helpers shared by the reports tests (a module of its own: conftest modules are not importable by name)."""

from __future__ import annotations

from typing import Any

from exhibit.archive import Archive


def exhibit_by_path(arch: Archive, path: str) -> dict[str, Any]:
    """The exhibit that holds `path`, as its `ls --json` object (IDs depend on ingest order; tests never
    hard-code them)."""
    for e in arch.exhibits():
        if path in e.path_names:
            return e.as_json()
    raise LookupError(f"{path} is not in the archive")


def phrase(truth: dict[str, Any], query: str) -> dict[str, Any]:
    """A phrase of truth.json: {query, file, page}."""
    return next(p for p in truth["phrases"] if p["query"] == query)


def translation_pair(truth: dict[str, Any]) -> tuple[str, str]:
    """(original path, translation path) as truth.json marks them."""
    translated = next(p for p, f in truth["files"].items() if f.get("translation_of"))
    return truth["files"][translated]["translation_of"], translated
