"""The bounds of what one request may ask of the server: numbers, lengths, pixels, concurrent renders, time.

Every number a URL carries is declared with these bounds on its FastAPI parameter (the `Annotated` types
below), so an out-of-range or absurd value is refused at the edge with a 400 (a query or form field) or
404 (a path) before any SQL, `islice` or tantivy call sees it. The other bounds keep the cost of one
request in proportion to what a person could want from it; docs/web.md lists them and why.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Query
from pydantic import StringConstraints

# -- numbers -----------------------------------------------------------------------------------------
# Listing pages: 10^6 pages of at most 1000 is an offset of 10^9, far inside SQLite's 64-bit integers and
# `islice`'s sys.maxsize, and beyond any archive exhibit serves (10^9 exhibits or custody events).
MAX_LIST_PAGE = 1_000_000
MAX_LIST_SIZE = 1000
# Search hits: tantivy collects the best offset + limit hits to return the last `limit`; 10,000 deep is
# Elasticsearch's own default window, and page 500 of 20. Narrow the query to reach what lies beyond.
MAX_SEARCH_OFFSET = 10_000
MAX_SEARCH_LIMIT = 200
MAX_SEARCH_PAGE = 500
# Page numbers of one exhibit: the ingest stops a PDF long before (docs/ingest.md, max_pages).
MAX_PAGE_NUMBER = 1_000_000
# Catalog ids (tables) and row numbers of a register: 2^40 is a trillion, and still exact as a JSON number.
MAX_ID = 2**40
# The link review queue.
MAX_REVIEW_ITEM = 1_000_000

# -- text --------------------------------------------------------------------------------------------
# A search query: a paragraph of words, phrases and filters. The parser also limits nesting
# (exhibit.search.query.MAX_DEPTH), which is what a query of 500 brackets hits.
MAX_QUERY_CHARS = 2000
# Highlighted words (hl=): a hit's snippet gives a few words of a few characters; a name or a short
# phrase is the longest anyone highlights by hand. Terms beyond the count are ignored, as before.
MAX_HL_TERMS = 10
MAX_HL_CHARS = 200
# Boxes drawn on one page image: more than this many hits of a word on one page is a page full of it.
MAX_HL_BOXES = 2000

# -- page images -------------------------------------------------------------------------------------
# Pixels of one rendered page image: 1200 x 6700, a page more than five times as tall as it is wide still
# drawn at full width; taller or wider pages are drawn smaller to fit. About 140 MB at the peak of one
# render (pixmap, RGB copy, highlight overlay).
MAX_RENDER_PIXELS = 8_000_000
# A scan (an image exhibit) is decoded whole before it is scaled: refused above this many pixels.
MAX_SOURCE_PIXELS = 50_000_000
# Renders at once (the machine's memory, not its cores: MuPDF draws one page at a time anyway), and how many
# more may wait for a slot before the server answers 503 "busy, try again".
RENDER_SLOTS = 2
RENDER_WAITING = 6
# Bytes of rendered pages kept in memory for the next request of the same page.
RENDER_CACHE_BYTES = 64 * 2**20

# -- time --------------------------------------------------------------------------------------------
# Seconds until the first byte of an answer (WebSettings.request_deadline_s, `exhibit serve --deadline`).
REQUEST_DEADLINE_S = 60.0


# -- the parameter types the routes declare --------------------------------------------------------
# An exhibit as a URL names it: EX-000012, 12, or a SHA-256 prefix (exhibit.archive.Archive.resolve). The
# digits are bounded here so that EX-<30 digits> is "no such exhibit", not an integer too large for SQLite.
ExhibitRef = Annotated[str, Path(max_length=71, pattern=r"^(?i:EX-[0-9]{6,15}|[0-9]{1,7}|(?:sha256:)?[0-9a-f]{8,64})$",
                                 description="EX-000012, 12, or a SHA-256 prefix of 8+ hex digits")]
ListPage = Annotated[int, Query(alias="page", ge=1, le=MAX_LIST_PAGE, description="page of the listing")]
ListSize = Annotated[int, Query(ge=1, le=MAX_LIST_SIZE, description="items per page")]
SearchPage = Annotated[int, Query(alias="page", ge=1, le=MAX_SEARCH_PAGE, description="page of the hits")]
SearchLimit = Annotated[int, Query(ge=1, le=MAX_SEARCH_LIMIT, description="hits to return")]
SearchOffset = Annotated[int, Query(ge=0, le=MAX_SEARCH_OFFSET, description="hits to skip")]
SearchQuery = Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="the query (docs/search.md)")]
OptionalSearchQuery = Annotated[str, Query(max_length=MAX_QUERY_CHARS)]
Quotation = Annotated[str | None, Query(max_length=MAX_QUERY_CHARS, description="a quotation a report cites")]
PageNumber = Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE_NUMBER, description="page of the exhibit")]
PagePath = Annotated[int, Path(ge=1, le=MAX_PAGE_NUMBER, description="page of the exhibit")]
TableId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="one of the exhibit's tables")]
RowNumber = Annotated[int | None, Query(ge=0, le=MAX_ID, description="a row of the table")]
ReviewItem = Annotated[int, Query(ge=0, le=MAX_REVIEW_ITEM, description="position in the review queue")]
ReviewItemForm = Annotated[int, Form(ge=0, le=MAX_REVIEW_ITEM)]
Highlight = Annotated[list[Annotated[str, StringConstraints(max_length=MAX_HL_CHARS)]],
                      Query(max_length=MAX_HL_TERMS * 5, description="words to highlight")]
