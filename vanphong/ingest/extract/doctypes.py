"""Document type names and abbreviations: the seeded catalogue, then the State types it lacks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from vanphong.catalogs.seed import DOCUMENT_TYPES

SRC_STATE_TYPES = (
    "Luật Ban hành văn bản quy phạm pháp luật 64/2025/QH15 Điều 4; NĐ 30/2020/NĐ-CP Phụ lục III [S]; "
    "văn bản hợp nhất: Pháp lệnh 01/2012/UBTVQH13 [S]"
)
# name, Party abbreviation, State abbreviation — types absent from the seeded (Party-oriented) catalogue
EXTRA_TYPES: list[tuple[str, str, str, str]] = [
    ("Nghị định", "", "NĐ", SRC_STATE_TYPES),
    ("Thông tư", "", "TT", SRC_STATE_TYPES),
    ("Thông tư liên tịch", "", "TTLT", SRC_STATE_TYPES),
    ("Nghị quyết liên tịch", "", "NQLT", SRC_STATE_TYPES),
    ("Luật", "", "", SRC_STATE_TYPES),
    ("Bộ luật", "", "", SRC_STATE_TYPES),
    ("Pháp lệnh", "", "PL", SRC_STATE_TYPES),
    ("Lệnh", "", "L", SRC_STATE_TYPES),
    ("Hiến pháp", "", "", SRC_STATE_TYPES),
    ("Văn bản hợp nhất", "", "VBHN", SRC_STATE_TYPES),
    ("Công điện", "", "CĐ", SRC_STATE_TYPES),
    ("Bản ghi nhớ", "", "BGN", SRC_STATE_TYPES),
    ("Bản thỏa thuận", "", "BTT", SRC_STATE_TYPES),
    ("Giấy ủy quyền", "", "GUQ", SRC_STATE_TYPES),
    ("Phiếu báo", "", "PB", SRC_STATE_TYPES),
    ("Hợp đồng", "", "HĐ", SRC_STATE_TYPES),
]


@dataclass(frozen=True)
class TypeTable:
    by_title: dict[str, str]  # "NGHỊ QUYẾT" → "Nghị quyết"
    party: dict[str, tuple[str, ...]]  # "QĐ" → ("Quyết định", "Quy định")
    state: dict[str, tuple[str, ...]]
    sources: dict[str, str]


def _plain_name(name: str) -> str:
    return re.sub(r"\s*\(.*\)\s*$", "", name).strip()


@lru_cache(maxsize=1)
def type_table() -> TypeTable:
    """Names and abbreviations of document types: the seeded catalogue first, then ``EXTRA_TYPES``."""
    by_title: dict[str, str] = {}
    party: dict[str, list[str]] = {}
    state: dict[str, list[str]] = {}
    sources: dict[str, str] = {}
    entries = [(_plain_name(name), p, s, src) for _code, name, p, s, src in DOCUMENT_TYPES]
    entries += [(name, p, s, src) for name, p, s, src in EXTRA_TYPES]
    for name, p, s, src in entries:
        by_title.setdefault(name.upper(), name)
        sources.setdefault(name, src)
        if p and name not in party.setdefault(p.upper(), []):
            party[p.upper()].append(name)
        if s and name not in state.setdefault(s.upper(), []):
            state[s.upper()].append(name)
    return TypeTable(
        by_title=by_title,
        party={k: tuple(v) for k, v in party.items()},
        state={k: tuple(v) for k, v in state.items()},
        sources=sources,
    )


def type_source(name: str) -> str:
    """Where the name of a document type comes from (the catalogue's source, or the built-in table's)."""
    return type_table().sources.get(name, "")
