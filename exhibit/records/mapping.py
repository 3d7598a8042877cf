"""Column mappings: what detection found for each table, and the YAML file a user writes to correct it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from exhibit.errors import UserError
from exhibit.records.vocab import header_key, vocab

IGNORE = "ignore"  # a column mapped to this is kept verbatim in cells and read as nothing


@dataclass
class TableMapping:
    """How one table reads as person records.

    status: "register" (records are made), "skipped" (not a list of people), "no_id_column" (a list of
    people whose ID-number column was not found: records need a mapping), "excluded" (the mapping file says
    so). `header_row` is the Row.number of the (last) header row, None for a table that continues the
    previous one without repeating its header.
    """

    status: str
    reason: str | None = None
    header_row: int | None = None
    headers: list[str] = field(default_factory=list)   # verbatim header per column ("" if none)
    fields: dict[int, str] = field(default_factory=dict)  # column index (0-based) -> field
    title: str | None = None
    date: str | None = None
    continues: int | None = None    # table id this one continues (PDF pages)
    from_file: bool = False         # taken from a --mapping file

    def field_columns(self) -> dict[str, int]:
        return {f: i for i, f in self.fields.items()}

    def as_yaml_columns(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for i, h in enumerate(self.headers):
            key = h if h and h not in out else f"#{i + 1}"
            out[key] = self.fields.get(i)
        return out


@dataclass
class MappingFile:
    """A user's mapping: extra header synonyms for every table, and per-table entries."""

    headers: dict[str, str] = field(default_factory=dict)   # header key -> field
    tables: list[dict[str, Any]] = field(default_factory=list)

    def entry_for(self, exhibit_id: str, sha256: str, paths: list[str], table_name: str) -> dict[str, Any] | None:
        for e in self.tables:
            ex = str(e.get("exhibit") or "")
            path = e.get("path")
            if ex and not (ex.upper() == exhibit_id or (len(ex) >= 8 and sha256.startswith(ex.lower()))):
                continue
            if path and path not in paths and not any(p.endswith("/" + str(path)) for p in paths):
                continue
            if not ex and not path:
                continue
            t = e.get("table", e.get("sheet"))
            if t not in (None, "*") and str(t) != table_name:
                continue
            return e
        return None


def _check_field(name: Any, where: str) -> str | None:
    if name is None or name == IGNORE:
        return None
    if str(name) not in vocab().fields:
        known = ", ".join(vocab().fields)
        raise UserError(f"{where}: unknown field {name!r}. Use one of: {known}, or null to keep the column "
                        "verbatim only.")
    return str(name)


def load(path: Path) -> MappingFile:
    """Read a mapping YAML (the form `exhibit records extract --show-mapping` prints)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as e:
        raise UserError(f"{path}: mapping file not found.") from e
    except yaml.YAMLError as e:
        raise UserError(f"{path}: not valid YAML ({e}). `exhibit records extract --show-mapping` prints an "
                        "example to start from.") from e
    if not isinstance(data, dict):
        raise UserError(f"{path}: a mapping file is a YAML mapping with `tables:` and/or `headers:`.")
    mf = MappingFile()
    for h, f in (data.get("headers") or {}).items():
        checked = _check_field(f, f"{path}: headers.{h}")
        mf.headers[header_key(str(h))] = checked or IGNORE
    for i, entry in enumerate(data.get("tables") or []):
        if not isinstance(entry, dict):
            raise UserError(f"{path}: tables[{i}] must be a mapping with exhibit/path, table and columns.")
        for h, f in (entry.get("columns") or {}).items():
            _check_field(f, f"{path}: tables[{i}].columns.{h}")
        mf.tables.append(entry)
    return mf


def from_dict(columns: dict[str, str | None]) -> MappingFile:
    """A mapping given in code: {header: field} for any table (e.g. the testimonies CSV)."""
    mf = MappingFile()
    for h, f in columns.items():
        mf.headers[header_key(str(h))] = _check_field(f, f"mapping {h!r}") or IGNORE
    return mf


def dump(entries: list[dict[str, Any]]) -> str:
    head = ("# exhibit records mapping: one entry per table. Correct a column's field (null keeps it verbatim\n"
            "# only), set `register: false` to leave a table out, `header_row:` or `date:` where detection\n"
            "# was wrong, then run `exhibit records extract --mapping THIS_FILE`.\n"
            f"# Fields: {', '.join(vocab().fields)}\n")
    return head + str(yaml.safe_dump({"tables": entries}, allow_unicode=True, sort_keys=False, width=120))
