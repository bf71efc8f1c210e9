"""What every backend shares: how a query is read (terms, numbers, AND or OR), the stopwords, and turning raw
matches into hits with highlights. Keeping this in one place is what makes the backends agree."""

from __future__ import annotations

import re

from ..analysis import (
    bigrams,
    fold,
    folded_syllables,
    has_diacritics,
    is_number_lookup,
    query_numbers,
    syllables,
)
from ..base import SearchHit, SearchQuery
from ..highlight import mark, query_terms, snippet

# Up to this many content words every word must match (what a person typing a few words expects); a longer
# question matches on any of its words and relies on ranking (BM25 with bigrams), as in the ALQAC benchmark.
MAX_AND_TERMS = 4

# Question words and particles that carry no topic; dropped from long queries only (tuned on retrieval-dev).
STOPWORDS = frozenset(
    [
        "a",
        "ai",
        "bao",
        "bi",
        "cac",
        "cai",
        "cho",
        "chu",
        "co",
        "cua",
        "da",
        "dang",
        "duoc",
        "gi",
        "hay",
        "hoac",
        "khi",
        "khong",
        "la",
        "lam",
        "luc",
        "ma",
        "may",
        "minh",
        "mot",
        "nao",
        "neu",
        "nguoi",
        "nhu",
        "nhung",
        "nay",
        "o",
        "phai",
        "ra",
        "roi",
        "sao",
        "se",
        "tai",
        "the",
        "theo",
        "thi",
        "trong",
        "tu",
        "va",
        "ve",
        "vi",
        "voi",
        "ban",
        "hoi",
        "xin",
        "cam",
        "on",
        "dung",
        "sai",
    ]
)


_TYPE_ABBRS: dict[str, set[str]] | None = None


def type_abbreviations() -> dict[str, set[str]]:
    """Folded document-type names → their folded abbreviations, from the catalogue (``catalogs.DocumentType``,
    rules as data): “nghi quyet” → {“nq”}. Read once per process; empty when the catalogue cannot be read."""
    global _TYPE_ABBRS
    if _TYPE_ABBRS is None:
        from django.db import DatabaseError

        from vanphong.catalogs.models import DocumentType

        table: dict[str, set[str]] = {}
        try:
            for name, party, state in DocumentType.objects.values_list("name", "party_abbr", "state_abbr"):
                key = " ".join(folded_syllables(name.split("(")[0]))
                table.setdefault(key, set()).update(fold(a) for a in (party, state) if a)
        except DatabaseError:
            return {}
        _TYPE_ABBRS = {k: v for k, v in table.items() if k and v}
    return _TYPE_ABBRS


def typed_numbers(text: str) -> list[str]:
    """“nghị quyết 57”, “Quyết định số 123” → the short number tokens “nq57”, “qd123” (indexed for every
    document whose số, ký hiệu has that type and number)."""
    folded = " ".join(folded_syllables(text))
    out: list[str] = []
    for name, abbrs in type_abbreviations().items():
        for m in re.finditer(rf"(?<!\w){re.escape(name)}\s+(?:so\s+)?(\d{{1,5}})(?!\w)", folded):
            out += [f"{a}{m[1]}" for a in sorted(abbrs)]
    return out


PHRASE_RE = re.compile(r'"([^"]+)"|“([^”]+)”')


class ParsedQuery:
    """The parts of a typed query every backend uses.

    - ``phrases``: each quoted part (“…” or "…") as folded syllables; a record must hold each phrase, in order,
      in its title or its body (``"chuyen doi so"`` does not match “số chuyển đổi”).
    - ``numbers``: document-number tokens (``analysis.query_numbers``); a record carrying one matches.
    - ``folded``: the content syllables; all required for a short query, any for a long question.
    - ``exact`` / ``exact_bigrams``: the accented forms, scored higher when the user typed diacritics.
    """

    def __init__(self, text: str):
        self.text = text or ""
        self.phrases = [
            words
            for m in PHRASE_RE.finditer(self.text)
            if len(words := folded_syllables(m[1] or m[2] or "")) > 0
        ]
        self.numbers = list(dict.fromkeys(query_numbers(self.text) + typed_numbers(self.text)))
        self.number_only = is_number_lookup(self.text)
        self.accented = has_diacritics(self.text)
        folded = folded_syllables(self.text)
        exact = syllables(self.text)
        if len(folded) > MAX_AND_TERMS:
            keep = [i for i, t in enumerate(folded) if t not in STOPWORDS] or list(range(len(folded)))
            self.all_required = False
        else:
            keep = list(range(len(folded)))
            self.all_required = True
        self.folded = [folded[i] for i in keep]
        # exact tokens only where they differ from the folded ones: those carry the diacritic signal
        self.exact = (
            [exact[i] for i in keep if i < len(exact) and exact[i] != folded[i]] if self.accented else []
        )
        self.folded_bigrams = bigrams(folded)
        self.exact_bigrams = bigrams(exact) if self.accented else []
        self.highlight_terms = query_terms(self.text)

    @property
    def empty(self) -> bool:
        return not self.folded and not self.numbers and not self.phrases


def decorate(hit: SearchHit, body: str, query: SearchQuery, parsed: ParsedQuery) -> SearchHit:
    """Fill ``title_html`` and ``snippet_html`` (escaped; matches in <mark>)."""
    if query.highlight:
        hit.title_html = mark(hit.title, parsed.highlight_terms)
        hit.snippet_html = snippet(body, parsed.highlight_terms)
    return hit
