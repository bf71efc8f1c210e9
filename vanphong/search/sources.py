"""What gets indexed, and who may read it. Each domain app registers a ``Source`` (in its ``AppConfig.ready``):
how to list its ids, how to turn ids into ``SearchRecord``s (with ``acl`` tokens), and which tokens a user holds.

The tokens mirror the app's own access rules (``registry.access``), one token per rule, so the index enforces in
the query exactly what the pages enforce: e.g. ``reg:<unit id>`` on a document for every unit above (and
including) its register, held by users with a register role over that unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .base import SearchRecord, Viewer


@dataclass(frozen=True)
class Source:
    kind: str
    label: str  # "Văn bản đến"
    ids: Callable[[], Iterable[int]]  # every id that should be in the index
    records: Callable[[list[int]], list[SearchRecord]]  # ids that no longer exist are simply absent
    principals: Callable[[Any], set[str]]  # the tokens a (non-superuser) user holds for this source


_SOURCES: dict[str, Source] = {}


def register_source(source: Source) -> None:
    _SOURCES[source.kind] = source


def get_source(kind: str) -> Source:
    try:
        return _SOURCES[kind]
    except KeyError:
        raise KeyError(f"no search source {kind!r}; known: {', '.join(sorted(_SOURCES))}") from None


def all_sources() -> list[Source]:
    return [_SOURCES[k] for k in sorted(_SOURCES)]


def viewer_for(user: Any) -> Viewer:
    """The principals and clearance of ``user``: ``principals=None`` for a superuser (reads everything), no
    principal at all for an anonymous or inactive user."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Viewer(frozenset(), 0)
    if user.is_superuser:
        return Viewer(None, int(user.clearance or 0))
    tokens: set[str] = set()
    for source in all_sources():
        tokens |= source.principals(user)
    return Viewer(frozenset(tokens), int(user.clearance or 0))
