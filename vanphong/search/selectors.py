"""Searches as a user: every read goes through ``viewer_for(user)``, so trimming is never forgotten."""

from __future__ import annotations

import time
from typing import Any

from .analysis import is_number_lookup
from .backends import get_backend
from .base import SearchHit, SearchQuery, SearchResult
from .sources import viewer_for


def search_documents(user: Any, query: SearchQuery) -> SearchResult:
    """Ranked, filtered, faceted results the user may read. Raises ``SearchUnavailable`` when the index
    cannot be read."""
    started = time.perf_counter()
    result = get_backend().search(query, viewer_for(user))
    result.took_ms = round((time.perf_counter() - started) * 1000, 1)
    return result


def number_lookup(user: Any, text: str) -> SearchHit | None:
    """When ``text`` is exactly one document number (“57-NQ/TW”) and exactly one readable document carries it,
    that document: the search box jumps straight to it."""
    if not is_number_lookup(text):
        return None
    result = get_backend().search(
        SearchQuery(text=text, limit=2, facets=False, highlight=False), viewer_for(user)
    )
    exact = [h for h in result.hits if _same_number(h.number_symbol, text)]
    return exact[0] if len(exact) == 1 else None


def _same_number(a: str, b: str) -> bool:
    from .analysis import number_tokens

    return bool(a) and number_tokens(a)[:1] == number_tokens(b)[:1]


def similar_documents(user: Any, key: str, *, limit: int = 5) -> list[SearchHit]:
    return get_backend().similar(key, viewer_for(user), limit=limit)


def suggestions(user: Any, prefix: str, *, limit: int = 8) -> list[SearchHit]:
    if len(prefix.strip()) < 2:
        return []
    return get_backend().suggest(prefix, viewer_for(user), limit=limit)
