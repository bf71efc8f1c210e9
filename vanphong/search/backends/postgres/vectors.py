"""tsvectors built in Python, sent to PostgreSQL in binary (see the package docstring for the layout)."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

from psycopg.adapt import Dumper
from psycopg.pq import Format

from ...analysis import WORD_RE, fold, nfc, number_tokens
from ...base import (
    FACETS,
    SearchRecord,
    facet_key,
    facet_term,
)

BIGRAM_SEP = "~"  # never inside a \w+ syllable
UNPAIRED = BIGRAM_SEP  # the lexeme of an ``xtsv`` that holds no body bigrams (a very long body)
NUMBER_PREFIX = "#"
ACL_PREFIX = "@"  # the record's ACL tokens are lexemes too: the GIN scan trims (see ``_with_acl``)
MAX_POSITION = 16383  # PostgreSQL's limit
MAX_POSITIONS_PER_LEXEME = 256  # PostgreSQL's limit
MAX_LEXEME_CHARS = 200  # PostgreSQL refuses lexemes over 2 kB; nobody searches for longer words
TSV_BUDGET = 900_000  # bytes, under PostgreSQL's 1 MB tsvector limit


# --- analysis: tsvector and tsquery literals built in Python -------------------------------------------------


def _quote(lexeme: str) -> str:
    if "'" in lexeme or "\\" in lexeme:
        lexeme = lexeme.replace("\\", "\\\\").replace("'", "''")
    return f"'{lexeme}'"


class _NotOneToOne(ValueError):
    pass


class _FoldTable(dict[int, str]):
    """``analysis.fold`` one character at a time, cached: ``str.translate`` with it folds a long body in C.
    A character whose fold is not that of the character alone in ``fold`` (never met in practice) makes the
    caller fall back to ``analysis.fold`` itself, so the result is always exactly ``fold(text)``."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = fold(ch)
        if nfc(ch).lower() != ch or len(folded) != 1:
            raise _NotOneToOne(ch)
        self[code] = folded
        return folded


_FOLD = _FoldTable({c: chr(c) for c in range(128)})


def _tokens(text: str) -> list[tuple[str, str]]:
    """(folded, exact) syllable pairs: ``fold`` maps each character of ``nfc(text).lower()`` to one character,
    so the spans found in the folded text cut the exact syllables from the lowercased text."""
    lower = nfc(text).lower()
    try:
        folded = lower.translate(_FOLD)
    except _NotOneToOne:
        folded = fold(text)
    return [(m[0], lower[m.start() : m.end()]) for m in WORD_RE.finditer(folded)]


WEIGHT_BITS = {"A": 3 << 14, "B": 2 << 14, "C": 1 << 14, "D": 0}  # WordEntryPos: weight in the top two bits
POSITION_MASK = (1 << 14) - 1


class _Vector:
    """A tsvector under construction: lexeme → [WordEntryPos, …] (position | weight bits), in increasing position
    (every caller adds in increasing position), sent in PostgreSQL's binary form (``tsvectorrecv``): no parsing
    on the server, which is what made the text form cost ~0.4 ms a row."""

    def __init__(self, lexemes: dict[str, list[int]] | None = None) -> None:
        self.lexemes: dict[str, list[int]] = {k: list(v) for k, v in (lexemes or {}).items()}

    def add_text(
        self,
        tokens: Sequence[tuple[str, str]],
        start: int,
        weight: str,
        *,
        folded: bool = True,
        exact: bool = True,
        pairs: bool = False,
    ) -> None:
        lexemes, w = self.lexemes, WEIGHT_BITS[weight]
        get = lexemes.get
        if start + len(tokens) < MAX_POSITION:
            entries = [pos | w for pos in range(start, start + len(tokens))]
        else:
            entries = [min(pos, MAX_POSITION) | w for pos in range(start, start + len(tokens))]
        for entry, (f, _e) in zip(entries, tokens, strict=True) if folded else ():
            found = get(f)
            if found is None:
                lexemes[f] = [entry]
            else:
                found.append(entry)
        if exact:
            for entry, (f, e) in zip(entries, tokens, strict=True):
                if e != f:
                    found = get(e)
                    if found is None:
                        lexemes[e] = [entry]
                    else:
                        found.append(entry)
        if pairs:
            for entry, (a, _), (b, _) in zip(entries, tokens, tokens[1:], strict=False):
                pair = f"{a}{BIGRAM_SEP}{b}"  # at the position of its first syllable
                found = get(pair)
                if found is None:
                    lexemes[pair] = [entry]
                else:
                    found.append(entry)

    def add(self, lexeme: str, position: int, weight: str) -> None:
        self.add_text([(lexeme, lexeme)], position, weight)

    def size(self) -> int:
        return sum(
            len(lex) * 2 + 8 + 2 * min(len(e), MAX_POSITIONS_PER_LEXEME) for lex, e in self.lexemes.items()
        )

    @staticmethod
    def _clean(entries: list[int]) -> list[int]:
        """Positions strictly increasing (clamping repeats 16,383), at most 256 of them."""
        if entries[-1] & POSITION_MASK >= MAX_POSITION - 1:
            out: list[int] = []
            for e in entries:
                if not out or (e & POSITION_MASK) > (out[-1] & POSITION_MASK):
                    out.append(e)
            entries = out
        return entries[:MAX_POSITIONS_PER_LEXEME]

    def _items(self) -> list[tuple[str, list[int]]]:
        return [(lex, e) for lex, e in self.lexemes.items() if len(lex) <= MAX_LEXEME_CHARS]

    def binary(self, *, positions: bool = True) -> bytes:
        items = self._items()
        out = [struct.pack("!i", len(items))]
        append, one, pack = out.append, _ONE_POSITION.pack, struct.pack
        for lex, entries in items:
            n = len(entries)
            if not positions:
                append(lex.encode() + b"\0\0\0")
            elif n == 1:
                append(lex.encode() + b"\0" + one(1, entries[0]))
            else:
                if n > MAX_POSITIONS_PER_LEXEME or entries[-1] & POSITION_MASK >= MAX_POSITION - 1:
                    entries = self._clean(entries)
                    n = len(entries)
                append(lex.encode() + b"\0" + pack(f"!H{n}H", n, *entries))
        return b"".join(out)

    def literal(self) -> str:
        """The text form (tests, debugging)."""
        weights = {v >> 14: k for k, v in WEIGHT_BITS.items()}
        return " ".join(
            f"{_quote(lex)}:"
            + ",".join(f"{e & POSITION_MASK}{weights[e >> 14]}" for e in self._clean(entries))
            for lex, entries in self._items()
        )


_ONE_POSITION = struct.Struct("!HH")


class _Tsvector(bytes):
    """A tsvector in binary form, sent as a binary parameter of type tsvector."""


class _TsvectorDumper(Dumper):
    format = Format.BINARY
    oid = 3614  # tsvector, a fixed catalogue oid

    def dump(self, obj: Any) -> bytes:
        return bytes(obj)


def _vectors(r: SearchRecord) -> tuple[_Tsvector, _Tsvector, _Tsvector]:
    """``head``, ``tsv`` and ``xtsv`` of a record (see the module docstring for the layout)."""
    title = _tokens(r.title)
    number = _tokens(r.number_symbol)
    numbers = [NUMBER_PREFIX + t for t in number_tokens(r.number_symbol)]
    doc_type, issuer, signer = (_tokens(t) for t in (r.doc_type, r.issuer, r.signer))
    body = _tokens(r.body)
    tsv, head, extra = _Vector(), _Vector(), _Vector()
    acl = [ACL_PREFIX + a for a in sorted(r.acl)]
    for vector, meta_weight in ((tsv, "C"), (head, "D")):  # ``head``: tên loại at D, for suggestions
        vector.add_text(title, 1, "A", exact=False)
        pos = len(title) + 2
        for t in (*numbers, *acl):
            vector.add(t, pos, "B")
        vector.add_text(number, pos, "B", exact=False)
        pos += len(number) + 1
        vector.add_text(doc_type, pos, meta_weight, exact=False)
        pos += len(doc_type) + 1
        for tokens in (issuer, signer):
            vector.add_text(tokens, pos, "C", exact=False)
            pos += len(tokens) + 1
    extra.add_text(title, 1, "A", folded=False, pairs=True)
    pos = len(title) + 2
    for t in acl:  # the principals here too: a phrase's bigrams are looked up with them (``_with_acl``)
        extra.add(t, pos, "B")
    extra.add_text(number, pos, "B", folded=False)
    pos += len(number) + 1
    for tokens in (doc_type, issuer, signer):
        extra.add_text(tokens, pos, "C", folded=False)
        pos += len(tokens) + 1
    tsv.add_text(body, pos, "D", exact=False)
    big = len(r.body) >= 40_000  # below that every vector is far under PostgreSQL's 1 MB
    pairs = not big or len(body) < MAX_POSITION
    extra.add_text(body, pos, "D", folded=False, pairs=pairs)
    if not pairs:  # a phrase looked up by its bigrams must still find this body (see ``_Plan.pairs``)
        extra.add(UNPAIRED, pos, "D")
    return (
        _Tsvector(head.binary()),
        _Tsvector(tsv.binary(positions=not big or tsv.size() <= TSV_BUDGET)),
        _Tsvector(extra.binary(positions=not big or extra.size() <= TSV_BUDGET)),
    )


def _facet_terms(r: SearchRecord) -> list[str | None]:
    """One element per facet, in ``FACETS`` order: ``"<facet>:<facet_term>"``, or NULL where the record does not
    count (an empty value; “not secret” does count)."""
    return [f"{f}:{_clean(facet_term(r, f))}" if facet_key(r, f) or f == "secrecy" else None for f in FACETS]


def _clean(text: str) -> str:
    return text.replace("\x00", "")  # PostgreSQL text cannot hold NUL
