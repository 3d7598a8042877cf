"""pyproject lists exactly what the package imports: nothing undeclared, nothing declared and unused."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Needed at run time but never imported by name: FastAPI parses forms with python-multipart.
RUNTIME_ONLY = {"python-multipart"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_distributions() -> set[str]:
    dists = packages_distributions()
    found = set()
    for path in (ROOT / "exhibit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else []
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "exhibit":
                    continue
                found |= {_normal(d) for d in dists.get(top, [top])}
    return found


def declared_distributions() -> set[str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return {_normal(re.split(r"[\[<>=!~; ]", d, maxsplit=1)[0]) for d in deps}


def test_every_imported_package_is_declared() -> None:
    assert imported_distributions() - declared_distributions() == set()


def test_every_declared_package_is_imported() -> None:
    assert declared_distributions() - imported_distributions() - RUNTIME_ONLY == set()
