"""Vietnamese text analysis shared by every search backend, the in-memory fake and the benchmarks.

- NFC first: decomposed input (Word, macOS, legacy fonts) must not split a syllable (“quyê” + “́t”).
- Lowercase ``\\w+`` syllables; no word segmentation (measured in docs/decisions/0003-search.md: it did not help).
- A folded form: every diacritic removed and đ→d, so “nghi quyet” finds “Nghị quyết”; the exact form is kept
  beside it and boosted when the query itself carries diacritics.
- Syllable bigrams (“nghị_quyết”) score compound words without a dictionary.
- Document numbers and symbols are exact tokens in their own field: “57-NQ/TW”, “57nqtw”, “nq57”, “57nq”.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import pairwise

WORD_RE = re.compile(r"\w+")
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})

# “57-NQ/TW”, “30/2020/NĐ-CP”, “123/QĐ-BNV”, “02/2025/TT-BNV”, “15-CT/TU”, “44-KL/TW”
NUMBER_SYMBOL_RE = re.compile(
    r"(?<![\w/-])(\d{1,5})(?:/(\d{4}))?\s*[-/]\s*([A-ZĐa-zđ][A-ZĐa-zđ0-9]{0,9}(?:[-/][A-ZĐa-zđ0-9]{1,12}){0,3})(?![\w/-])"
)
# “nq57”, “NQ-57”, “qd 123” typed as a shortcut: a known type abbreviation glued to a number
SHORT_NUMBER_RE = re.compile(r"(?<!\w)([A-ZĐa-zđ]{2,4})\s?-?\s?(\d{1,5})(?!\w)")
# “57nqtw”, “57nq”: the compact spelling typed without separators
COMPACT_NUMBER_RE = re.compile(r"(?<!\w)\d{1,5}[A-ZĐa-zđ]{2,}[A-ZĐa-zđ0-9]*(?!\w)")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


class _FoldTable(dict[int, str]):
    """One character → its folded character, computed once per character: ``str.translate`` then folds a long
    body in C (measured: a tantivy query at 100k documents 15.9 → 7.6 ms, most of it highlighting)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch.translate(_FOLD_EXTRA))
        stripped = "".join(c for c in base if not unicodedata.combining(c))
        self[code] = folded = stripped[:1] or ch
        return folded


_FOLD_TABLE = _FoldTable({c: chr(c) for c in range(128)})


def fold(text: str) -> str:
    """Lowercase, no diacritics, đ→d. Maps each NFC character to exactly one character, so offsets in the folded
    text are offsets in the original (highlighting relies on it)."""
    return nfc(text).lower().translate(_FOLD_TABLE)


def has_diacritics(text: str) -> bool:
    t = nfc(text).lower()
    return fold(t) != t


def syllables(text: str) -> list[str]:
    """Lowercase NFC syllables (the exact field)."""
    return WORD_RE.findall(nfc(text).lower())


def folded_syllables(text: str) -> list[str]:
    return WORD_RE.findall(fold(text))


def bigrams(tokens: list[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in pairwise(tokens)]


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", fold(text))


def _number_forms(number: str, symbol: str) -> list[str]:
    """The compact spelling (“57nqtw”, “302020ndcp”) and the type shortcuts (“nq57”, “57nq”; “nd30”)."""
    kind = next((p for p in re.split(r"[-/]", fold(symbol)) if p.isalpha()), "")
    forms = [f"{kind}{number}", f"{number}{kind}"] if kind else []
    return forms


def number_tokens(number_symbol: str) -> list[str]:
    """Index tokens of a document's số, ký hiệu: every spelling a user may type for it."""
    text = nfc(number_symbol).strip()
    m = NUMBER_SYMBOL_RE.search(text)
    if not m:
        compact = re.sub(r"[^0-9a-z]", "", fold(text))
        return [compact] if compact else []
    return list(dict.fromkeys([_compact(m[0]), *_number_forms(m[1], m[3])]))


def query_numbers(query: str) -> list[str]:
    """Number tokens found in a query: full forms (“57-NQ/TW”, “30/2020/NĐ-CP”) and shortcuts (“nq57”, “NQ 57”).
    Each returned token is one an indexed ``number_tokens`` list may contain."""
    text = nfc(query)
    found: list[str] = []
    for m in NUMBER_SYMBOL_RE.finditer(text):
        found.append(_compact(m[0]))
    for m in COMPACT_NUMBER_RE.finditer(text):
        found.append(_compact(m[0]))
    for m in SHORT_NUMBER_RE.finditer(text):
        kind = fold(m[1])
        if kind.isalpha():
            found.append(f"{kind}{m[2]}")
    return list(dict.fromkeys(found))


def is_number_lookup(query: str) -> bool:
    """True when the whole query is one document number (“57-NQ/TW”, “30/2020/NĐ-CP”): jump straight to it."""
    text = nfc(query).strip()
    m = NUMBER_SYMBOL_RE.fullmatch(text)
    return m is not None


def join(parts: Iterable[str | None]) -> str:
    return "\n".join(p for p in parts if p)
