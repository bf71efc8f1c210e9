"""``extract_metadata``: the steps put together."""

from __future__ import annotations

import re

from ..text import normalise_text
from .doctypes import type_table
from .issuer import issuer_from
from .lines import (
    DATE_RE,
    MOTTO,
    PARTY_MOTTO,
    PASSED_RE,
    SEP,
    VBHN_RE,
    NumberSymbol,
    date_at,
    is_upper,
    iso_date,
    number_candidate,
    parse_number_symbol,
    prepare_lines,
    segments,
)
from .signer import AUTHORITY_RE, CENTRAL_AUTHORS, find_signer
from .titles import BODY_START_RE, VV_RE, mark_of, subject_after, type_of_title, vv_subject

FIELDS = (
    "number", "symbol", "number_symbol", "issued_date", "issuer", "doc_type", "subject", "signer", "urgency",
    "secrecy",
)  # fmt: skip

HEAD_LINES = 260  # raw lines examined for the header; the first page of a gazette issue fits well inside

CONTINUATION_RE = re.compile(r"^\s*\(Tiếp theo Công báo", re.MULTILINE | re.IGNORECASE)
MENTION_RE = re.compile(
    r"^(?P<type>Luật|Bộ luật|Nghị định|Thông tư liên tịch|Thông tư|Nghị quyết|Quyết định|Pháp lệnh|Chỉ thị)"
    r"\s+số\s+(?P<ns>\d\S+)"
)
AMENDED_BY_RE = re.compile(
    r"được\s+sửa\s+đổi,\s+bổ\s+sung\s+(?:một\s+số\s+điều\s+)?(?:bởi|theo)\s*:", re.IGNORECASE
)


def _empty() -> dict[str, str | None]:
    return dict.fromkeys(FIELDS)


def _resolve_type(ns: NumberSymbol | None, title: str | None) -> str | None:
    table = type_table()
    if ns is not None and ns.prefix:
        prefix_type = table.by_title.get(ns.prefix.upper())
        if prefix_type:
            return prefix_type
    candidates: tuple[str, ...] = ()
    if ns is not None and ns.type_abbr:
        candidates = (table.party if ns.style == "party" else table.state).get(ns.type_abbr, ())
    if title and (not candidates or title in candidates):
        return title
    if title and candidates:
        # the title and the symbol disagree: a single unambiguous abbreviation wins (titles are the part OCR
        # and layout mangle most), otherwise the title
        return candidates[0] if len(candidates) == 1 else title
    if candidates:
        return candidates[0]
    return title


def extract_metadata(text: str) -> dict[str, str | None]:
    """Read the register fields from ``text``. Keys are exactly ``FIELDS``; unknown values are ``None``."""
    result = _empty()
    text = normalise_text(text)
    raw = text.split("\n")
    head_raw = raw[:HEAD_LINES]
    lines = prepare_lines(head_raw)
    if not lines:
        return result

    motto_at = next((i for i, s in enumerate(lines) if s in (MOTTO, PARTY_MOTTO)), None)
    lo = max(0, (motto_at or 0) - 12)
    hi = min(len(lines), (motto_at or 0) + 14) if motto_at is not None else min(len(lines), 40)
    window = range(lo, hi)

    # consolidated text: its own number, date, issuer and signer in the authentication block
    vbhn = VBHN_RE.search(text)
    vb_lines: list[str] = []
    vb_raw_index = 0
    if vbhn:
        vb_raw_index = text.count("\n", 0, vbhn.start())
        vb_lines = prepare_lines(raw[max(0, vb_raw_index - 10) : vb_raw_index + 10])

    # số, ký hiệu
    ns: NumberSymbol | None = None
    ns_at: int | None = None
    if vb_lines:
        for i, line in enumerate(vb_lines):
            if cand := number_candidate(line, vb_lines[i + 1] if i + 1 < len(vb_lines) else ""):
                ns, ns_at = cand, i
    if ns is None:
        order = list(window) + [i for i in range(min(len(lines), 80)) if i not in window]
        for i in order:
            if cand := number_candidate(lines[i], lines[i + 1] if i + 1 < len(lines) else ""):
                ns, ns_at = cand, i
                break
    mention_type: str | None = None
    mention_date: str | None = None
    mention_at: int | None = None
    if ns is None and CONTINUATION_RE.search("\n".join(head_raw[:40])):
        # a gazette issue continuing a long document repeats its title: “Thông tư số 102/2018/TT-BTC ngày …”
        for line in lines[:12]:
            if (m := MENTION_RE.match(line)) and (cand := parse_number_symbol(m["ns"])):
                ns, mention_type = cand, type_table().by_title.get(m["type"].upper())
                mention_at = lines.index(line)
                if dm := DATE_RE.search(line):
                    mention_date = iso_date(dm[1], dm[2], dm[3])
                break
    consolidated = bool(vbhn) or (ns is not None and ns.type_abbr == "VBHN")
    if ns is not None:
        result["number"], result["symbol"], result["number_symbol"] = ns.number, ns.symbol, ns.text

    # ngày ban hành
    issued: str | None = None
    if vb_lines:
        issued = next((found for i in range(len(vb_lines)) if (found := date_at(vb_lines, i))), None)
    if issued is None:
        around = range(max(0, (ns_at if ns_at is not None and not vb_lines else lo) - 6), hi + 6)
        ordered = list(around) + [i for i in range(min(len(lines), 60)) if i not in around]
        issued = next((found for i in ordered if i < len(lines) and (found := date_at(lines, i))), None)
    if issued is None:
        issued = mention_date
    if issued is None and (m := PASSED_RE.search(text)):
        issued = iso_date(m[1], m[2], m[3])
    result["issued_date"] = issued

    # cơ quan ban hành
    if vb_lines and ns_at is not None:
        result["issuer"] = issuer_from(vb_lines[max(0, ns_at - 4) : ns_at])
    elif mention_at is not None:
        result["issuer"] = issuer_from(lines[:mention_at])
    elif ns_at is not None:
        result["issuer"] = issuer_from(lines[max(0, ns_at - 9) : ns_at])
    if result["issuer"] is None and motto_at is not None:
        result["issuer"] = issuer_from(lines[max(0, motto_at - 8) : motto_at])
    if result["issuer"] is None:
        top = next(
            (
                i
                for i, s in enumerate(lines[:8])
                if s not in (MOTTO, PARTY_MOTTO, SEP) and (not is_upper(s) or type_of_title(s))
            ),
            8,
        )
        result["issuer"] = issuer_from(lines[:top])

    # thể loại and trích yếu
    title: str | None = None
    title_at: int | None = None
    for i, line in enumerate(lines[:80]):
        if t := type_of_title(line):
            title, title_at = t, i
            break
    if not consolidated and ns is None and title_at is not None:
        after = " ".join(lines[title_at + 1 : title_at + 12])
        consolidated = bool(AMENDED_BY_RE.search(after))
    result["doc_type"] = "Văn bản hợp nhất" if consolidated else _resolve_type(ns, title) or mention_type

    vv_at = next(
        (
            i
            for i in list(window) + list(range(min(len(lines), 40)))
            if i < len(lines) and VV_RE.match(lines[i])
        ),
        None,
    )
    if vv_at is not None and (title_at is None or vv_at < title_at):
        result["subject"] = vv_subject(lines, vv_at)
        if result["doc_type"] is None:
            result["doc_type"] = "Công văn"
    elif title_at is not None:
        result["subject"] = subject_after(lines, title_at + 1, consolidated=consolidated)

    # độ khẩn, độ mật: marks standing alone in the header, never words of the body
    body_at = next((i for i, s in enumerate(lines) if BODY_START_RE.match(s)), len(lines))
    header_end = min(body_at, title_at + 1 if title_at is not None else body_at)
    zone = set(range(0, min(header_end, 40))) | (set(window) if title_at is None else set())
    if motto_at is not None:
        zone |= set(range(max(0, motto_at - 8), min(len(lines), motto_at + 8)))
    for i in sorted(zone):
        if i >= len(lines) or lines[i] in (MOTTO, PARTY_MOTTO, SEP):
            continue
        if title_at is not None and i > title_at:
            continue
        for seg in segments(lines[i]):
            if (mark := mark_of(seg)) and result[mark[0]] is None:
                result[mark[0]] = mark[1]

    # người ký
    authority = ""
    if vbhn:
        result["signer"], authority = find_signer(raw, vb_raw_index)
    if result["signer"] is None:
        result["signer"], authority = find_signer(raw)
    if result["issuer"] and result["issuer"].startswith("Ban Chấp hành Trung ương") and authority:
        m = AUTHORITY_RE.match(authority)
        rest = re.sub(r"\s+", " ", m["rest"]).strip() if m else ""
        if rest in CENTRAL_AUTHORS:
            result["issuer"] = CENTRAL_AUTHORS[rest]
    return result
