"""The tsqueries of a typed query and the statistics-based access cost model."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from ...analysis import folded_syllables
from ...base import (
    Viewer,
)
from ..common import ParsedQuery
from .vectors import ACL_PREFIX, BIGRAM_SEP, NUMBER_PREFIX, UNPAIRED, _quote

# the access cost model (µs; measured between 100k rows, warm, and 1M rows, 10 GB, OS cache): a row read in
# table order and tested, a posting walked by a GIN scan, a row fetched from a bitmap and tested
SEQ_ROW_US = 1.5
GIN_ITEM_US = 0.4
HEAP_ROW_US = 5.0
TIER_BUDGET_US = (
    8000  # the title tier is skipped when estimated dearer (very common title words, large index)
)
PHRASE_SHARE = 0.1  # of the rows holding a phrase's words, those holding them in order (a guess)


def _q(lexeme: str, weights: str = "", prefix: bool = False) -> str:
    suffix = ("*" if prefix else "") + weights
    return _quote(lexeme) + (":" + suffix if suffix else "")


def _or(items: Iterable[str]) -> str:
    return " | ".join(dict.fromkeys(items))


class _Plan:
    """The tsqueries of one typed query (``ParsedQuery`` semantics, as the fake's ``_matches``)."""

    def __init__(self, p: ParsedQuery):
        self.p = p
        phrases = " & ".join("(" + " <-> ".join(_q(w, "AD") for w in words) + ")" for words in p.phrases)
        self.numbers = _or(_q(NUMBER_PREFIX + n) for n in p.numbers)
        joiner = " & " if p.all_required else " | "
        self.terms = joiner.join(dict.fromkeys(_q(t) for t in p.folded))
        inner = ""
        if p.numbers:
            inner = self.numbers if (p.number_only or not p.folded) else f"({self.numbers}) | ({self.terms})"
        elif p.folded:
            inner = self.terms
        self.match = " & ".join(f"({x})" for x in (phrases, inner) if x)
        self.rank = _or(_q(t) for t in p.folded)  # first stage, on ``tsv``
        # second stage, on ``xtsv``: the accented syllables typed and the query bigrams (as
        # ``ParsedQuery.folded_bigrams``: every syllable, stopwords too; our separator)
        words = folded_syllables(p.text)
        pairs = [f"{a}{BIGRAM_SEP}{b}" for a, b in pairwise(words)]
        self.extra = _or(_q(t) for t in [*p.exact, *pairs])
        # the bigrams every phrase needs (title or body: ``xtsv``'s GIN index), a cheap first filter
        self.phrase_pairs = list(
            dict.fromkeys(f"{a}{BIGRAM_SEP}{b}" for w in p.phrases for a, b in pairwise(w))
        )
        self.pairs = (
            f"({' & '.join(_q(t) for t in self.phrase_pairs)}) | {_q(UNPAIRED)}" if self.phrase_pairs else ""
        )

    def selectivity(self, freq: Callable[[str], float]) -> tuple[float, float, float]:
        """Estimated shares of rows from lexeme frequencies (words independent): (matching, returned by the
        GIN index before phrases are checked on the row, postings the GIN index walks)."""
        p = self.p

        def all_of(fs: list[float]) -> float:
            return math.prod(fs) if fs else 1.0

        def any_of(fs: list[float]) -> float:
            return 1.0 - math.prod(1.0 - f for f in fs) if fs else 0.0

        terms = [freq(t) for t in dict.fromkeys(p.folded)]
        numbers = [freq(NUMBER_PREFIX + n) for n in p.numbers]
        if p.numbers and (p.number_only or not p.folded):
            found, walked = any_of(numbers), sum(numbers)
        elif p.numbers:
            found = any_of([any_of(numbers), all_of(terms) if p.all_required else any_of(terms)])
            walked = sum(numbers) + (min(terms) if p.all_required else sum(terms))
        elif p.folded:
            found = all_of(terms) if p.all_required else any_of(terms)
            walked = min(terms) if p.all_required else sum(terms)
        else:
            found, walked = 1.0, 1.0
        if p.phrases:
            required = set(p.folded) if p.all_required else set()
            extra = {w for words in p.phrases for w in words} - required
            found *= all_of([freq(w) for w in extra])
            walked = min(walked, *(freq(w) for words in p.phrases for w in words))
        return found * PHRASE_SHARE ** len(p.phrases), found, walked

    @property
    def tier(self) -> str:
        """Every word in the title or metadata: the first tier of candidates when the match set is capped."""
        return self.terms if self.terms and not self.p.phrases and not self.p.numbers else ""


@dataclass
class _Access:
    mode: str  # "scan" | "acl" | "words" | "pairs" | "planner": see PostgresBackend._access
    readable: float = 1.0  # estimated share of rows the viewer may read
    tier: bool = True  # whether the title tier is worth its cost


@dataclass
class _Statistics:
    loaded_at: float
    rows: float = 0.0
    pairs_index: bool = True  # ``xtsv``'s GIN index exists (a database migrated before it was added: no)
    freqs: dict[str, dict[str, float]] = field(default_factory=dict)  # column → element → share of rows
    floors: dict[str, float] = field(default_factory=dict)  # an element not listed: at most this share


def _with_acl(tsquery: str, viewer: Viewer) -> str:
    """``tsquery`` restricted to the viewer's principals, inside the GIN scan: the principals are rare next to
    common words, so GIN's fast scan walks their postings and only skips through the words' ones (3 common
    words for an office reading 2 % of 1M rows: 20 ms instead of 85 ms, and 2,300 rows instead of 113,000).
    The ``acl &&`` condition stays in the WHERE as well."""
    if viewer.principals is None:
        return tsquery
    principals = _or(_q(ACL_PREFIX + p) for p in sorted(viewer.principals))
    return f"({tsquery}) & ({principals})" if tsquery else principals
