"""Hostile requests to the web app: numbers no parameter should take, queries nested past any use, pages
far taller or wider than paper, highlight terms as long as a page; and the app's own list of the parameters
they go into, read from the FastAPI app so that a new route is covered without anyone adding it here."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Too large for SQLite (2^63), for a C size_t / islice (2^64), for anything (10^30, 5,000 digits); below
# every bound (0, -1); not integers at all (nan, inf, 1e3, 1.5, 0x10, empty).
OUT_OF_RANGE = ["-1", str(2**63), str(2**64), str(-(2**63) - 1), str(10**30), "9" * 5000]
NOT_INTEGERS = ["nan", "inf", "-inf", "1e3", "1.5", "0x10", "", " 1 ", "١٢"]


def hostile_numbers() -> list[str]:
    """Every value a numeric parameter is tried with; "0" may be in range (an offset), the rest never is."""
    return ["0", *OUT_OF_RANGE, *NOT_INTEGERS]


def hostile_refs() -> list[str]:
    """Values for a path parameter that names something (an exhibit, a record, a page): numbers, and IDs
    built of them."""
    return [*hostile_numbers(), "EX-" + str(10**30), "EX-" + str(2**63), "EX-" + "9" * 5000, "sha256:" + "f" * 65]


@dataclass(frozen=True)
class Param:
    """A parameter of a route: where it is (path, query, body) and whether it is an integer."""

    method: str
    path: str          # the route's template, e.g. /exhibits/{ref}/pages/{number}.png
    where: str         # "path", "query" or "body" (a form field)
    name: str          # as it appears in the request (the alias)
    numeric: bool


def _is_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    return any(a is int for a in typing.get_args(annotation))


def _fields(dependant: Any, where: str) -> list[Any]:
    """The route's own parameters of a kind and those of the dependencies it declares, however deep."""
    own = list(getattr(dependant, f"{where}_params"))
    return own + [f for d in dependant.dependencies for f in _fields(d, where)]


def api_routes(routes: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    """(path, route) of every APIRoute, inside included routers too (FastAPI keeps an included router as one
    entry of app.routes, with its own routes and prefix)."""
    from fastapi.routing import APIRoute

    out: list[tuple[str, Any]] = []
    for r in routes:
        if isinstance(r, APIRoute):
            out.append((prefix + r.path, r))
        elif hasattr(r, "original_router"):
            context = getattr(r, "include_context", None)
            out += api_routes(r.original_router.routes, prefix + (getattr(context, "prefix", "") or ""))
    return out


def parameters(app: Any) -> list[Param]:
    """Every path, query and form parameter of every route of the app, with its dependencies' parameters."""
    out = []
    for path, route in api_routes(app.routes):
        for method in sorted(route.methods):
            for where in ("path", "query", "body"):
                seen = set()
                for f in _fields(route.dependant, where):
                    if f.alias not in seen:
                        seen.add(f.alias)
                        out.append(Param(method, path, where, f.alias, _is_int(f.field_info.annotation)))
    return out


def numeric_parameters(app: Any) -> list[Param]:
    return [p for p in parameters(app) if p.numeric]


def path_parameters(app: Any) -> list[Param]:
    return [p for p in parameters(app) if p.where == "path"]


# -- queries -------------------------------------------------------------------------------------------
def nested_queries(depth: int = 500) -> list[str]:
    """Queries nested `depth` deep in every way the syntax allows."""
    return [
        "(" * depth + "x" + ")" * depth,
        "(" * depth + "x",                        # never closed
        "x" + ")" * depth,                        # never opened
        "NOT " * depth + "x",
        "-" * depth + "x",
        "!" * depth + "x",
        "(-" * depth + "x" + ")" * depth,
        "(a OR " * depth + "b" + ")" * depth,
        'lang:zh AND (' * depth + '"积分 管理"' + ")" * depth,
    ]


# Pieces that queries are made of, for property-based tests: every operator and bracket, filters, and words
# in each script the archive searches.
QUERY_PIECES = ["(", ")", '"', " ", "AND", "OR", "NOT", "-", "!", "+", "*", "~", "~2", "~9", ":", "[", "]",
                "{", "}", " TO ", "lang:", "date:", "path:", "year:", "ocr:", "type:", "积分", "管理", "ئۇيغۇر",
                "Mamat", "653222", "&&", "||", "\\", "\x00", "\u202e"]


# -- page images ---------------------------------------------------------------------------------------
def pdf_page(path: Path, width_pt: float, height_pt: float, words: str = "tallmarker") -> Path:
    """A one-page PDF of the given size (a few KB whatever the size) with `words` near its top left and
    bottom right, for the viewer to highlight."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=width_pt, height=height_pt)
    page.insert_text((10, 30), words, fontsize=12)
    page.insert_text((max(10.0, width_pt - 200), max(30.0, height_pt - 20)), words, fontsize=12)
    doc.save(path)
    doc.close()
    return path


def tall_and_wide_pages() -> list[tuple[str, float, float]]:
    """(name, width, height) in points: the 300 x 40,000 pt page of the issue, its wide twin, a square
    poster, a page thinner than a pixel, and the largest page MuPDF accepts (the PDF's own limit, 14,400 pt,
    does not bind it)."""
    return [("tall", 300, 40_000), ("wide", 40_000, 300), ("poster", 14_400, 14_400), ("sliver", 0.5, 14_400),
            ("huge", 200_000, 200_000)]


# -- highlighting --------------------------------------------------------------------------------------
def long_page_text(chars: int = 400_000) -> str:
    """A page that costs a backtracking highlighter term-length steps at every position: one letter,
    with no white space, for as long as a page is."""
    return "a" * chars + " tailmarker\n"


def long_terms(length: int, count: int = 10) -> list[str]:
    """`count` different terms of `length` characters that almost match long_page_text everywhere."""
    return ["a" * (length - 1 - k) + "b" * (k + 1) for k in range(count)]
