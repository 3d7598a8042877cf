"""An invented sample leak cache for `make demo` and for tests: `generate(out, seed)`."""

from __future__ import annotations

from exhibit.demo.cache import generate

__all__ = ["generate"]
