"""The search backend interface: what is indexed (``SearchRecord``), who asks (``Viewer``), what they ask
(``SearchQuery``) and what comes back (``SearchResult``).

Security trimming lives inside the query: every record carries ``acl`` tokens (who may read it, see
``vanphong.search.sources``) and a ``secrecy_rank``; a backend must match only records whose ``acl`` shares a token
with ``viewer.principals`` (unless ``viewer.principals is None``: a superuser) and whose ``secrecy_rank`` is at most
``viewer.clearance``. Counts, facets, snippets, suggestions and "similar documents" are computed over that trimmed
set only — never by filtering a page of results afterwards.

Backends: ``tantivy`` (default, an embedded index), ``postgres`` (PostgreSQL full text), ``fake`` (in memory, tests).
``vanphong.search.backends.conformance`` holds the behaviour every backend must show (tests run it on each).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Protocol

# the facet fields, in the order the results page shows them
FACETS = ("kind", "doc_type", "issuer", "unit", "year", "secrecy", "status")
SORTS = ("relevance", "date_desc", "date_asc")


@dataclass(frozen=True)
class SearchRecord:
    """One indexed item: the NĐ 30/2020 Phụ lục VI metadata that applies (DOMAIN §2.4) plus unit, độ mật, status,
    the text, and who may read it. ``key`` is ``"<kind>:<id>"``, unique across the index."""

    key: str
    kind: str  # "incoming" | "outgoing" | … (a registered source)
    kind_label: str  # "Văn bản đến"
    object_id: int
    url: str
    title: str  # trích yếu nội dung
    number_symbol: str = ""  # số, ký hiệu: "57-NQ/TW"
    doc_type: str = ""  # tên loại: "Nghị quyết"
    issuer: str = ""  # cơ quan, tổ chức ban hành
    signer: str = ""
    unit_id: int = 0  # the unit whose register holds it
    unit_label: str = ""
    doc_date: date | None = None  # ngày văn bản (else ngày đến / ngày đi)
    secrecy_rank: int = 0
    secrecy_label: str = ""  # "" when not secret
    status: str = ""
    status_label: str = ""
    body: str = ""  # full text (NFC), may be long
    extra: dict[str, str] = field(
        default_factory=dict
    )  # other Phụ lục VI fields shown on a hit (số đến, độ khẩn…)
    acl: frozenset[str] = (
        frozenset()
    )  # principals allowed to read (see sources.py); empty = nobody but superusers

    @property
    def year(self) -> int:
        return self.doc_date.year if self.doc_date else 0

    def fingerprint(self) -> str:
        """Changes whenever anything indexed changes: ``search check`` compares it with the index."""
        data = asdict(self)
        data["acl"] = sorted(self.acl)
        data["doc_date"] = self.doc_date.isoformat() if self.doc_date else ""
        raw = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Viewer:
    """Who is searching: ``principals`` (``None`` = every record, a superuser) and clearance (0 = none)."""

    principals: frozenset[str] | None
    clearance: int = 0

    def may_read(self, record: SearchRecord) -> bool:
        if record.secrecy_rank > self.clearance and self.principals is not None:
            return False
        return self.principals is None or bool(self.principals & record.acl)


@dataclass(frozen=True)
class SearchQuery:
    """``text`` as typed (with or without diacritics, may hold document numbers). Empty text lists everything
    the viewer may read, newest first. Filters combine with AND; values inside one filter with OR."""

    text: str = ""
    kinds: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    issuers: tuple[str, ...] = ()
    unit_ids: tuple[int, ...] = ()
    years: tuple[int, ...] = ()
    secrecy: tuple[str, ...] = ()  # secrecy labels; "" = not secret
    statuses: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"  # one of SORTS
    offset: int = 0
    limit: int = 20
    facets: bool = True
    highlight: bool = True


@dataclass
class SearchHit:
    key: str
    kind: str
    kind_label: str
    object_id: int
    url: str
    title: str
    number_symbol: str
    doc_type: str
    issuer: str
    unit_label: str
    doc_date: date | None
    secrecy_label: str
    status_label: str
    score: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)
    title_html: str = ""  # escaped, matches in <mark>
    snippet_html: str = ""  # escaped, matches in <mark>; "" when highlighting is off


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchResult:
    total: int  # exact number of readable matches (``total_exact`` False: at least this many)
    hits: list[SearchHit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    total_exact: bool = True
    took_ms: float = 0.0


@dataclass
class IndexStats:
    documents: int
    size_bytes: int | None = None


class SearchBackend(Protocol):
    """Everything a backend does. Writes are called only from jobs and commands (one writer at a time); reads
    from any web worker."""

    name: str

    def index(self, records: Iterable[SearchRecord]) -> int:
        """Add or replace records (by ``key``); returns how many were written. Visible to searches on return."""
        ...

    def delete(self, keys: Iterable[str]) -> int: ...

    def clear(self) -> None: ...

    def search(self, query: SearchQuery, viewer: Viewer) -> SearchResult: ...

    def similar(self, key: str, viewer: Viewer, *, limit: int = 5) -> list[SearchHit]:
        """Records like ``key`` that the viewer may read (never ``key`` itself). Empty when the viewer may not read
        ``key`` either: its words must not leak through its neighbours."""
        ...

    def suggest(self, prefix: str, viewer: Viewer, *, limit: int = 8) -> list[SearchHit]:
        """Titles for the search box as the user types (folded prefix match on the last word)."""
        ...

    def fingerprints(self, kind: str | None = None) -> Iterator[tuple[str, str]]:
        """Every (key, fingerprint) in the index, for ``search check``."""
        ...

    def stats(self) -> IndexStats: ...


class SearchUnavailable(Exception):  # noqa: N818 — raised to the view, which shows a Vietnamese message
    """The index cannot be read (missing, locked, corrupt): the UI says so and suggests ``search reindex``."""


def facet_key(record: SearchRecord, facet: str) -> str:
    """The value a record contributes to a facet (also what a filter on that facet compares)."""
    if facet == "kind":
        return record.kind
    if facet == "doc_type":
        return record.doc_type
    if facet == "issuer":
        return record.issuer
    if facet == "unit":
        return str(record.unit_id) if record.unit_id else ""
    if facet == "year":
        return str(record.year) if record.year else ""
    if facet == "secrecy":
        return record.secrecy_label
    if facet == "status":
        return record.status
    raise KeyError(facet)


def facet_label(record: SearchRecord, facet: str) -> str:
    """What the results page shows for ``facet_key``."""
    if facet == "kind":
        return record.kind_label
    if facet == "unit":
        return record.unit_label
    if facet == "status":
        return record.status_label or record.status
    if facet == "secrecy":
        return record.secrecy_label or "Không mật"
    return facet_key(record, facet)


FACET_SEP = "\u241f"  # ␟: a facet term is "<key>␟<label>" where the label differs from the key


def facet_term(record: SearchRecord, facet: str) -> str:
    """One string carrying a record's facet key and label, for backends that aggregate over one column."""
    key, label = facet_key(record, facet), facet_label(record, facet)
    return key if key == label else f"{key}{FACET_SEP}{label}"


def facet_split(term: str) -> tuple[str, str]:
    key, _, label = term.partition(FACET_SEP)
    return key, (label or key)


def hit_from(record: SearchRecord, score: float = 0.0) -> SearchHit:
    return SearchHit(
        key=record.key, kind=record.kind, kind_label=record.kind_label, object_id=record.object_id, url=record.url,
        title=record.title, number_symbol=record.number_symbol, doc_type=record.doc_type, issuer=record.issuer,
        unit_label=record.unit_label, doc_date=record.doc_date, secrecy_label=record.secrecy_label,
        status_label=record.status_label, score=score, extra=dict(record.extra),
    )  # fmt: skip


def record_to_json(record: SearchRecord) -> dict[str, Any]:
    """The stored form (without body and acl) a backend keeps to rebuild a hit and its facet labels."""
    return {
        "key": record.key, "kind": record.kind, "kind_label": record.kind_label, "object_id": record.object_id,
        "url": record.url, "title": record.title, "number_symbol": record.number_symbol,
        "doc_type": record.doc_type, "issuer": record.issuer, "signer": record.signer, "unit_id": record.unit_id,
        "unit_label": record.unit_label, "doc_date": record.doc_date.isoformat() if record.doc_date else "",
        "secrecy_rank": record.secrecy_rank, "secrecy_label": record.secrecy_label, "status": record.status,
        "status_label": record.status_label, "extra": record.extra,
    }  # fmt: skip


def hit_from_json(data: dict[str, Any], score: float = 0.0) -> SearchHit:
    d = data.get("doc_date") or ""
    return SearchHit(
        key=data["key"], kind=data["kind"], kind_label=data.get("kind_label", ""), object_id=int(data["object_id"]),
        url=data.get("url", ""), title=data.get("title", ""), number_symbol=data.get("number_symbol", ""),
        doc_type=data.get("doc_type", ""), issuer=data.get("issuer", ""), unit_label=data.get("unit_label", ""),
        doc_date=date.fromisoformat(d) if d else None, secrecy_label=data.get("secrecy_label", ""),
        status_label=data.get("status_label", ""), score=score, extra=dict(data.get("extra") or {}),
    )  # fmt: skip
