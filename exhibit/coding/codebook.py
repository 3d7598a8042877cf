"""The codebook: categories of stated reasons, their labels, definitions, citations and matching rules."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from exhibit.errors import UserError
from exhibit.text.script import Script, has_script

DEFAULT_IDS = ("family_planning", "religious_practice", "religious_dress", "travel_abroad", "relatives_abroad",
               "contact_abroad", "phone_internet", "untrustworthy", "petitioning", "extremist_media")
_CLAUSE_SPLIT = re.compile(r"[;,、。/|\n\r]+")      # after NFKC: ；→; ，→,
_LATIN_MARKS = re.compile("[\u0300-\u036f]")       # Latin combining diacritics only; Arabic marks stay
_VOCAB_REF = re.compile(r"\{([a-z_]+)\}")


@cache
def _t2s() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


def normalise(text: str) -> str:
    """The form rules are matched against: half-width, simplified Chinese, case-folded, no Latin accents."""
    s = unicodedata.normalize("NFKC", text)
    if has_script(s, Script.HANI):
        s = str(_t2s().convert(s))
    s = unicodedata.normalize("NFD", s.casefold())
    return unicodedata.normalize("NFC", _LATIN_MARKS.sub("", s)).strip()


def clauses(reason: str) -> list[str]:
    """A reason split where registers join several reasons (；，、 ...), normalised."""
    return [c for c in (x.strip() for x in _CLAUSE_SPLIT.split(normalise(reason))) if c]


@dataclass(frozen=True)
class Pattern:
    text: str                   # as written in the codebook, with {vocabulary} names: what `why` shows
    regex: re.Pattern[str]      # vocabularies expanded, folded like the reasons

    def search(self, clause: str) -> bool:
        return self.regex.search(clause) is not None


@dataclass(frozen=True)
class Category:
    id: str
    labels: dict[str, str]
    definition: str
    citations: tuple[str, ...]
    keywords: tuple[str, ...]             # normalised
    patterns: tuple[Pattern, ...]
    unless: tuple[Pattern, ...]

    @property
    def en(self) -> str:
        return self.labels.get("en", self.id)

    @property
    def zh(self) -> str:
        return self.labels.get("zh", "")

    def match(self, clause: str) -> str | None:
        """The rule that puts a normalised clause in this category (for the record), or None."""
        rule = next((f"keyword:{k}" for k in self.keywords if k in clause), None)
        if rule is None:
            rule = next((f"pattern:{p.text}" for p in self.patterns if p.search(clause)), None)
        if rule is None or any(u.search(clause) for u in self.unless):
            return None
        return rule


@dataclass(frozen=True)
class Codebook:
    name: str
    version: str
    source: str                    # the file it was read from, or "default"
    sha256: str                    # of the YAML bytes: which codebook coded what
    categories: tuple[Category, ...]
    citations: dict[str, str]
    text: str                      # the YAML itself, stored with each run so results can be re-derived

    def ids(self) -> list[str]:
        return [c.id for c in self.categories]

    def category(self, cid: str) -> Category:
        for c in self.categories:
            if c.id == cid:
                return c
        raise UserError(f"{cid!r} is not a category of the codebook {self.source} "
                        f"(categories: {', '.join(self.ids())}).")

    def code(self, reason: str) -> list[tuple[str, str]]:
        """[(category id, rule that matched)] for a verbatim reason, in codebook order; [] if none."""
        found: dict[str, str] = {}
        for clause in clauses(reason):
            for c in self.categories:
                if c.id not in found and (rule := c.match(clause)) is not None:
                    found[c.id] = rule
        return [(c.id, found[c.id]) for c in self.categories if c.id in found]


def default_codebook_bytes() -> bytes:
    return resources.files("exhibit.coding").joinpath("codebook.yaml").read_bytes()


def load_codebook(path: Path | None = None) -> Codebook:
    """The codebook in `path`, or the default one shipped with exhibit."""
    if path is None:
        return parse_codebook(default_codebook_bytes(), "default")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UserError(f"{path}: cannot read the codebook ({e.strerror}). Give a readable YAML file "
                        "to --codebook, or leave it out to use the default codebook.") from e
    return parse_codebook(data, str(path))


def _fail(source: str, what: str) -> UserError:
    return UserError(f"{source}: {what}. See exhibit/coding/codebook.yaml for the expected layout.")


def _strings(v: Any, source: str, where: str) -> list[str]:
    if v is None:
        return []
    if not isinstance(v, list) or not all(isinstance(x, str | int | float) for x in v):
        raise _fail(source, f"{where} must be a list of strings")
    return [str(x) for x in v]


def _compile(pattern: str, vocab: dict[str, str], source: str, where: str) -> Pattern:
    def expand(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in vocab:
            raise _fail(source, f"{where}: the pattern {pattern!r} names an unknown vocabulary {{{name}}} "
                        f"(known: {', '.join(sorted(vocab)) or 'none'})")
        return vocab[name]

    text = _VOCAB_REF.sub(expand, pattern)
    if has_script(text, Script.HANI):  # Chinese in a pattern is folded as the reasons are
        text = str(_t2s().convert(unicodedata.normalize("NFKC", text)))
    try:
        return Pattern(pattern, re.compile(text, re.IGNORECASE))
    except re.error as e:
        raise _fail(source, f"{where}: the pattern {pattern!r} is not a valid regular expression ({e})") from e


def parse_codebook(data: bytes, source: str) -> Codebook:
    """Parse and compile a codebook; the same bytes give the same (immutable) codebook object."""
    return _parse(data, source)


@lru_cache(maxsize=16)
def _parse(data: bytes, source: str) -> Codebook:
    try:
        doc = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise _fail(source, f"not a valid UTF-8 YAML file ({e})") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("categories"), list) or not doc["categories"]:
        raise _fail(source, "the codebook needs a non-empty list `categories`")
    vocab: dict[str, str] = {}
    for name, words in (doc.get("vocabularies") or {}).items():
        items = sorted({normalise(w) for w in _strings(words, source, f"vocabularies.{name}")}, key=len,
                       reverse=True)
        vocab[str(name)] = "(?:" + "|".join(re.escape(w) for w in items) + ")"
    cats: list[Category] = []
    for n, c in enumerate(doc["categories"], start=1):
        if not isinstance(c, dict) or not isinstance(c.get("id"), str) or not c["id"].strip():
            raise _fail(source, f"category {n} has no `id`")
        cid = c["id"].strip()
        if cid in {x.id for x in cats}:
            raise _fail(source, f"the category id {cid!r} appears twice")
        labels = c.get("labels") or {}
        if not isinstance(labels, dict):
            raise _fail(source, f"{cid}: `labels` must map a language to a label, e.g. {{en: ..., zh: ...}}")
        rules = c.get("rules") or {}
        if not isinstance(rules, dict):
            raise _fail(source, f"{cid}: `rules` must have `keywords`, `patterns` and/or `unless`")
        where = f"category {cid}"
        keywords = tuple(k for k in (normalise(w) for w in _strings(rules.get("keywords"), source,
                                                                     f"{where}: rules.keywords")) if k)
        patterns = tuple(_compile(p, vocab, source, where)
                         for p in _strings(rules.get("patterns"), source, f"{where}: rules.patterns"))
        unless = tuple(_compile(p, vocab, source, where)
                       for p in _strings(rules.get("unless"), source, f"{where}: rules.unless"))
        cats.append(Category(id=cid, labels={str(k): str(v) for k, v in labels.items()},
                             definition=str(c.get("definition") or "").strip(),
                             citations=tuple(_strings(c.get("citations"), source, f"{where}: citations")),
                             keywords=keywords, patterns=patterns, unless=unless))
    return Codebook(name=str(doc.get("name") or source), version=str(doc.get("version") or ""), source=source,
                    sha256=hashlib.sha256(data).hexdigest(), categories=tuple(cats),
                    citations={str(k): str(v).strip() for k, v in (doc.get("citations") or {}).items()},
                    text=data.decode("utf-8"))
