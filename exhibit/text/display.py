"""Names and texts made inert for a terminal or a page: controls and bidi overrides shown as visible marks.

A name in a leaked cache is data, never instructions. On a terminal an ESC (C0) or a CSI/OSC (C1,
U+009B and U+009D) starts a sequence that can rewrite the screen, retitle the window or hide lines;
a bidi override (U+202A-U+202E, U+2066-U+2069) reorders what follows, so that `gpj.exe` reads as
`exe.jpg`. Each such character is replaced by a visible mark: C0 and C1 controls as `\\x1b`, `\\x9b`,
bidi controls (and the other invisible format characters that can disguise a name) as `<U+202E>`.
Rich markup is the caller's medium: print these strings with markup off (or through rich's escape).
"""

from __future__ import annotations

import re

# C0 controls, DEL and C1 controls: shown as \xNN.
_CONTROLS = "\x00-\x1f\x7f-\x9f"
# Bidi embeddings, overrides and isolates, the directional marks, zero-width characters, the line and
# paragraph separators, the BOM, interlinear annotations: shown as <U+XXXX>.
_FORMAT = "\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb"
_UNSAFE = re.compile(f"[{_CONTROLS}{_FORMAT}]")
# The same, keeping newlines and tabs: for page texts, whose line structure is content.
_UNSAFE_IN_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_FORMAT}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _mark(m: re.Match[str]) -> str:
    o = ord(m.group())
    return f"\\x{o:02x}" if o <= 0x9F else f"<U+{o:04X}>"


def for_terminal(s: str) -> str:
    """A name (path, member, sheet) as one inert line: no control, no bidi override, no lone surrogate
    left to make printing fail; each shown as a visible mark instead."""
    return _SURROGATE.sub(_mark_surrogate, _UNSAFE.sub(_mark, s))


def text_for_terminal(s: str) -> str:
    """A page text as inert lines: like `for_terminal`, but newlines and tabs stay."""
    return _SURROGATE.sub(_mark_surrogate, _UNSAFE_IN_TEXT.sub(_mark, s))


def for_page(s: object) -> str:
    """A name for an HTML page (the template's `name` filter; autoescape then HTML-escapes it): controls
    and bidi overrides shown as marks, as on the terminal, since the reordering deceives there too."""
    return "" if s is None else for_terminal(str(s))


def _mark_surrogate(m: re.Match[str]) -> str:
    return f"<U+{ord(m.group()):04X}>"
