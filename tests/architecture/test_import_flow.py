"""The flow in ARCHITECTURE.md, enforced: every import between exhibit's folders, at module level or inside a
function, goes along the flow; no folder but `archive` names a core catalog table in SQL."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "exhibit"

# What each folder may import besides itself. Read ARCHITECTURE.md's table for why; this is the rule itself.
BASE = {"errors", "config", "progress", "text"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(), "config": set(), "progress": set(),
    "text": {"errors"},
    "archive": BASE,
    "ocr": BASE | {"archive"},
    "ingest": BASE | {"archive", "ocr"},
    "documents": BASE | {"archive", "ocr"},
    "search": BASE | {"archive", "documents"},
    "records": BASE | {"archive"},
    "checks": BASE | {"archive", "records"},
    "link": BASE | {"archive", "records", "checks"},
    "coding": BASE | {"archive", "records", "checks"},
    "reports": BASE | {"archive", "documents", "search", "records", "checks", "link", "coding"},
    "redact": BASE | {"archive", "ocr", "records", "checks", "link"},
    "workspace": BASE | {"archive", "documents", "search", "records", "checks", "link", "coding", "reports"},
    "web": BASE | {"archive", "ocr", "ingest", "documents", "search", "records", "checks", "link", "coding",
                   "reports", "redact", "workspace"},
    "cli": BASE | {"archive", "ocr", "ingest", "documents", "search", "records", "checks", "link", "coding",
                   "reports", "web", "redact", "workspace"},
    "demo": {"errors", "text"},
}
CORE_TABLES = ("exhibits", "paths", "pages", "tables", "table_rows", "custody", "changes", "ingest_seen")
_SQL_ON_CORE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+(?:" + "|".join(CORE_TABLES) + r")\b")


def folder_of(path: Path, package: Path = PACKAGE) -> str:
    rel = path.relative_to(package)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, target folder) of every import of another exhibit folder, wherever it stands in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from exhibit import TOOL` names the package's own constants, not a folder
            names = [node.module] if node.module != "exhibit" else [
                f"exhibit.{a.name}" for a in node.names
                if (PACKAGE / a.name).is_dir() or (PACKAGE / f"{a.name}.py").is_file()]
        for name in names:
            parts = name.split(".")
            if parts[0] == "exhibit" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


def violations(package: Path = PACKAGE) -> list[str]:
    out = []
    for path in sorted(package.rglob("*.py")):
        src = folder_of(path, package)
        if src in ("__init__", "__main__"):
            continue
        allowed = ALLOWED.get(src)
        if allowed is None:
            out.append(f"{path.relative_to(package)}: folder {src!r} has no rule in the import contract")
            continue
        for line, dst in imports_of(path):
            if dst != src and dst not in allowed and dst not in ("__init__",):
                out.append(f"{path.relative_to(package)}:{line}: {src} imports {dst}, against the flow")
    return out


def test_every_import_between_folders_follows_the_flow() -> None:
    assert violations() == []


def test_no_sql_on_core_tables_outside_the_archive() -> None:
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if folder_of(path) == "archive":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _SQL_ON_CORE.search(line):
                bad.append(f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}")
    assert bad == []


def test_the_contract_catches_an_import_against_the_flow(tmp_path: Path) -> None:
    # A copy of two folders where the archive reaches up into search, inside a function, as it once did.
    for folder, body in {"archive": "def f():\n    from exhibit.search import search\n    return search\n",
                         "search": "from exhibit.archive import Archive\n"}.items():
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text(body)
    found = violations(tmp_path)
    assert found == ["archive/__init__.py:2: archive imports search, against the flow"]


def _exists(folder: str) -> bool:
    return (PACKAGE / folder).is_dir() or (PACKAGE / f"{folder}.py").is_file()


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_every_rule_names_real_folders(folder: str) -> None:
    assert _exists(folder)
    assert all(_exists(t) for t in ALLOWED[folder])


def test_the_flow_has_no_cycles() -> None:
    from graphlib import CycleError, TopologicalSorter

    try:
        order = list(TopologicalSorter(ALLOWED).static_order())
    except CycleError as e:  # pragma: no cover - the message names the cycle
        pytest.fail(f"the import rule has a cycle: {e.args[1]}")
    assert order.index("archive") < order.index("ingest") < order.index("cli")
