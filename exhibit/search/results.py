"""What a search returns: hits (a page or a table row of an exhibit) and the result with totals and facets.

`as_json` builds the `search --json` shape of the command-line contract; the CLI and the web API both call
it, and the web page only adds its template data on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exhibit.archive import ex_id


@dataclass(frozen=True)
class RowRef:
    """A table row: the table's catalog id and the row's number in it."""

    table_id: int
    row: int


@dataclass(frozen=True)
class Matches:
    """With grouping, everything of the exhibit that matched: how many units, which pages, which rows."""

    count: int
    pages: tuple[int, ...]
    rows: tuple[RowRef, ...]  # the first 50


@dataclass(frozen=True)
class Hit:
    """One page or one table row that matched. `page` for documents (a table found on a PDF page has it
    too), `sheet` and `row` for tables; unused ones are None."""

    seq: int
    sha256: str | None
    paths: tuple[str, ...]
    page: int | None
    sheet: str | None
    row: int | None
    snippet: str           # the matched words between « and »
    snippet_html: str      # the same, escaped, with <mark>
    score: float
    media_type: str | None
    table_id: int | None = None
    source: str | None = None  # "text" or "ocr"; None when the page is no longer in the catalog
    lang: str | None = None
    matches: Matches | None = None  # set when hits are grouped by exhibit

    @property
    def id(self) -> str:
        return ex_id(self.seq)

    @property
    def path(self) -> str | None:
        return self.paths[0] if self.paths else None

    def as_json(self, html: bool = True) -> dict[str, Any]:
        """The hit of `search --json` (`html` adds `snippet_html`, which the web app shows)."""
        out: dict[str, Any] = {
            "id": self.id, "sha256": self.sha256, "path": self.path, "paths": list(self.paths),
            "page": self.page, "sheet": self.sheet, "row": self.row, "snippet": self.snippet,
        }
        if html:
            out["snippet_html"] = self.snippet_html
        out.update(score=self.score, media_type=self.media_type)
        if self.table_id is not None:
            out["table_id"] = self.table_id  # names the row for tagging (`EX-000012:t7:r14`)
        if self.source is not None:
            out["source"] = self.source
            if self.table_id is None:
                out["lang"] = self.lang
        if self.matches is not None:
            out["matches"] = self.matches.count
            out["pages"] = list(self.matches.pages)
            out["rows"] = [{"table_id": r.table_id, "row": r.row} for r in self.matches.rows]
        return out


@dataclass(frozen=True)
class SearchResult:
    """The hits of one query, best first, with `total` counting every matching page and row."""

    query: str
    offset: int
    limit: int
    total: int
    hits: tuple[Hit, ...]
    total_exhibits: int | None = None                  # set when grouped by exhibit
    facets: dict[str, dict[str, int]] | None = None    # facet -> value -> hits, when asked for

    def as_json(self, html: bool = True) -> dict[str, Any]:
        """The `search --json` object: {"query", "offset", "limit", "total", "hits", "facets"?}."""
        out: dict[str, Any] = {"query": self.query, "offset": self.offset, "limit": self.limit, "total": self.total}
        if self.total_exhibits is not None:
            out["total_exhibits"] = self.total_exhibits
        out["hits"] = [h.as_json(html) for h in self.hits]
        if self.facets is not None:
            out["facets"] = self.facets
        return out
