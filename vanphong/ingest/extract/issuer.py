"""The issuing body from the header lines, written the way a register writes it."""

from __future__ import annotations

import re

from .lines import DATE_RE, MOTTO, PARTY_MOTTO, SEP, VBHN_RE, cap, is_upper, segments
from .signer import is_anchor
from .titles import mark_of, type_of_title

ORGAN_HEADS = (
    "BỘ", "BAN", "VĂN PHÒNG", "TỈNH ỦY", "TỈNH UỶ", "THÀNH ỦY", "THÀNH UỶ", "HUYỆN ỦY", "QUẬN ỦY", "THỊ ỦY",
    "ĐẢNG ỦY", "ĐẢNG UỶ", "ĐẢNG BỘ", "ĐẢNG ĐOÀN", "CHI BỘ", "ỦY BAN", "UỶ BAN", "UBND", "HĐND", "HỘI ĐỒNG",
    "SỞ", "CỤC", "TỔNG CỤC", "VỤ", "CHÍNH PHỦ", "THỦ TƯỚNG", "QUỐC HỘI", "NGÂN HÀNG", "KIỂM TOÁN", "TÒA ÁN",
    "TOÀ ÁN", "VIỆN", "CÔNG ĐOÀN", "TỔNG LIÊN ĐOÀN", "LIÊN ĐOÀN", "BẢO HIỂM", "MẶT TRẬN", "ĐOÀN", "HỘI",
    "TRƯỜNG", "BỆNH VIỆN", "PHÒNG", "TRUNG TÂM", "CÔNG AN", "BỘ CHỈ HUY", "CHỦ TỊCH NƯỚC", "ĐẠI HỘI",
    "TRUNG ƯƠNG", "HỌC VIỆN", "ĐẠI HỌC", "TẬP ĐOÀN", "TỔNG CÔNG TY", "CÔNG TY", "KHO BẠC", "THANH TRA",
    "THÔNG TẤN XÃ", "ĐÀI", "BÁO", "HỘI NGHỊ", "TIỂU BAN", "BAN CHỈ ĐẠO",
)  # fmt: skip
BARE_HEADS = {
    "VĂN PHÒNG", "BAN TỔ CHỨC", "BAN TUYÊN GIÁO", "BAN DÂN VẬN", "BAN NỘI CHÍNH", "BAN KINH TẾ",
    "BAN TUYÊN GIÁO VÀ DÂN VẬN", "BAN CHÍNH SÁCH, CHIẾN LƯỢC", "ỦY BAN KIỂM TRA", "UỶ BAN KIỂM TRA",
    "TỈNH ỦY", "TỈNH UỶ", "THÀNH ỦY", "THÀNH UỶ", "HUYỆN ỦY", "QUẬN ỦY", "THỊ ỦY", "ĐẢNG ỦY", "ĐẢNG UỶ",
    "BAN THƯỜNG VỤ", "BAN CHẤP HÀNH", "ĐẢNG ĐOÀN", "BAN CÁN SỰ ĐẢNG", "TRUNG TÂM CHÍNH TRỊ", "BÁO",
}  # fmt: skip
COMMITTEE_HEADS = ("TỈNH ỦY", "TỈNH UỶ", "THÀNH ỦY", "THÀNH UỶ", "HUYỆN ỦY", "QUẬN ỦY", "THỊ ỦY")
LEVEL_WORDS = ("TỈNH ", "THÀNH PHỐ ", "HUYỆN ", "QUẬN ", "THỊ XÃ ", "XÃ ", "PHƯỜNG ", "ĐẶC KHU ")
NOT_ISSUER = re.compile(r"^(?:\*+|SỐ\b|V/V\b|KÍNH GỬI)", re.IGNORECASE)


def _starts_organ(line: str) -> bool:
    return any(line == h or line.startswith(h + " ") or line.startswith(h + ",") for h in ORGAN_HEADS)


def _organs(lines: list[str]) -> list[str]:
    """Upper-case header lines grouped into organ names (wrapped lines joined)."""
    organs: list[str] = []
    for line in lines:
        s = re.sub(r"\s+", " ", line).strip(" *")
        if not s:
            continue
        joined = bool(organs) and (
            organs[-1].endswith(("-", "–", " VÀ", ","))
            or s.startswith(("VÀ ", "- ", "– ", "-", "–"))
            or not _starts_organ(s)
        )
        if joined:
            organs[-1] = f"{organs[-1]} {s}".replace(" - -", " -")
        else:
            organs.append(s)
    return [re.sub(r"\s+", " ", re.sub(r"\s*([-–])\s*", r" \1 ", o)).strip(" -–") for o in organs]


def _key(s: str) -> str:
    return re.sub(r"[\W_]+", "", s).upper()


def _combine(parent: str, child: str) -> str:
    """“ĐẢNG BỘ TỈNH TÂY NINH” + “TỈNH ỦY” → “TỈNH ỦY TÂY NINH”; “TỈNH ỦY TÂY NINH” + “VĂN PHÒNG” →
    “VĂN PHÒNG TỈNH ỦY TÂY NINH”."""
    if parent.startswith("ĐẢNG BỘ "):
        rest = parent[len("ĐẢNG BỘ ") :]
        if child in COMMITTEE_HEADS:
            for level in LEVEL_WORDS:
                if rest.startswith(level):
                    rest = rest[len(level) :]
                    break
            return f"{child} {rest}"
        if child in ("ĐẢNG ỦY", "ĐẢNG UỶ"):
            return f"{child} {rest}"
    return f"{child} {parent}"


def issuer_from(lines: list[str]) -> str | None:
    candidates = [
        s
        for s in (seg for line in lines if line not in (MOTTO, PARTY_MOTTO, SEP) for seg in segments(line))
        if is_upper(s) and not NOT_ISSUER.match(s) and type_of_title(s) is None and not mark_of(s)
        and not DATE_RE.search(s) and not VBHN_RE.search(s) and not is_anchor(s)
    ]  # fmt: skip
    organs = _organs(candidates)
    if not organs:
        return None
    deduped: list[str] = []
    for o in organs:
        if not deduped or _key(deduped[-1]) != _key(o):
            deduped.append(o)
    # the gazette repeats the issuer as a section heading: drop an organ equal to an earlier one
    uniq = [o for i, o in enumerate(deduped) if _key(o) not in {_key(p) for p in deduped[:i]}]
    last = uniq[-1]
    if last in BARE_HEADS and len(uniq) >= 2:
        last = _combine(uniq[-2], last)
    return display_issuer(last)


PROPER_PHRASES = [
    ("ban chấp hành trung ương đảng", "Ban Chấp hành Trung ương Đảng"),
    ("ban chấp hành trung ương", "Ban Chấp hành Trung ương"),
    ("bộ chính trị", "Bộ Chính trị"), ("ban bí thư", "Ban Bí thư"), ("ban thường vụ", "Ban Thường vụ"),
    ("ban chấp hành", "Ban Chấp hành"), ("ủy ban kiểm tra", "Ủy ban Kiểm tra"),
    ("uỷ ban kiểm tra", "Ủy ban Kiểm tra"), ("ban tổ chức", "Ban Tổ chức"),
    ("ban tuyên giáo và dân vận", "Ban Tuyên giáo và Dân vận"), ("ban tuyên giáo", "Ban Tuyên giáo"),
    ("ban dân vận", "Ban Dân vận"), ("ban nội chính", "Ban Nội chính"), ("ban kinh tế", "Ban Kinh tế"),
    ("ban cán sự đảng", "Ban cán sự đảng"), ("đảng đoàn", "Đảng đoàn"), ("văn phòng", "Văn phòng"),
    ("ủy ban thường vụ quốc hội", "Ủy ban Thường vụ Quốc hội"), ("ủy ban nhân dân", "Ủy ban nhân dân"),
    ("uỷ ban nhân dân", "Ủy ban nhân dân"), ("hội đồng nhân dân", "Hội đồng nhân dân"),
    ("thủ tướng chính phủ", "Thủ tướng Chính phủ"), ("chính phủ", "Chính phủ"), ("quốc hội", "Quốc hội"),
    ("chủ tịch nước", "Chủ tịch nước"),
    ("ngân hàng nhà nước việt nam", "Ngân hàng Nhà nước Việt Nam"), ("ngân hàng nhà nước", "Ngân hàng Nhà nước"),
    ("kiểm toán nhà nước", "Kiểm toán Nhà nước"), ("tòa án nhân dân tối cao", "Tòa án nhân dân tối cao"),
    ("toà án nhân dân tối cao", "Tòa án nhân dân tối cao"),
    ("viện kiểm sát nhân dân tối cao", "Viện kiểm sát nhân dân tối cao"),
    ("bảo hiểm xã hội việt nam", "Bảo hiểm xã hội Việt Nam"),
    ("tổng liên đoàn lao động việt nam", "Tổng Liên đoàn Lao động Việt Nam"),
    ("mặt trận tổ quốc việt nam", "Mặt trận Tổ quốc Việt Nam"), ("công thương", "Công Thương"),
    ("tỉnh ủy", "Tỉnh ủy"), ("tỉnh uỷ", "Tỉnh ủy"), ("thành ủy", "Thành ủy"), ("thành uỷ", "Thành ủy"),
    ("huyện ủy", "Huyện ủy"), ("quận ủy", "Quận ủy"), ("thị ủy", "Thị ủy"), ("đảng ủy", "Đảng ủy"),
    ("đảng uỷ", "Đảng ủy"), ("đảng bộ", "Đảng bộ"), ("việt nam", "Việt Nam"),
]  # fmt: skip
_PROPER_RES = [
    (re.compile(rf"(?<!\w){re.escape(low)}(?!\w)"), proper)
    for low, proper in sorted(PROPER_PHRASES, key=lambda p: -len(p[0]))
]
PLACE_AFTER = re.compile(
    r"(?<!\w)(Tỉnh ủy|Thành ủy|Huyện ủy|Quận ủy|Thị ủy|tỉnh|thành phố|huyện|quận|thị xã|xã(?! hội)|phường|thị trấn|"
    r"đặc khu)((?: [^\W\d_]+)+)$"
)


def display_issuer(upper: str) -> str:
    """An issuer printed in capitals, in the case it is written in a register: “BỘ LAO ĐỘNG - THƯƠNG BINH VÀ
    XÃ HỘI” → “Bộ Lao động - Thương binh và Xã hội”, “TỈNH ỦY TÂY NINH” → “Tỉnh ủy Tây Ninh”; joint issuers
    (“BỘ CÔNG AN - BỘ QUỐC PHÒNG”) name by name. Names already in mixed case are kept. Best effort: proper names
    outside the table get sentence case."""
    text = re.sub(r"\s+", " ", upper).strip()
    if not is_upper(text):
        return text
    parts: list[str] = []
    for piece in re.split(r"\s+[-–]\s+", text):
        if parts and not _starts_organ(piece):
            parts[-1] = f"{parts[-1]} - {piece}"
        else:
            parts.append(piece)
    return " - ".join(_display_one(p) for p in parts)


def _display_one(text: str) -> str:
    s = text.lower()
    for pattern, proper in _PROPER_RES:
        s = pattern.sub(proper, s)
    if s.startswith("bộ "):
        # ministries: “Bộ Tài chính”, “Bộ Khoa học và Công nghệ”, “Bộ Văn hóa, Thể thao và Du lịch”
        s = "Bộ " + re.sub(r"(^|, | và | - )(\w)", lambda m: m[1] + m[2].upper(), s[3:])
    if (m := PLACE_AFTER.search(s)) and m[2] == m[2].lower():
        s = s[: m.start(2)] + " " + " ".join(cap(w) for w in m[2].split())
    return cap(s)
