"""Synthetic mixed Chinese/English pages for the search benchmarks (deterministic, Zipf-distributed words)."""

from __future__ import annotations

import random
from collections.abc import Iterator

import numpy as np

_ENGLISH_TOP = ("the of and to in is was for on that with as by at from this be are or an which have not but "
                "had his they were their has been one all we there can more will would who its about into "
                "only other new some could time these two may then first any people like over such our "
                "camp training centre points system escapes police village county report transfer family "
                "education list reason released detained prayer passport relatives abroad").split()
_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwyz" for v in ("a", "e", "i", "o", "u", "ai", "ou", "an", "er")]


class Corpus:
    """A Chinese lexicon of 1-4 character words over 3,500 characters and an English lexicon of 20,000
    words, both drawn with Zipf frequencies, so that common characters and bigrams repeat as in real text."""

    def __init__(self, seed: int = 7) -> None:
        rng = random.Random(seed)
        pool = list(range(0x4E00, 0x9FA6))
        rng.shuffle(pool)
        self.chars = [chr(c) for c in pool[:3500]]
        char_w = 1 / np.arange(1, len(self.chars) + 1) ** 1.0
        char_p = char_w / char_w.sum()
        nprng = np.random.default_rng(seed)
        lengths = nprng.choice([1, 2, 3, 4], size=60_000, p=[0.15, 0.6, 0.15, 0.1])
        idx = nprng.choice(len(self.chars), size=int(lengths.sum()), p=char_p)
        words, i = [], 0
        for n in lengths:
            words.append("".join(self.chars[j] for j in idx[i:i + n]))
            i += n
        self.zh_words = list(dict.fromkeys(words))
        en = list(_ENGLISH_TOP)
        while len(en) < 20_000:
            en.append("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))))
        self.en_words = list(dict.fromkeys(en))
        self._zh_p = self._zipf(len(self.zh_words))
        self._en_p = self._zipf(len(self.en_words))
        self.rng = nprng

    @staticmethod
    def _zipf(n: int, s: float = 1.05) -> np.ndarray:
        w = 1 / np.arange(1, n + 1) ** s
        return np.cumsum(w / w.sum())

    def pages(self, n: int, chars: int = 1000) -> Iterator[str]:
        """`n` pages of about `chars` characters: Chinese sentences with English passages between them."""
        rng = self.rng
        for _ in range(n):
            zh = np.searchsorted(self._zh_p, rng.random(chars // 2))
            en = np.searchsorted(self._en_p, rng.random(chars // 10))
            out: list[str] = []
            size, zi, ei = 0, 0, 0
            while size < chars and zi < len(zh) - 12 and ei < len(en) - 8:
                k = int(rng.integers(4, 12))
                s = "".join(self.zh_words[j] for j in zh[zi:zi + k]) + "，。"[int(rng.integers(0, 2))]
                zi += k
                out.append(s)
                size += len(s)
                if rng.random() < 0.3:
                    k = int(rng.integers(3, 8))
                    e = " " + " ".join(self.en_words[j] for j in en[ei:ei + k]) + ". "
                    ei += k
                    out.append(e)
                    size += len(e)
            yield "".join(out)
