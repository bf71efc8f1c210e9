"""Highlighting in Python on the original text, the same for every backend: the query's folded syllables are
found in the folded text (``analysis.fold`` keeps offsets), so “nghi quyet” marks “Nghị quyết”."""

from __future__ import annotations

import re

from django.utils.html import escape

from .analysis import fold, folded_syllables, nfc

SNIPPET_CHARS = 260


def query_terms(text: str) -> list[str]:
    return list(dict.fromkeys(t for t in folded_syllables(text) if t))


def _spans(folded: str, terms: list[str]) -> list[tuple[int, int]]:
    if not terms:
        return []
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")(?!\w)"
    )
    return [(m.start(), m.end()) for m in pattern.finditer(folded)]


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out: list[str] = []
    pos = start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        out.append(escape(text[pos:a]))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        pos = b
    out.append(escape(text[pos:end]))
    return "".join(out)


def mark(text: str, terms: list[str]) -> str:
    """The whole (short) text, escaped, with every match in <mark>."""
    text = nfc(text)
    return _render(text, _spans(fold(text), terms), 0, len(text))


def snippet(text: str, terms: list[str], size: int = SNIPPET_CHARS) -> str:
    """The window of about ``size`` characters holding the most distinct query terms, escaped, matches marked;
    the opening of the text when nothing matches."""
    text = " ".join(nfc(text).split())
    if not text:
        return ""
    folded = fold(text)
    spans = _spans(folded, terms)
    if not spans:
        end = min(len(text), size)
        return escape(text[:end]) + ("…" if end < len(text) else "")
    best, best_score = 0, -1
    for i, (a, _b) in enumerate(spans):
        window_end = a + size
        seen: set[str] = set()
        j = i
        while j < len(spans) and spans[j][1] <= window_end:  # spans are sorted and disjoint
            seen.add(folded[spans[j][0] : spans[j][1]])
            j += 1
        score = len(seen) * 100 + (j - i)
        if score > best_score:
            best, best_score = a, score
    start = max(0, best - size // 5)
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = min(len(text), start + size)
    while end < len(text) and not text[end - 1].isspace():
        end += 1
    html = _render(text, spans, start, end)
    return ("…" if start > 0 else "") + html + ("…" if end < len(text) else "")
